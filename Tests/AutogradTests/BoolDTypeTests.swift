import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

/// The bool dtype: comparisons, promotion, reductions, conversions and refusals. Expected reprs and texts were
/// printed by PyTorch 2.15.
@Suite struct BoolDTypeTests {
  private let mask: Tensor
  private let x: Tensor

  init() throws {
    mask = try Tensor(shape: [3], doubles: [1, 0, 1], dtype: .bool)
    x = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .float32)
  }

  private func fails(_ code: AutogradError.Code, _ message: String, _ body: () throws -> Void) {
    #expect(throws: AutogradError(code, message)) { try body() }
  }

  @Test func comparisonsGiveUntrackedBool() throws {
    let leaf = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .float32, requiresGrad: true)
    let m = try op("gt", T(leaf), .int(1))
    #expect(m.dtype == .bool)
    #expect(!m.requiresGrad && m.gradFn == nil && m.isLeaf)
    #expect(m.description == "tensor([False,  True,  True])")
    #expect(try op("gt", T(x), .int(2)).description == "tensor([False, False,  True])")
  }

  @Test func reprsFollowPyTorchsAlignment() throws {
    #expect(mask.description == "tensor([ True, False,  True])")
    #expect(try Tensor(shape: [], doubles: [1], dtype: .bool).description == "tensor(True)")
    #expect(
      try Tensor(shape: [0], doubles: [], dtype: .bool).description
        == "tensor([], dtype=torch.bool)")
    #expect(
      try Tensor(shape: [0, 3], doubles: [], dtype: .bool).description
        == "tensor([], size=(0, 3), dtype=torch.bool)")
    #expect(
      try Tensor(shape: [2, 2], doubles: [1, 0, 0, 1], dtype: .bool).description
        == "tensor([[ True, False],\n        [False,  True]])")
    #expect(try op("getitem", T(mask), .string("1:")).description == "tensor([False,  True])")
  }

  @Test func promotionFollowsPyTorch() throws {
    #expect(try op("add", T(mask), T(mask)).description == "tensor([ True, False,  True])")
    #expect(try op("mul", T(mask), .int(2)).description == "tensor([2, 0, 2])")
    #expect(try op("add", T(mask), .double(1.5)).description == "tensor([2.5000, 1.5000, 2.5000])")
    #expect(try op("mul", T(mask), .bool(true)).description == "tensor([ True, False,  True])")
    let ints = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .int64)
    #expect(try op("add", T(mask), T(ints)).description == "tensor([2, 2, 4])")
    let double0 = try Tensor(shape: [], doubles: [2], dtype: .float64)
    #expect(
      try op("add", T(mask), T(double0)).description == "tensor([3., 2., 3.], dtype=torch.float64)")
  }

  @Test func reductionsAndConversions() throws {
    let total = try op("sum", T(mask))
    #expect(total.dtype == .int64 && total.description == "tensor(2)")
    #expect(try op("max", T(mask)).description == "tensor(True)")
    #expect(
      try op("to", T(mask), .string("float64")).description
        == "tensor([1., 0., 1.], dtype=torch.float64)")
    #expect(try op("to", T(mask), .string("int64")).description == "tensor([1, 0, 1])")
    let floats = try Tensor(shape: [3], doubles: [0, .nan, -2], dtype: .float32)
    #expect(try op("to", T(floats), .string("bool")).description == "tensor([False,  True,  True])")
  }

  @Test func whereTakesABoolCondition() throws {
    let leaf = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .float32, requiresGrad: true)
    let picked = try op("where", T(op("gt", T(leaf), .int(1))), T(leaf), T(Tensor.zeros([3])))
    #expect(picked.description == "tensor([0., 2., 3.], grad_fn=<WhereBackward0>)")
    let ints = try Tensor(shape: [2], doubles: [1, 0], dtype: .int64)
    fails(
      .dtypeMismatch,
      "where expected condition to be a boolean tensor, but got a tensor with dtype Long"
    ) { _ = try op("where", T(ints), T(Tensor.ones([2])), T(Tensor.zeros([2]))) }
  }

  @Test func refusalsUsePyTorchsTexts() throws {
    fails(
      .dtypeMismatch,
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Bool"
    ) { _ = try op("mean", T(mask)) }
    fails(
      .invalidOp,
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
    ) { _ = try op("sub", T(mask), T(mask)) }
    fails(
      .invalidOp,
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
    ) { _ = try op("neg", T(mask)) }
    fails(.invalidOp, "argmax(): does not support bool input") { _ = try op("argmax", T(mask)) }
    #expect(throws: AutogradError.floatingRequiresGrad) {
      _ = try Tensor(shape: [1], doubles: [1], dtype: .bool, requiresGrad: true)
    }
  }
}
