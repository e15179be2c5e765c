import Testing

@testable import Autograd

/// `tensor op number` runs without a wrapped 0-d tensor; results, grad_fn names and gradients are PyTorch 2.15's.
@Suite struct ScalarOperandTests {
  private func call(_ name: String, _ args: OpArgument...) throws -> Tensor {
    try #require(try Ops.call(name, args: args).tensor)
  }

  @Test func float32PlusAndTimesANumberComputeInFloat32LikePyTorch() throws {
    // x = torch.tensor([0.7, 1.3, 2.9, 3.3], requires_grad=True); y = x + 0.1; z = y * 0.3; o = z.mean()
    let x = try Tensor(shape: [4], doubles: [0.7, 1.3, 2.9, 3.3], requiresGrad: true)
    let y = try call("add", .tensor(x), .double(0.1))
    let z = try call("mul", .tensor(y), .double(0.3))
    let o = try call("mean", .tensor(z))
    #expect(y.gradFn?.name == "AddBackward0")
    #expect(z.gradFn?.name == "MulBackward0")
    #expect(y.gradFn?.nextNodes.count == 2)
    #expect(z.gradFn?.savedValues.map(\.shape) == [[]])
    #expect(
      y.contiguousDoubles() == [0.800000011920929, 1.399999976158142, 3.0, 3.3999998569488525])
    #expect(
      z.contiguousDoubles() == [
        0.24000000953674316, 0.42000001668930054, 0.9000000357627869, 1.0199999809265137,
      ])
    #expect(try o.item() == 0.6449999809265137)
    _ = try o.backward()
    #expect(x.grad?.contiguousDoubles() == [Double](repeating: 0.07500000298023224, count: 4))
    #expect(x.grad?.dtype == .float32)
  }

  @Test func tutorialStepGivesFourAndAHalf() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    for _ in 0..<2 {
      let y = try call("add", .tensor(x), .int(2))
      let z = try call("mul", .tensor(try call("mul", .tensor(y), .tensor(y))), .int(3))
      let out = try call("mean", .tensor(z))
      #expect(try out.item() == 27)
      _ = try out.backward()
    }
    #expect(x.grad?.contiguousDoubles() == [9, 9, 9, 9])
  }

  @Test func integerTensorPlusANumberKeepsThePromotionRules() throws {
    let n = try Tensor(shape: [2], doubles: [1, 2], dtype: .int64)
    #expect(try call("add", .tensor(n), .int(2)).dtype == .int64)
    #expect(try call("mul", .tensor(n), .double(0.5)).dtype == .float32)
    let d = try Tensor(shape: [2], doubles: [1, 2], dtype: .float64)
    #expect(try call("mul", .tensor(d), .double(0.1)).contiguousDoubles() == [0.1, 0.2])
  }

  @Test func createGraphThroughANumberProductRecordsNothingOnConstants() throws {
    // x = torch.tensor([2.], requires_grad=True); (g,) = grad((x * 3).sum(), x, create_graph=True)
    // g == tensor([3.]), g.grad_fn is None (ones * 3: nothing that requires grad)
    let x = try Tensor(shape: [1], doubles: [2], requiresGrad: true)
    let s = try call("sum", .tensor(try call("mul", .tensor(x), .int(3))))
    let g = try Gradients.grad(outputs: [s], inputs: [x], createGraph: true)
    #expect(g.first??.gradFn == nil)
    #expect(g.first??.contiguousDoubles() == [3])
  }
}
