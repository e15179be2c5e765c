import Testing

@testable import Autograd

/// Formulas PyTorch writes with `where`, `masked_fill`, `zeros_like` or a scatter into zeros give exact +0 where
/// the gradient is cut, whatever the incoming gradient (no -0.0 from a negative one, no NaN from `NaN * 0`).
/// Expected values: PyTorch 2.15, `x.grad.tolist()`.
@Suite struct ParityGradientZerosTests {
  private let nan = Double.nan

  private func call(_ name: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:])
    throws
    -> Tensor
  {
    try #require(try Ops.call(name, args: args, kwargs: kwargs).tensor)
  }

  /// Bit patterns, so that -0.0 differs from 0.0 and NaN equals NaN.
  private func bits(_ t: Tensor?) -> [UInt64] { bits(t?.contiguousDoubles() ?? []) }
  private func bits(_ values: [Double]) -> [UInt64] {
    values.map { $0.isNaN ? Double.nan.bitPattern : $0.bitPattern }
  }

  private func gradOf(
    _ op: String, _ extra: [OpArgument] = [], kwargs: [String: OpArgument] = [:]
  ) throws -> (Tensor?, Tensor?) {
    let x = try Tensor(shape: [5], doubles: [nan, -1, 0, 2, 3], requiresGrad: true)
    let y = try Tensor(shape: [5], doubles: [1, -1, nan, 5, 3], requiresGrad: true)
    let g = try Tensor(shape: [5], doubles: [-2, -3, nan, -1, -4])
    let args =
      [OpArgument.tensor(x)]
      + extra.map { if case .none = $0 { return .tensor(y) } else { return $0 } }
    let out = try #require(try Ops.call(op, args: args, kwargs: kwargs).tensor)
    _ = try out.backward(gradient: g)
    return (x.grad, y.grad)
  }

  @Test func reluClampMaximumAndFloorCutTheGradientToPlusZero() throws {
    #expect(bits(try gradOf("relu").0) == bits([-2, 0, 0, -1, -4]))
    #expect(
      bits(try gradOf("clamp", [.double(-0.5), .double(2.5)]).0) == bits([0, 0, nan, -1, 0]))
    #expect(bits(try gradOf("clamp", kwargs: ["min": .int(0)]).0) == bits([0, 0, 0, -1, -4]))
    let (gx, gy) = try gradOf("maximum", [.none])
    #expect(bits(gx) == bits([-2, -1.5, nan, 0, -2]))
    #expect(bits(gy) == bits([-2, -1.5, nan, -1, -2]))
    #expect(bits(try gradOf("floor").0) == bits([0, 0, 0, 0, 0]))
  }

  @Test func clampPassesNoGradientAtItsBounds() throws {
    // x = tensor([0., 2., 1.]); torch.clamp(x, min=0, max=2).backward(ones(3)) -> [0, 0, 1]
    let x = try Tensor(shape: [3], doubles: [0, 2, 1], requiresGrad: true)
    let c = try call("clamp", .tensor(x), kwargs: ["min": .int(0), "max": .int(2)])
    _ = try c.backward(gradient: try Tensor.ones([3]))
    #expect(x.grad?.contiguousDoubles() == [0, 0, 1])
  }

  @Test func maxAndSetitemScatterIntoZeros() throws {
    let x = try Tensor(shape: [2, 3], doubles: [1, 3, 3, -1, 0, nan], requiresGrad: true)
    let values = try call("max", .tensor(x), kwargs: ["dim": .int(1)])
    _ = try values.backward(gradient: try Tensor(shape: [2], doubles: [-1, nan]))
    #expect(bits(x.grad) == bits([0, -1, 0, 0, 0, nan]))

    let y = try Tensor(shape: [2, 3], doubles: [1, 3, 3, -1, 0, 2], requiresGrad: true)
    _ = try call("max", .tensor(y)).backward(gradient: try Tensor(shape: [], doubles: [nan]))
    #expect(bits(y.grad) == bits([0, nan, nan, 0, 0, 0]))

    // z = y.clone(); z[0] = 5.; z.backward(g)
    let w = try Tensor(shape: [2, 3], doubles: [1, 3, 3, -1, 0, 2], requiresGrad: true)
    let z = try call("clone", .tensor(w))
    _ = try call("setitem", .tensor(z), .double(5), .string("0"))
    _ = try z.backward(gradient: try Tensor(shape: [2, 3], doubles: [-2, nan, -1, -3, -1, -5]))
    #expect(bits(w.grad) == bits([0, 0, 0, -3, -1, -5]))

    // (w ** 0).backward(full(nan)) -> zeros
    let v = try Tensor(shape: [2], doubles: [1, -2], requiresGrad: true)
    _ = try call("pow", .tensor(v), .int(0)).backward(
      gradient: try Tensor(shape: [2], doubles: [nan, -1]))
    #expect(bits(v.grad) == bits([0, 0]))
  }

  @Test func nllLossBackwardIsMinusGradOverTotalWeightAtTheTargets() throws {
    // x = [[0.3,-1.2,2.2],[0.1,0.7,-0.4],[1.5,1.1,0.2]]; t = [2,0,1]; F.nll_loss(x, t).backward(tensor(0.7))
    let x = try Tensor(
      shape: [3, 3], doubles: [0.3, -1.2, 2.2, 0.1, 0.7, -0.4, 1.5, 1.1, 0.2], requiresGrad: true)
    let t = try Tensor(shape: [3], doubles: [2, 0, 1], dtype: .int64)
    _ = try call("nll_loss", .tensor(x), .tensor(t)).backward(
      gradient: try Tensor(shape: [], doubles: [0.7]))
    let m = -0.23333333432674408
    #expect(bits(x.grad) == bits([0, 0, m, m, 0, 0, 0, m, 0]))
    // reduction="none" with a NaN in the incoming gradient: NaN only at that row's target
    let y = try Tensor(
      shape: [3, 3], doubles: [0.3, -1.2, 2.2, 0.1, 0.7, -0.4, 1.5, 1.1, 0.2], requiresGrad: true)
    _ = try call("nll_loss", .tensor(y), .tensor(t), kwargs: ["reduction": .string("none")])
      .backward(
        gradient: try Tensor(shape: [3], doubles: [-1, nan, 0.3]))
    #expect(bits(y.grad) == bits([0, 0, 1, nan, 0, 0, 0, -0.30000001192092896, 0]))
    // F.cross_entropy(tensor([-0.32]), tensor(0), reduction="none") is +0 (PyTorch's summing kernel)
    let v = try Tensor(shape: [1], doubles: [-0.32], requiresGrad: true)
    let loss = try call(
      "cross_entropy", .tensor(v), .tensor(try Tensor(shape: [], doubles: [0], dtype: .int64)),
      kwargs: ["reduction": .string("none")])
    #expect(bits(loss) == bits([0]))
  }
}
