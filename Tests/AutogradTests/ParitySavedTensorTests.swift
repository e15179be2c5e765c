import Testing

@testable import Autograd

/// Nodes that save tensors in PyTorch (`WhereBackward0` its condition, `MaxBackward0` its indices) refuse a second
/// backward after a non-retaining one and catch in-place changes of what they saved (PyTorch 2.15 texts).
@Suite struct ParitySavedTensorTests {
  private func call(_ name: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:])
    throws
    -> Tensor
  {
    try #require(try Ops.call(name, args: args, kwargs: kwargs).tensor)
  }

  @Test func secondBackwardThroughWhereOrMaxDimIsGraphFreed() throws {
    let x = try Tensor(shape: [2, 2], doubles: [1, 5, 3, 2], requiresGrad: true)
    let c = try call("gt", .tensor(x), .int(2))
    let w = try call("sum", .tensor(try call("where", .tensor(c), .tensor(x), .double(0))))
    _ = try w.backward()
    #expect(x.grad?.contiguousDoubles() == [0, 1, 1, 0])
    #expect(throws: AutogradError.backwardTwice) { try w.backward() }
    let m = try call("sum", .tensor(try call("max", .tensor(x), kwargs: ["dim": .int(0)])))
    _ = try m.backward()
    #expect(throws: AutogradError.backwardTwice) { try m.backward() }
  }

  @Test func inPlaceChangeOfAWhereConditionIsCaught() throws {
    // x = torch.tensor([1.], requires_grad=True); b = torch.tensor([True]); y = torch.where(b, x, 0.)
    // b.logical_not_() (here b.zero_()); y.sum().backward()
    let x = try Tensor(shape: [2, 2], doubles: [1, 5, 3, 2], requiresGrad: true)
    let c = try call("gt", .tensor(x), .int(2))
    let y = try call("where", .tensor(c), .tensor(x), .double(0))
    _ = try call("zero_", .tensor(c))
    #expect(
      throws: AutogradError(
        .modifiedInplace,
        "one of the variables needed for gradient computation has been modified by an inplace operation: [CPUBoolType [2, 2]] is at version 1; expected version 0 instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
      )
    ) { try call("sum", .tensor(y)).backward() }
  }

  @Test func copySlicesRunsOnceWithoutRetainGraph() throws {
    // z = x.clone(); z[0] = 1.; z.sum().backward(); z.sum().backward() -> backward through the graph a second
    // time (CopySlices drops the op it wraps), even though nothing in the chain saved a tensor
    let x = try Tensor.zeros([3], requiresGrad: true)
    let z = try call("clone", .tensor(x))
    _ = try call("setitem", .tensor(z), .double(1), .string("0"))
    let total = try call("sum", .tensor(z))
    _ = try total.backward(retainGraph: true)
    _ = try total.backward()
    #expect(x.grad?.contiguousDoubles() == [0, 2, 2])
    #expect(throws: AutogradError.backwardTwice) { try total.backward() }
  }

  @Test func mseLossOfATensorWithItselfGivesMinusZeroForANegativeGradient() throws {
    // z = torch.zeros(3, requires_grad=True); F.mse_loss(z, z, reduction="sum").backward(tensor(-5.))
    let z = try Tensor.zeros([3], requiresGrad: true)
    let m = try call("mse_loss", .tensor(z), .tensor(z), kwargs: ["reduction": .string("sum")])
    _ = try m.backward(gradient: try Tensor(shape: [], doubles: [-5]))
    #expect(z.grad?.contiguousDoubles().map(\.sign) == [.minus, .minus, .minus])
  }
}
