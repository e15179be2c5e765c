import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

/// Reference §2.6: the forward-op errors, with PyTorch's texts and the API's codes.
@Suite struct ForwardErrorTests {
  func fails(_ code: AutogradError.Code, _ message: String, _ body: () throws -> Void) {
    #expect(throws: AutogradError(code, message)) { try body() }
  }

  @Test func shapeErrors() throws {
    let x = try Tensor.ones([2, 3])
    fails(
      .shapeMismatch,
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
    ) { _ = try op("view", T(op("t", T(x))), .int(6)) }
    fails(.shapeMismatch, "shape '[4]' is invalid for input of size 6") {
      _ = try op("view", T(x), .int(4))
    }
    fails(
      .shapeMismatch,
      "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3, 3].  Tensor sizes: [2, 3]"
    ) { _ = try op("expand", T(x), .int(3), .int(3)) }
    fails(.shapeMismatch, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)") {
      _ = try op("mm", T(x), T(x))
    }
    fails(.shapeMismatch, "1D tensors expected, but got 2D and 2D tensors") {
      _ = try op("dot", T(x), T(x))
    }
    fails(
      .shapeMismatch,
      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, but got 3 and 4 elements respectively"
    ) { _ = try op("dot", T(Tensor.ones([3])), T(Tensor.ones([4]))) }
    fails(
      .shapeMismatch,
      "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1"
    ) {
      _ = try op("add", T(x), T(Tensor.ones([2, 2])))
    }
    fails(
      .shapeMismatch,
      "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for tensor number 1 in the list."
    ) { _ = try op("cat", .list([T(x), T(Tensor.ones([2, 2]))])) }
    fails(
      .shapeMismatch,
      "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"
    ) {
      _ = try op("stack", .list([T(Tensor.ones([2])), T(Tensor.ones([3]))]))
    }
    fails(.shapeMismatch, "Dimension out of range (expected to be in range of [-2, 1], but got 2)")
    {
      _ = try op("sum", T(x), .int(2))
    }
    fails(.shapeMismatch, "index 5 is out of bounds for dimension 0 with size 3") {
      _ = try op("getitem", T(Tensor.ones([3])), kwargs: ["index": .string("5")])
    }
    fails(.shapeMismatch, "too many indices for tensor of dimension 1") {
      _ = try op("getitem", T(Tensor.ones([3])), kwargs: ["index": .string("0, 0")])
    }
    #expect(try op("squeeze", T(x), .int(0)).shape == [2, 3])
  }

  @Test func dtypeRules() throws {
    let f = try Tensor.ones([2, 2])
    let d = try Tensor.ones([2, 2], dtype: .float64)
    fails(.dtypeMismatch, "expected m1 and m2 to have the same dtype, but got: float != double") {
      _ = try op("mm", T(f), T(d))
    }
    #expect(try op("add", T(f), T(d)).dtype == .float64)
    #expect(try op("add", T(f), .double(2.5)).dtype == .float32)
    #expect(
      try op("mul", T(f), T(Tensor(shape: [], doubles: [2], dtype: .float64))).dtype == .float32)
    let i = try Tensor(shape: [2], doubles: [1, 2], dtype: .int64)
    #expect(try op("add", T(i), .int(1)).dtype == .int64)
    #expect(try op("add", T(i), .double(0.5)).dtype == .float32)
    #expect(try op("div", T(i), .int(2)).dtype == .float32)
    #expect(
      try op("add", T(i), T(Tensor(shape: [], doubles: [1], dtype: .float64))).dtype == .float64)
  }

  @Test func unsupportedThingsAreRefusedClearly() throws {
    let x = try Tensor.ones([3])
    #expect(throws: AutogradError.self) {
      try op("getitem", T(x), kwargs: ["index": .list([.int(0), .int(1)])])
    }
    #expect(throws: AutogradError(.invalidOp, "unknown op 'frobnicate'")) {
      try op("frobnicate", T(x))
    }
    #expect(
      throws: AutogradError(.invalidArgument, "sum() got an unexpected keyword argument 'axis'")
    ) {
      try op("sum", T(x), kwargs: ["axis": .int(0)])
    }
  }

  @Test func catalogListsEveryApiOp() {
    let names = Set(Ops.catalog.map(\.name))
    let required =
      "add sub mul div neg pow exp log sqrt abs sin cos tanh sigmoid relu sum mean max min argmax argmin dot mm matmul t transpose view reshape squeeze unsqueeze expand getitem setitem clone detach cat stack softmax log_softmax mse_loss cross_entropy add_ sub_ mul_ div_ zero_ fill_ copy_"
      .split(separator: " ").map(String.init)
    for op in required { #expect(names.contains(op), "missing \(op)") }
    #expect(Ops.catalog.first { $0.name == "setitem" }?.inPlace == true)
    #expect(Ops.catalog.first { $0.name == "sum" }?.gradFn == "SumBackward0")
  }
}

@Suite struct HostileInputTests {
  @Test func hugeShapesAreRefusedNotAllocated() throws {
    let x = try Tensor.ones([1])
    #expect(throws: AutogradError.self) { try op("expand", .tensor(x), .int(1 << 40)) }
    #expect(throws: AutogradError.self) { try Tensor.zeros([1 << 20, 1 << 20]) }
    #expect(throws: AutogradError.self) { try Tensor.zeros([Int.max, 2]) }
    let col = try Tensor.ones([1 << 15, 1])
    let row = try Tensor.ones([1, 1 << 15])
    #expect(throws: AutogradError.self) { try op("mm", .tensor(col), .tensor(row)) }
  }

  @Test func extremeIndicesDoNotTrap() throws {
    let x = try Tensor.ones([3])
    #expect(throws: AutogradError.self) {
      try op("getitem", .tensor(x), kwargs: ["index": .int(Int.min)])
    }
    #expect(
      try op("getitem", .tensor(x), kwargs: ["index": .string("::9223372036854775807")]).shape == [
        1
      ])
    #expect(
      try op("getitem", .tensor(x), kwargs: ["index": .string("-9223372036854775807:")]).shape == [
        3
      ])
    let big = try Tensor(shape: [], doubles: [5], dtype: .int64)
    #expect(throws: AutogradError.self) {
      try op("getitem", .tensor(x), kwargs: ["index": .tensor(big)])
    }
    let logits = try Tensor.ones([2, 3])
    let target = try Tensor(shape: [2], doubles: [9.3e18, -5], dtype: .int64)
    #expect(throws: AutogradError.self) {
      try op("cross_entropy", .tensor(logits), .tensor(target))
    }
    #expect(throws: AutogradError.self) { try op("view", .tensor(x), .int(-1), .int(0)) }
  }
}
