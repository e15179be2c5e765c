import Testing

@testable import Autograd

/// The engine's fast paths must give exactly what the general paths give: same bits, same graph behaviour.
@Suite struct FastPathTests {
  /// Values that do not round trivially, so a different summation order would show in the bits.
  private func values(_ count: Int, seed: UInt64) -> [Double] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(Int64(bitPattern: state >> 11) % 2_000_003) / 1_000_003 + 0.1
    }
  }

  private func call(_ name: String, _ args: OpArgument...) throws -> Tensor {
    try #require(try Ops.call(name, args: args).tensor)
  }

  @Test(arguments: [DType.float32, .float64])
  func matmulOfTransposedAndSlicedOperandsHasTheBitsOfContiguousCopies(dtype: DType) throws {
    let a = try Tensor(shape: [53, 37], doubles: values(53 * 37, seed: 1), dtype: dtype)
    let b = try Tensor(shape: [29, 53], doubles: values(29 * 53, seed: 2), dtype: dtype)
    let wide = try Tensor(shape: [37, 40], doubles: values(37 * 40, seed: 3), dtype: dtype)
    let at = try Views.t(a, grad: false)  // 37 x 53, column-major
    let bt = try Views.t(b, grad: false)  // 53 x 29, column-major
    let sliced = try Indexing.getitem(wide, Indexing.parse(":, 3:32"), grad: false)  // 37 x 29, ld 40
    let slicedT = try Views.t(sliced, grad: false)  // 29 x 37, column-major with ld 40
    for (x, y) in [(at, bt), (a, sliced), (slicedT, at)] {
      let fast = Kernels.matmul2D(x, y)
      let reference = Kernels.matmul2D(Kernels.contiguousCopy(x), Kernels.contiguousCopy(y))
      #expect(fast.shape == reference.shape)
      #expect(Kernels.doubles(fast) == Kernels.doubles(reference))
    }
  }

  @Test func matmulOfATransposedViewMatchesPyTorch() throws {
    // torch.tensor([[1., 2.], [3., 4.]]) @ torch.tensor([[1., 2.], [3., 4.]]).t() == [[5., 11.], [11., 25.]]
    let m = try Tensor(shape: [2, 2], doubles: [1, 2, 3, 4])
    let product = try LinearAlgebra.mm(m, Views.t(m, grad: false), grad: false)
    #expect(Kernels.doubles(product) == [5, 11, 11, 25])
  }

  @Test func dividingAnExpandedScalarGivesTheSameBitsAsTheGeneralPath() throws {
    let g = try Tensor(shape: [], doubles: [0.7], dtype: .float32)
    let expanded = try Views.expand(g, [3, 2], grad: false)
    let count = Tensor.scalar(6)
    let fast = try Elementwise.div(expanded, count, grad: false)
    let general = try Elementwise.div(Kernels.contiguousCopy(expanded), count, grad: false)
    #expect(fast.dtype == .float32)
    #expect(Kernels.doubles(fast) == Kernels.doubles(general))
    #expect(Kernels.doubles(fast) == [Double](repeating: Double(Float(0.7) / 6), count: 6))
  }

  @Test func gradientsAccumulateInPlaceIntoTheExistingGradTensor() throws {
    // x = torch.ones(2, 2, requires_grad=True); three times (x + 2).mul(x + 2).mul(3).mean().backward()
    // gives x.grad == 4.5 * 3 = 13.5 everywhere, and x.grad stays the same tensor object.
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    var first: Tensor?
    for _ in 0..<3 {
      let y = try call("add", .tensor(x), .int(2))
      let z = try call("mul", .tensor(call("mul", .tensor(y), .tensor(y))), .int(3))
      let out = try call("mean", .tensor(z))
      try out.backward()
      if first == nil { first = x.grad }
    }
    let grad = try #require(x.grad)
    #expect(grad === first)
    #expect(Kernels.doubles(grad) == [13.5, 13.5, 13.5, 13.5])
  }

  @Test func aResolvedOpBehavesAsCallByName() throws {
    let add = try Ops.op("add")
    let x = try Tensor(shape: [2], doubles: [1, 2], requiresGrad: true)
    let byHandle = try #require(try add.call(args: [.tensor(x), .double(0.5)]).tensor)
    let byName = try call("add", .tensor(x), .double(0.5))
    #expect(Kernels.doubles(byHandle) == Kernels.doubles(byName))
    #expect(byHandle.gradFn?.name == "AddBackward0")
    #expect(throws: AutogradError.self) { try Ops.op("no_such_op") }
    #expect(throws: AutogradError.self) {
      try add.call(args: [.tensor(x)], kwargs: ["beta": .int(1)])
    }
  }

  @Test func aGraphRunsAgainWithRetainGraphAndFreshSchedulerState() throws {
    // y = (x * x).sum(); y.backward(retain_graph=True) twice: x.grad == 4 * x; then grad() gives 2 * x.
    let x = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .float64, requiresGrad: true)
    let y = try Reductions.sum(Elementwise.mul(x, x, grad: true), dims: nil, grad: true)
    try y.backward(retainGraph: true)
    try y.backward(retainGraph: true)
    #expect(Kernels.doubles(try #require(x.grad)) == [4, 8, 12])
    let g = try Gradients.grad(outputs: [y], inputs: [x])
    #expect(Kernels.doubles(try #require(g[0])) == [2, 4, 6])
    #expect(Kernels.doubles(try #require(x.grad)) == [4, 8, 12])
  }
}
