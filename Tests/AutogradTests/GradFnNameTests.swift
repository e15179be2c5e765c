import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

/// Reference §1.2: the grad_fn PyTorch 2.15 gives each expression.
@Suite struct GradFnNameTests {
  let x: Tensor
  let y: Tensor
  let m: Tensor
  let v: Tensor

  init() throws {
    x = try Tensor.rand([2, 3], seed: 1, requiresGrad: true)
    y = try Tensor.rand([2, 3], seed: 2, requiresGrad: true)
    m = try Tensor.rand([3, 2], seed: 3, requiresGrad: true)
    v = try Tensor.rand([3], seed: 4, requiresGrad: true)
  }

  func name(_ o: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:]) throws
    -> String?
  {
    try Ops.call(o, args: args, kwargs: kwargs).tensor?.gradFn?.name
  }

  @Test func arithmetic() throws {
    #expect(try name("add", T(x), T(y)) == "AddBackward0")
    #expect(try name("add", T(x), .int(2)) == "AddBackward0")
    #expect(try name("sub", T(x), .int(2)) == "SubBackward0")
    #expect(try name("rsub", T(x), .int(2)) == "RsubBackward1")
    #expect(try name("mul", T(x), .int(2)) == "MulBackward0")
    #expect(try name("div", T(x), .int(2)) == "DivBackward0")
    let rdiv = try Ops.call("rdiv", args: [T(x), .int(2)]).tensor
    #expect(rdiv?.gradFn?.name == "MulBackward0")
    #expect(rdiv?.gradFn?.nextNodes[0]?.name == "ReciprocalBackward0")
    #expect(try name("neg", T(x)) == "NegBackward0")
    #expect(try name("pow", T(x), .int(2)) == "PowBackward0")
    #expect(try name("pow", T(x), .double(2.5)) == "PowBackward0")
    #expect(try name("pow", T(x), T(y)) == "PowBackward1")
    #expect(try name("pow", T(x), T(Tensor(shape: [], doubles: [2]))) == "PowBackward1")
    #expect(try name("rpow", T(x), .int(2)) == "PowBackward2")
    for (o, n) in [
      ("exp", "ExpBackward0"), ("log", "LogBackward0"), ("sqrt", "SqrtBackward0"),
      ("abs", "AbsBackward0"),
      ("sin", "SinBackward0"), ("cos", "CosBackward0"), ("tanh", "TanhBackward0"),
      ("sigmoid", "SigmoidBackward0"), ("relu", "ReluBackward0"),
    ] {
      #expect(try name(o, T(x)) == n)
    }
    #expect(try name("maximum", T(x), T(y)) == "MaximumBackward0")
    #expect(try name("max", T(x), T(y)) == "MaximumBackward0")
  }

  @Test func reductions() throws {
    #expect(try name("sum", T(x)) == "SumBackward0")
    #expect(try name("sum", T(x), kwargs: ["dim": .int(1)]) == "SumBackward1")
    #expect(try name("sum", T(x), .int(1), .bool(true)) == "SumBackward1")
    #expect(try name("mean", T(x)) == "MeanBackward0")
    #expect(try name("mean", T(x), kwargs: ["dim": .list([.int(0), .int(1)])]) == "MeanBackward1")
    #expect(try name("max", T(x)) == "MaxBackward1")
    #expect(try name("min", T(x)) == "MinBackward1")
    #expect(try name("max", T(x), kwargs: ["dim": .int(1)]) == "MaxBackward0")
    #expect(try name("min", T(x), .int(1), .bool(true)) == "MinBackward0")
    let idx = try Ops.call("argmax", args: [T(x)], kwargs: ["dim": .int(1)]).tensor
    #expect(
      idx?.dtype == .int64 && idx?.gradFn == nil && idx?.requiresGrad == false && idx?.shape == [2])
  }

  @Test func linearAlgebra() throws {
    #expect(try name("dot", T(v), T(v)) == "DotBackward0")
    #expect(try name("matmul", T(v), T(v)) == "DotBackward0")
    #expect(try name("mm", T(x), T(m)) == "MmBackward0")
    #expect(try name("matmul", T(x), T(m)) == "MmBackward0")
    #expect(try name("mv", T(x), T(v)) == "MvBackward0")
    #expect(try name("matmul", T(x), T(v)) == "MvBackward0")
    let w = try Tensor.rand([2], seed: 5, requiresGrad: true)
    let r = try Ops.call("matmul", args: [T(w), T(x)]).tensor
    #expect(r?.gradFn?.name == "SqueezeBackward4")
    #expect(r?.gradFn?.nextNodes[0]?.name == "MmBackward0")
    #expect(r?.gradFn?.nextNodes[0]?.nextNodes[0]?.name == "UnsqueezeBackward0")
    let b = try Tensor.rand([4, 2, 3], seed: 6, requiresGrad: true)
    let bm = try Ops.call("matmul", args: [T(b), T(m)]).tensor
    #expect(bm?.gradFn?.name == "UnsafeViewBackward0" && bm?.shape == [4, 2, 2])
    #expect(bm?.gradFn?.nextNodes[0]?.name == "MmBackward0")
    #expect(bm?.gradFn?.nextNodes[0]?.nextNodes[0]?.name == "ViewBackward0")
    let b2 = try Tensor.rand([4, 3, 5], seed: 7, requiresGrad: true)
    let bb = try Ops.call("matmul", args: [T(b), T(b2)]).tensor
    #expect(bb?.gradFn?.name == "UnsafeViewBackward0" && bb?.shape == [4, 2, 5])
    #expect(bb?.gradFn?.nextNodes[0]?.name == "BmmBackward0")
    #expect(
      bb?.gradFn?.nextNodes[0]?.nextNodes.map { $0?.name } == ["ViewBackward0", "ViewBackward0"])
  }

  @Test func views() throws {
    #expect(try name("t", T(x)) == "TBackward0")
    #expect(try name("transpose", T(x), .int(0), .int(1)) == "TransposeBackward0")
    #expect(try name("permute", T(x), .int(1), .int(0)) == "PermuteBackward0")
    #expect(try name("view", T(x), .int(3), .int(2)) == "ViewBackward0")
    #expect(try name("view", T(x), kwargs: ["shape": .list([.int(-1)])]) == "ViewBackward0")
    #expect(try name("reshape", T(x), .int(6)) == "ViewBackward0")
    let r = try Ops.call("reshape", args: [T(Ops.call("t", args: [T(x)]).tensor!), .int(6)]).tensor
    #expect(r?.gradFn?.name == "UnsafeViewBackward0")
    #expect(r?.gradFn?.nextNodes[0]?.name == "CloneBackward0")
    #expect(r?.gradFn?.nextNodes[0]?.nextNodes[0]?.name == "TBackward0")
    #expect(try name("unsqueeze", T(x), .int(0)) == "UnsqueezeBackward0")
    #expect(try name("squeeze", T(x)) == "SqueezeBackward0")
    #expect(try name("squeeze", T(x), .int(0)) == "SqueezeBackward1")
    #expect(try name("squeeze", T(x), kwargs: ["dim": .list([.int(0)])]) == "SqueezeBackward2")
    #expect(try name("expand", T(v), .int(2), .int(3)) == "ExpandBackward0")
    #expect(try name("clone", T(x)) == "CloneBackward0")
    #expect(try name("cat", .list([T(x), T(y)])) == "CatBackward0")
    #expect(try name("stack", .list([T(x), T(y)])) == "StackBackward0")
    let d = try Ops.call("detach", args: [T(x)]).tensor
    #expect(d?.gradFn == nil && d?.requiresGrad == false && d?.isLeaf == true)
    #expect(try name("contiguous", T(x)) == nil)
  }

  @Test func indexing() throws {
    func idx(_ s: String) throws -> Tensor {
      try Ops.call("getitem", args: [T(x)], kwargs: ["index": .string(s)]).tensor!
    }
    #expect(try idx("0").gradFn?.name == "SelectBackward0")
    #expect(try idx(":, 1").gradFn?.name == "SelectBackward0")
    #expect(try idx(":, 1").gradFn?.nextNodes[0]?.name == "AccumulateGrad")
    #expect(try idx("0, 1").gradFn?.name == "SelectBackward0")
    #expect(try idx("-1").gradFn?.name == "SelectBackward0")
    #expect(try idx("0:1").gradFn?.name == "SliceBackward0")
    #expect(try idx(":").gradFn?.name == "SliceBackward0")
    #expect(try idx("0, ::2").gradFn?.name == "SliceBackward0")
    #expect(try idx("0, 1:3").gradFn?.nextNodes[0]?.name == "SelectBackward0")
    #expect(try idx("1:2, :").gradFn?.nextNodes[0]?.name == "AccumulateGrad")
    #expect(try idx("...").gradFn?.name == "AliasBackward0")
    #expect(try idx(":, :").gradFn?.name == "AliasBackward0")
    #expect(try idx("None").gradFn?.name == "UnsqueezeBackward0")
    #expect(try idx("..., None").gradFn?.name == "UnsqueezeBackward0")
    #expect(try idx("1:3, None").shape == [1, 1, 3])
  }

  @Test func lossesAndSoftmax() throws {
    #expect(try name("softmax", T(x), .int(1)) == "SoftmaxBackward0")
    #expect(try name("log_softmax", T(x), kwargs: ["dim": .int(1)]) == "LogSoftmaxBackward0")
    #expect(try name("mse_loss", T(x), T(y)) == "MseLossBackward0")
    #expect(
      try name("mse_loss", T(x), T(y), kwargs: ["reduction": .string("none")]) == "MseLossBackward0"
    )
    let target = try Tensor(shape: [2], doubles: [0, 2], dtype: .int64)
    #expect(try name("cross_entropy", T(x), T(target)) == "NllLossBackward0")
    #expect(try name("cross_entropy", T(x), T(Tensor.rand([2, 3], seed: 9))) == "DivBackward1")
    #expect(try name("nll_loss", T(x), T(target)) == "NllLossBackward0")
  }

  @Test func leafNextFunctionsAndConstants() throws {
    let r = try Ops.call("add", args: [T(x), .int(2)]).tensor
    let next = r?.gradFn?.nextNodes ?? []
    #expect(next.count == 2 && next[0]?.name == "AccumulateGrad" && next[1] == nil)
    #expect(next[0]?.leafTensor === x)
    let n = try Ops.call("mul", args: [T(x), .int(2)], gradEnabled: false).tensor
    #expect(n?.gradFn == nil && n?.requiresGrad == false && n?.isLeaf == true)
  }

  @Test func seedGraphShape() throws {
    let leaf = try Tensor.ones([2, 2], requiresGrad: true)
    let yy = try Ops.call("add", args: [T(leaf), .int(2)]).tensor!
    let z = try Ops.call("mul", args: [T(Ops.call("mul", args: [T(yy), T(yy)]).tensor!), .int(3)])
      .tensor!
    let out = try Ops.call("mean", args: [T(z)]).tensor!
    let graph = GraphView.of(out)
    #expect(
      graph.nodes.map(\.name) == [
        "MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0", "AccumulateGrad",
      ])
    #expect(graph.nodes[2].saved.map(\.shape) == [[2, 2], [2, 2]])
    #expect(graph.nodes[1].saved.map(\.shape) == [[]])
    try out.backward()
    #expect(GraphView.of(out).nodes[1].saved.map(\.freed) == [true])
    #expect(GraphView.of(out).nodes[2].saved.map(\.freed) == [true, true])
    #expect(graph.nodes.last?.leaf === leaf)
    let ids = graph.nodes.map(\.id)
    #expect(graph.edges.count == 5)
    #expect(graph.edges.filter { $0.from == ids[2] }.map(\.to) == [ids[3], ids[3]])
  }
}
