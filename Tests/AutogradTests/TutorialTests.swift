import Testing

@testable import Autograd

func op(
  _ name: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:], grad: Bool = true
) throws -> Tensor {
  guard let t = try Ops.call(name, args: args, kwargs: kwargs, gradEnabled: grad).tensor else {
    throw AutogradError(.invalidOp, "no tensor")
  }
  return t
}

func values(_ t: Tensor?) -> [Double] { t?.contiguousDoubles() ?? [] }

func approx(_ a: [Double], _ b: [Double], tol: Double = 1e-4) -> Bool {
  a.count == b.count
    && zip(a, b).allSatisfy { x, y in x == y || abs(x - y) <= tol * max(1, abs(y)) }
}

@Suite struct TutorialTests {
  @Test func seedGraphGivesFourPointFive() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    #expect(x.gradFn == nil && x.isLeaf)
    let y = try op("add", .tensor(x), .int(2))
    #expect(y.gradFn?.name == "AddBackward0")
    #expect(values(y) == [3, 3, 3, 3])
    #expect(x.isLeaf && !y.isLeaf)
    let z = try op("mul", .tensor(op("mul", .tensor(y), .tensor(y))), .int(3))
    let out = try op("mean", .tensor(z))
    #expect(z.gradFn?.name == "MulBackward0")
    #expect(out.gradFn?.name == "MeanBackward0")
    #expect(values(z) == [27, 27, 27, 27] && values(out) == [27])
    try out.backward()
    #expect(values(x.grad) == [4.5, 4.5, 4.5, 4.5])
    #expect(throws: AutogradError.backwardTwice) { try out.backward() }
    try op("sum", .tensor(x)).backward()
    #expect(values(x.grad) == [5.5, 5.5, 5.5, 5.5])
    try x.zeroGrad()
    try op("sum", .tensor(x)).backward()
    #expect(values(x.grad) == [1, 1, 1, 1])
  }

  @Test func viewBackwardWithWeights() throws {
    let x = try Tensor(shape: [4], doubles: [1, 2, 3, 4], requiresGrad: true)
    let y = try op("mul", .int(2), .tensor(x))
    let z = try op("view", .tensor(y), .int(2), .int(2))
    #expect(z.gradFn?.name == "ViewBackward0")
    #expect(values(z) == [2, 4, 6, 8])
    let w = try Tensor(shape: [2, 2], doubles: [1.0, 0.1, 0.01, 0.001])
    try z.backward(gradient: w)
    #expect(values(x.grad) == [2.0, Double(Float(0.2)), Double(Float(0.02)), Double(Float(0.002))])
  }

  @Test func noGradResultsAreUntracked() throws {
    let x = try Tensor(shape: [], doubles: [1], requiresGrad: true)
    let y1 = try op("pow", .tensor(x), .int(2))
    let y2 = try op("pow", .tensor(x), .int(3), grad: false)
    let y3 = try op("add", .tensor(y1), .tensor(y2))
    #expect(y1.gradFn?.name == "PowBackward0" && y1.requiresGrad)
    #expect(y2.gradFn == nil && !y2.requiresGrad && y2.isLeaf)
    #expect(y3.gradFn?.name == "AddBackward0" && values(y3) == [2])
    try y3.backward()
    #expect(values(x.grad) == [2])
    #expect(
      throws: AutogradError(
        .noGradFn, "element 0 of tensors does not require grad and does not have a grad_fn")
    ) {
      try y2.backward()
    }
  }

  @Test func dataReplacementIsInvisibleToAutograd() throws {
    let x = try Tensor.ones([1], requiresGrad: true)
    let y = try op("mul", .int(2), .tensor(x))
    _ = try op("mul_", .tensor(x.data), .int(100))
    #expect(values(x) == [100] && x.version == 0)
    try y.backward()
    #expect(values(x.grad) == [2])
  }

  @Test func setitemBuildsCopySlices() throws {
    let x1 = try Tensor(shape: [], doubles: [1], requiresGrad: true)
    let x2 = try Tensor(shape: [], doubles: [2], requiresGrad: true)
    let x3 = try Tensor(shape: [], doubles: [3], requiresGrad: true)
    let y = try Tensor(shape: [3], doubles: [-0.2626, 1.3613, 0.4917])
    func t(_ v: Tensor) -> OpArgument { .tensor(v) }
    let v0 = try op(
      "add", t(op("add", t(op("pow", t(x1), .int(2))), t(op("mul", .int(2), t(x2))))), t(x3))
    _ = try op("setitem", t(y), t(v0), kwargs: ["index": .string("0")])
    #expect(y.gradFn?.name == "CopySlices")
    #expect(approx(values(y), [8, 1.3613, 0.4917]))
    let v1 = try op(
      "add", t(op("add", t(x1), t(op("pow", t(x2), .int(3))))), t(op("pow", t(x3), .int(2))))
    _ = try op("setitem", t(y), t(v1), kwargs: ["index": .string("1")])
    let v2 = try op(
      "add", t(op("add", t(op("mul", .int(2), t(x1))), t(op("pow", t(x2), .int(2))))),
      t(op("pow", t(x3), .int(3))))
    _ = try op("setitem", t(y), t(v2), kwargs: ["index": .string("2")])
    #expect(values(y) == [8, 18, 33])
    #expect(!y.isLeaf && y.requiresGrad && y.version == 3)
    try y.backward(gradient: Tensor.ones([3]))
    #expect(values(x1.grad) == [5] && values(x2.grad) == [18] && values(x3.grad) == [34])
  }
}

