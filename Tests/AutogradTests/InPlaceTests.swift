import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }
private let hint =
  "Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."

@Suite struct InPlaceTests {
  @Test func inPlaceThroughViewOfNonLeafFollowsPyTorch() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let z = try op("clone", T(x))
    let v = try op("getitem", T(z), kwargs: ["index": .string("0")])
    _ = try op("mul_", T(v), .int(10))
    #expect(z.gradFn?.name == "CopySlices")
    #expect(v.gradFn?.name == "AsStridedBackward0")
    #expect(z.version == 1 && v.version == 1)
    try op("sum", T(z)).backward()
    #expect(values(x.grad) == [10, 10, 1, 1])
  }

  @Test func modifiedSavedOutputNamesTheSavingOp() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    let b = try op("exp", T(a))
    _ = try op("add_", T(b), .int(1))
    #expect(b.gradFn?.name == "AddBackward0")
    #expect(
      throws: AutogradError(
        .modifiedInplace,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 instead. \(hint)"
      )
    ) { try op("sum", T(b)).backward() }
  }

  @Test func modifiedSavedInputNamesItsCurrentGradFn() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    let b = try op("mul", T(a), .int(1))
    let c = try op("mul", T(b), T(b))
    _ = try op("add_", T(b), .int(1))
    #expect(
      throws: AutogradError(
        .modifiedInplace,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Add, is at version 1; expected version 0 instead. \(hint)"
      )
    ) { try op("sum", T(c)).backward() }
  }

  @Test func modifiedLeafOmitsTheOutputClause() throws {
    let x = try Tensor.ones([3], requiresGrad: true)
    let y = try op("mul", T(x), T(x))
    _ = try op("mul_", T(x), .int(2), grad: false)
    #expect(x.version == 1 && x.isLeaf)
    #expect(
      throws: AutogradError(
        .modifiedInplace,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]] is at version 1; expected version 0 instead. \(hint)"
      )
    ) { try op("sum", T(y)).backward() }
  }

  @Test func setitemAfterSaveNamesCopySlices() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    let y = try Tensor.zeros([3])
    _ = try op(
      "setitem", T(y), T(op("mul", T(op("getitem", T(a), kwargs: ["index": .int(0)])), .int(2))),
      kwargs: ["index": .string("0")])
    let w = try op("mul", T(y), T(y))
    _ = try op("setitem", T(y), .double(5), kwargs: ["index": .string("1")])
    #expect(
      throws: AutogradError(
        .modifiedInplace,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of torch::autograd::CopySlices, is at version 2; expected version 1 instead. \(hint)"
      )
    ) { try op("sum", T(w)).backward() }
  }

  @Test func unsavedInPlaceChangeIsFine() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    let b = try op("mul", T(a), .int(2))
    let c = try op("add", T(b), .int(1))
    _ = try op("add_", T(b), .int(1))
    try op("sum", T(c)).backward()
    #expect(values(a.grad) == [2, 2, 2])
    let x = try Tensor.ones([1], requiresGrad: true)
    let y = try op("mul", .int(2), T(x))
    _ = try op("mul_", T(x.detach()), .int(100))
    try y.backward()
    #expect(values(x.grad) == [2])
    #expect(x.version == 1)
  }

  @Test func leafInPlaceIsRefused() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    #expect(
      throws: AutogradError(
        .leafInplace, "a leaf Variable that requires grad is being used in an in-place operation.")
    ) {
      try op("add_", T(a), .int(1))
    }
    #expect(
      throws: AutogradError(
        .leafInplace, "a leaf Variable that requires grad is being used in an in-place operation.")
    ) {
      try op("zero_", T(a))
    }
    let view = AutogradError(
      .leafInplace,
      "a view of a leaf Variable that requires grad is being used in an in-place operation.")
    #expect(throws: view) { try op("setitem", T(a), .int(5), kwargs: ["index": .string("0")]) }
    #expect(throws: view) {
      try op("add_", T(op("getitem", T(a), kwargs: ["index": .string("0:2")])), .int(1))
    }
    #expect(throws: view) { try op("mul_", T(op("view", T(a), .int(3))), .int(2)) }
    #expect(a.version == 0 && values(a) == [1, 1, 1])
    // Allowed under no_grad: values change, version bumps, still a leaf.
    _ = try op("add_", T(a), .int(1), grad: false)
    #expect(values(a) == [2, 2, 2] && a.version == 1 && a.isLeaf && a.gradFn == nil)
  }

  @Test func viewsShareTheVersionCounter() throws {
    let b = try Tensor.zeros([3])
    let v = try op("getitem", T(b), kwargs: ["index": .string("1:")])
    _ = try op("add_", T(v), .int(1))
    #expect(b.version == 1 && v.version == 1)
    let d = b.detach()
    _ = try op("add_", T(d), .int(1))
    #expect(b.version == 2)
    _ = try op("add_", T(b.data), .int(1))
    #expect(b.version == 2 && values(b) == [2, 3, 3])
  }

  @Test func inPlaceRebasesGradFn() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    let y = try op("mul", T(x), .int(2))
    for (name, fn) in [
      ("add_", "AddBackward0"), ("sub_", "SubBackward0"), ("mul_", "MulBackward0"),
      ("div_", "DivBackward0"),
    ] {
      _ = try op(name, T(y), .int(2))
      #expect(y.gradFn?.name == fn)
    }
    _ = try op("relu_", T(y))
    #expect(y.gradFn?.name == "ReluBackward0")
    _ = try op("zero_", T(y))
    #expect(y.gradFn?.name == "ZeroBackward0")
    _ = try op("fill_", T(y), .int(3))
    #expect(y.gradFn?.name == "FillBackward2")
    _ = try op("copy_", T(y), T(x))
    #expect(y.gradFn?.name == "CopyBackwards")
    #expect(y.version == 8)
  }

  @Test func overwrittenElementsGetZeroGradient() throws {
    let x = try Tensor.ones([3], requiresGrad: true)
    let y = try op("mul", T(x), .int(1))
    _ = try op("setitem", T(y), .double(10), kwargs: ["index": .string("1")])
    try op("sum", T(y)).backward()
    #expect(values(x.grad) == [1, 0, 1])
    let s = try Tensor.ones([], requiresGrad: true)
    let z = try Tensor.zeros([3])
    _ = try op("setitem", T(z), T(s), kwargs: ["index": .string("0:2")])
    #expect(z.gradFn?.name == "CopySlices" && !z.isLeaf && z.version == 1)
    try op("sum", T(z)).backward()
    #expect(values(s.grad) == [2])
    let plain = try Tensor.zeros([3])
    _ = try op("setitem", T(plain), .double(1), kwargs: ["index": .string("0")])
    #expect(plain.gradFn == nil && plain.version == 1 && values(plain) == [1, 0, 0])
  }

  @Test func inPlaceOnExpandedViewIsRefused() throws {
    let x = try Tensor.ones([1, 3])
    let e = try op("expand", T(x), .int(2), .int(3))
    #expect(
      throws: AutogradError(
        .invalidOp,
        "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
      )
    ) { try op("add_", T(e), .int(1)) }
  }
}

