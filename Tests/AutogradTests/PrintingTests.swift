import Testing

@testable import Autograd

@Suite struct TensorDescriptionTests {
  @Test func printsLikePyTorch() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    #expect(x.description == "tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)")
    let y = try op("add", .tensor(x), .int(2))
    #expect(y.description == "tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)")
    let out = try op(
      "mean", .tensor(op("mul", .tensor(op("mul", .tensor(y), .tensor(y))), .int(3))))
    #expect(out.description == "tensor(27., grad_fn=<MeanBackward0>)")
    try out.backward()
    #expect(x.grad?.description == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])")
    let d = try Tensor(shape: [], doubles: [4], dtype: .float64, requiresGrad: true)
    #expect(
      try op("mul", .tensor(d), .int(1)).description
        == "tensor(4., dtype=torch.float64, grad_fn=<MulBackward0>)")
    let regex = /^<AddBackward0 object at 0x[0-9a-f]+>$/
    #expect(y.gradFn.map { $0.description.wholeMatch(of: regex) != nil } == true)
  }
}