@Suite struct TutorialExperimentTests {
  @Test func experimentTwoDotProduct() throws {
    let x = try Tensor(shape: [3], doubles: [-0.6103, 0.2401, -0.5577], requiresGrad: true)
    let y = try Tensor(shape: [3], doubles: [0.9066, 0.2731, 1.2899], requiresGrad: true)
    let z = try Tensor(shape: [3], doubles: [1.3269, -2.0241, -0.8399], requiresGrad: true)
    #expect(x.description == "tensor([-0.6103,  0.2401, -0.5577], requires_grad=True)")
    let t = try op("add", .tensor(x), .tensor(y))
    let l = try op("dot", .tensor(t), .tensor(z))
    #expect(t.description == "tensor([0.2963, 0.5132, 0.7322], grad_fn=<AddBackward0>)")
    #expect(l.description == "tensor(-1.2606, grad_fn=<DotBackward0>)")
    #expect(try l.item() == Double(Float(-1.2605824)))
    try l.backward(retainGraph: true)
    #expect(
      values(x.grad) == values(z) && values(y.grad) == values(z) && values(z.grad) == values(t))
    try x.zeroGrad()
    try y.zeroGrad()
    try z.zeroGrad()
    try t.backward(gradient: z)
    #expect(x.grad?.description == "tensor([ 1.3269, -2.0241, -0.8399])")
    #expect(values(y.grad) == values(z) && values(z.grad) == [0, 0, 0])
  }

  @Test func jacobianOneWeightedBackward() throws {
    let x = try Tensor(shape: [3], doubles: [-1.5383, -0.2821, -0.2916], requiresGrad: true)
    let y = try op("pow", .tensor(x), .int(2))
    try y.backward(gradient: Tensor.ones([3]))
    #expect(x.grad?.description == "tensor([-3.0766, -0.5642, -0.5832])")
    #expect(x.description == "tensor([-1.5383, -0.2821, -0.2916], requires_grad=True)")
  }

  @Test func exampleOneWithOnesWeight() throws {
    let x = try Tensor(shape: [4], doubles: [1, 2, 3, 4], requiresGrad: true)
    let z = try op(
      "view", .tensor(op("mul", .int(2), .tensor(x))), kwargs: ["shape": .list([.int(2), .int(2)])])
    #expect(z.description == "tensor([[2., 4.],\n        [6., 8.]], grad_fn=<ViewBackward0>)")
    try z.backward(gradient: Tensor.ones([2, 2]))
    #expect(x.grad?.description == "tensor([2., 2., 2., 2.])")
  }
}