@Suite struct InPlaceSavedResultTests {
  @Test func inPlaceOpThatSavesItsResultIsVersionChecked() throws {
    let a = try Tensor.ones([3], requiresGrad: true)
    let b = try op("mul", .tensor(a), .int(1))
    _ = try op("exp_", .tensor(b))
    _ = try op("add_", .tensor(b), .int(1))
    #expect(throws: AutogradError.self) { try op("sum", .tensor(b)).backward() }
    let c = try op("mul", .tensor(a), .int(1))
    _ = try op("exp_", .tensor(c))
    try op("sum", .tensor(c)).backward()
    #expect(approx(values(a.grad), [2.7182817, 2.7182817, 2.7182817]))
  }
}

@Suite struct NoGradViewTests {
  @Test func untrackedInPlaceThroughAViewStillRegeneratesItsGradFn() throws {
    // torch: c = x * 1; t = c.transpose(0, 1); with no_grad: t.mul_(2) -> t.grad_fn AsStridedBackward0
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let t = try op("transpose", T(try op("mul", T(x), .int(1))), .int(0), .int(1))
    _ = try op("mul_", T(t), .int(2), grad: false)
    #expect(t.gradFn?.name == "AsStridedBackward0" && !t.isLeaf)
    try op("sum", T(t)).backward()
    #expect(values(x.grad) == [1, 1, 1, 1])
  }

  @Test func viewOfANoGradViewCannotBeModifiedWithGrad() throws {
    func refusal(of op: String) -> AutogradError {
      .invalidOp(
        "Output 0 of \(op) is a view of a view which was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."
      )
    }
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let b = try op("getitem", T(x), kwargs: ["index": .string(":")], grad: false)
    let y = try op("unsqueeze", T(b), .int(0))
    #expect(y.gradFn?.name == "UnsqueezeBackward0")
    #expect(throws: refusal(of: "Unsqueeze")) { try op("zero_", T(y)) }
    // torch names TBackward0's op `T`.
    #expect(throws: refusal(of: "T")) { try op("mul_", T(try op("t", T(b))), .int(2)) }
    // A detached tensor requires no grad: its views may change, and the change reaches x's storage.
    let free = try op("t", T(try op("detach", T(b), grad: false)))
    _ = try op("mul_", T(free), .int(2))
    #expect(values(x) == [2, 2, 2, 2])
  }

  @Test func viewMadeUnderNoGradCannotBeModifiedWithGrad() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    let y = try op("mul", .tensor(x), .int(2))
    let v = try op("getitem", .tensor(y), kwargs: ["index": .string("0")], grad: false)
    #expect(throws: AutogradError.self) { try op("mul_", .tensor(v), .int(2)) }
    _ = try op("mul_", .tensor(v), .int(2), grad: false)
    #expect(values(y) == [4, 2])
  }
}
