import Foundation
import Testing

@testable import Autograd

/// A float64 finite-difference check of every differentiable op, including broadcasting, 0-d and size-1 dims.
struct GradCase: CustomStringConvertible, Sendable {
  let label: String
  let shapes: [[Int]]
  /// Inputs drawn from [low, high) (away from kinks where an op needs it).
  var low = -2.0
  var high = 2.0
  let f: @Sendable ([Tensor]) throws -> Tensor
  var description: String { label }
}

private func o(_ name: String, _ args: [OpArgument], _ kwargs: [String: OpArgument] = [:]) throws
  -> Tensor
{
  try op(name, args: args, kwargs: kwargs)
}

private func op(_ name: String, args: [OpArgument], kwargs: [String: OpArgument]) throws -> Tensor {
  guard let t = try Ops.call(name, args: args, kwargs: kwargs, gradEnabled: true).tensor else {
    throw AutogradError(.invalidOp, "no tensor")
  }
  return t
}

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

let gradCases: [GradCase] = {
  var cases: [GradCase] = []
  let binaryShapes: [[[Int]]] = [
    [[2, 3], [2, 3]], [[2, 3], [3]], [[2, 1], [1, 3]], [[2, 3], []], [[], [4]],
  ]
  for name in ["add", "sub", "mul", "maximum", "minimum"] {
    for s in binaryShapes {
      cases.append(
        GradCase(label: "\(name) \(s)", shapes: s) { x in try o(name, [T(x[0]), T(x[1])]) })
    }
  }
  for s in binaryShapes {
    cases.append(
      GradCase(label: "div \(s)", shapes: s, low: 0.5, high: 2) { x in
        try o("div", [T(x[0]), T(x[1])])
      })
    cases.append(
      GradCase(label: "pow tensor \(s)", shapes: s, low: 0.5, high: 2) { x in
        try o("pow", [T(x[0]), T(x[1])])
      })
  }
  cases += [
    GradCase(label: "add alpha", shapes: [[3], [3]]) { x in
      try o("add", [T(x[0]), T(x[1])], ["alpha": .double(2.5)])
    },
    GradCase(label: "add scalar", shapes: [[2, 2]]) { x in try o("add", [T(x[0]), .int(2)]) },
    GradCase(label: "rsub", shapes: [[3]]) { x in try o("rsub", [T(x[0]), .double(2)]) },
    GradCase(label: "rdiv", shapes: [[3]], low: 0.5, high: 2) { x in
      try o("rdiv", [T(x[0]), .double(2)])
    },
    GradCase(label: "rpow", shapes: [[3]]) { x in try o("rpow", [T(x[0]), .double(2)]) },
    GradCase(label: "pow 3", shapes: [[2, 2]]) { x in try o("pow", [T(x[0]), .int(3)]) },
    GradCase(label: "pow 2.5", shapes: [[3]], low: 0.5, high: 2) { x in
      try o("pow", [T(x[0]), .double(2.5)])
    },
    GradCase(label: "pow 0", shapes: [[3]]) { x in try o("pow", [T(x[0]), .int(0)]) },
    GradCase(label: "clamp", shapes: [[6]]) { x in
      try o("clamp", [T(x[0])], ["min": .double(-0.5), "max": .double(0.7)])
    },
  ]
  for name in [
    "neg", "exp", "sin", "cos", "tanh", "sigmoid", "abs", "relu", "square", "tan", "expm1", "silu",
    "softplus", "gelu",
  ] {
    cases.append(GradCase(label: name, shapes: [[2, 3]]) { x in try o(name, [T(x[0])]) })
    cases.append(GradCase(label: "\(name) 0-d", shapes: [[]]) { x in try o(name, [T(x[0])]) })
  }
  for name in ["log", "sqrt", "reciprocal", "log1p", "rsqrt"] {
    cases.append(
      GradCase(label: name, shapes: [[2, 3]], low: 0.5, high: 2) { x in try o(name, [T(x[0])]) })
  }
  cases += [
    GradCase(label: "sum", shapes: [[2, 3]]) { x in try o("sum", [T(x[0])]) },
    GradCase(label: "sum dim", shapes: [[2, 3, 4]]) { x in try o("sum", [T(x[0])], ["dim": .int(1)])
    },
    GradCase(label: "sum dims keepdim", shapes: [[2, 3, 4]]) { x in
      try o("sum", [T(x[0])], ["dim": .list([.int(0), .int(-1)]), "keepdim": .bool(true)])
    },
    GradCase(label: "sum 0-d", shapes: [[]]) { x in try o("sum", [T(x[0])]) },
    GradCase(label: "mean", shapes: [[2, 3]]) { x in try o("mean", [T(x[0])]) },
    GradCase(label: "mean dim", shapes: [[2, 3]]) { x in try o("mean", [T(x[0]), .int(1)]) },
    GradCase(label: "mean dim keepdim", shapes: [[2, 3]]) { x in
      try o("mean", [T(x[0]), .int(0), .bool(true)])
    },
    GradCase(label: "max", shapes: [[2, 3]]) { x in try o("max", [T(x[0])]) },
    GradCase(label: "min", shapes: [[2, 3]]) { x in try o("min", [T(x[0])]) },
    GradCase(label: "max dim", shapes: [[3, 4]]) { x in try o("max", [T(x[0])], ["dim": .int(1)]) },
    GradCase(label: "min dim keepdim", shapes: [[3, 4]]) { x in
      try o("min", [T(x[0]), .int(0), .bool(true)])
    },
    GradCase(label: "logsumexp", shapes: [[3, 4]]) { x in try o("logsumexp", [T(x[0]), .int(1)]) },
    GradCase(label: "amax", shapes: [[3, 4]]) { x in
      try o("amax", [T(x[0])], ["dim": .int(0), "keepdim": .bool(true)])
    },
    GradCase(label: "where", shapes: [[4], [4]]) { x in
      try o(
        "where", [T(Tensor(shape: [4], doubles: [1, 0, 0, 1], dtype: .bool)), T(x[0]), T(x[1])])
    },
    GradCase(label: "outer", shapes: [[3], [2]]) { x in try o("outer", [T(x[0]), T(x[1])]) },
    GradCase(label: "dot", shapes: [[4], [4]]) { x in try o("dot", [T(x[0]), T(x[1])]) },
    GradCase(label: "mm", shapes: [[2, 3], [3, 4]]) { x in try o("mm", [T(x[0]), T(x[1])]) },
    GradCase(label: "mm transposed", shapes: [[3, 2], [3, 4]]) { x in
      try o("mm", [T(o("t", [T(x[0])])), T(x[1])])
    },
    GradCase(label: "mv", shapes: [[2, 3], [3]]) { x in try o("mv", [T(x[0]), T(x[1])]) },
    GradCase(label: "matmul 1x2", shapes: [[3], [3, 2]]) { x in try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul 3x2", shapes: [[2, 2, 3], [3, 2]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul 3x3", shapes: [[2, 2, 3], [2, 3, 4]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul broadcast batch", shapes: [[2, 1, 2, 3], [3, 3, 2]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul 2x3", shapes: [[2, 3], [2, 3, 4]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul 1x3", shapes: [[3], [2, 3, 4]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "matmul 3x1", shapes: [[2, 2, 3], [3]]) { x in
      try o("matmul", [T(x[0]), T(x[1])])
    },
    GradCase(label: "t", shapes: [[2, 3]]) { x in try o("mul", [T(o("t", [T(x[0])])), T(x[1])]) }
      .with(shapes: [[2, 3], [3, 2]]),
    GradCase(label: "transpose", shapes: [[2, 3, 4], [4, 3, 2]]) { x in
      try o("mul", [T(o("transpose", [T(x[0]), .int(0), .int(-1)])), T(x[1])])
    },
    GradCase(label: "permute", shapes: [[2, 3, 4], [4, 2, 3]]) { x in
      try o("mul", [T(o("permute", [T(x[0]), .int(2), .int(0), .int(1)])), T(x[1])])
    },
    GradCase(label: "view", shapes: [[2, 3], [3, 2]]) { x in
      try o("mul", [T(o("view", [T(x[0]), .int(3), .int(-1)])), T(x[1])])
    },
    GradCase(label: "reshape non-contiguous", shapes: [[2, 3], [6]]) { x in
      try o("mul", [T(o("reshape", [T(o("t", [T(x[0])]))], ["shape": .list([.int(6)])])), T(x[1])])
    },
    GradCase(label: "squeeze", shapes: [[2, 1, 3], [2, 3]]) { x in
      try o("mul", [T(o("squeeze", [T(x[0])])), T(x[1])])
    },
    GradCase(label: "unsqueeze", shapes: [[2, 3], [2, 1, 3]]) { x in
      try o("mul", [T(o("unsqueeze", [T(x[0]), .int(1)])), T(x[1])])
    },
    GradCase(label: "expand", shapes: [[3, 1], [3, 4]]) { x in
      try o("mul", [T(o("expand", [T(x[0]), .int(3), .int(4)])), T(x[1])])
    },
    GradCase(label: "expand new dims", shapes: [[3], [2, 3]]) { x in
      try o("mul", [T(o("expand", [T(x[0])], ["shape": .list([.int(2), .int(-1)])])), T(x[1])])
    },
    GradCase(label: "getitem select", shapes: [[3, 4], [4]]) { x in
      try o("mul", [T(o("getitem", [T(x[0])], ["index": .string("1")])), T(x[1])])
    },
    GradCase(label: "getitem mixed", shapes: [[3, 4, 5]]) { x in
      try o("getitem", [T(x[0])], ["index": .string("-1, 1:3, ::2")])
    },
    GradCase(label: "getitem ellipsis none", shapes: [[3, 4]]) { x in
      try o("getitem", [T(x[0])], ["index": .string("..., None, 2")])
    },
    GradCase(label: "clone", shapes: [[3]]) { x in try o("clone", [T(x[0])]) },
    GradCase(label: "cat", shapes: [[2, 3], [1, 3]]) { x in
      try o("cat", [.list([T(x[0]), T(x[1])])])
    },
    GradCase(label: "cat dim 1", shapes: [[2, 3], [2, 2]]) { x in
      try o("cat", [.list([T(x[0]), T(x[1])])], ["dim": .int(1)])
    },
    GradCase(label: "stack", shapes: [[2, 3], [2, 3]]) { x in
      try o("stack", [.list([T(x[0]), T(x[1])]), .int(1)])
    },
    GradCase(label: "softmax", shapes: [[2, 4], [2, 4]]) { x in
      try o("mul", [T(o("softmax", [T(x[0]), .int(1)])), T(x[1])])
    },
    GradCase(label: "softmax dim 0", shapes: [[3, 2], [3, 2]]) { x in
      try o("mul", [T(o("softmax", [T(x[0])], ["dim": .int(0)])), T(x[1])])
    },
    GradCase(label: "log_softmax", shapes: [[2, 4], [2, 4]]) { x in
      try o("mul", [T(o("log_softmax", [T(x[0]), .int(-1)])), T(x[1])])
    },
    GradCase(label: "mse_loss", shapes: [[2, 3], [2, 3]]) { x in
      try o("mse_loss", [T(x[0]), T(x[1])])
    },
    GradCase(label: "mse_loss sum", shapes: [[3], [3]]) { x in
      try o("mse_loss", [T(x[0]), T(x[1])], ["reduction": .string("sum")])
    },
    GradCase(label: "mse_loss none", shapes: [[3], [3]]) { x in
      try o("mse_loss", [T(x[0]), T(x[1])], ["reduction": .string("none")])
    },
    GradCase(label: "cross_entropy", shapes: [[3, 4]]) { x in
      try o(
        "cross_entropy", [T(x[0]), T(try Tensor(shape: [3], doubles: [0, 3, 1], dtype: .int64))])
    },
    GradCase(label: "cross_entropy none", shapes: [[3, 4]]) { x in
      try o(
        "cross_entropy", [T(x[0]), T(try Tensor(shape: [3], doubles: [0, 3, 1], dtype: .int64))],
        ["reduction": .string("none")])
    },
    GradCase(label: "cross_entropy 1-D", shapes: [[4]]) { x in
      try o("cross_entropy", [T(x[0]), T(try Tensor(shape: [], doubles: [2], dtype: .int64))])
    },
    GradCase(label: "cross_entropy probabilities", shapes: [[2, 3], [2, 3]], low: 0.1, high: 1) {
      x in
      try o("cross_entropy", [T(x[0]), T(x[1])])
    },
    GradCase(label: "in-place mul_ on clone", shapes: [[3], [3]]) { x in
      try o("mul_", [T(o("clone", [T(x[0])])), T(x[1])])
    },
    GradCase(label: "in-place chain", shapes: [[3], [3]]) { x in
      let z = try o("mul", [T(x[0]), .int(1)])
      _ = try o("add_", [T(z), T(x[1])], ["alpha": .int(2)])
      _ = try o("mul_", [T(z), .int(3)])
      _ = try o("neg_", [T(z)])
      _ = try o("tanh_", [T(z)])
      return z
    },
    GradCase(label: "in-place through view", shapes: [[2, 2], [2]]) { x in
      let z = try o("clone", [T(x[0])])
      _ = try o("mul_", [T(o("getitem", [T(z)], ["index": .string("0")])), T(x[1])])
      return z
    },
    GradCase(label: "setitem", shapes: [[2, 3], [3]]) { x in
      let z = try o("mul", [T(x[0]), .int(2)])
      _ = try o("setitem", [T(z), T(x[1])], ["index": .string("1")])
      return try o("mul", [T(z), T(z)])
    },
    GradCase(label: "setitem broadcast slice", shapes: [[4], []]) { x in
      let z = try o("clone", [T(x[0])])
      _ = try o("setitem", [T(z), T(x[1])], ["index": .string("1:3")])
      return try o("exp", [T(z)])
    },
    GradCase(label: "copy_ and fill_", shapes: [[3], [3]]) { x in
      let z = try o("mul", [T(x[0]), T(x[0])])
      let w = try o("clone", [T(x[1])])
      _ = try o("fill_", [T(o("getitem", [T(w)], ["index": .string("0")])), .double(3)])
      _ = try o(
        "copy_",
        [
          T(o("getitem", [T(z)], ["index": .string("1:")])),
          T(o("getitem", [T(w)], ["index": .string(":2")])),
        ])
      return z
    },
  ]
  return cases
}()

extension GradCase {
  func with(shapes: [[Int]]) -> GradCase {
    var c = GradCase(label: label, shapes: shapes, f: f)
    c.low = low
    c.high = high
    return c
  }
}

@Suite struct GradientCheckTests {
  @Test(arguments: gradCases)
  func analyticGradientMatchesFiniteDifferences(_ c: GradCase) throws {
    var rng = SystemRandomNumberGenerator()
    let inputs = try c.shapes.map { shape in
      let n = shape.reduce(1, *)
      let values = (0..<n).map { _ in Double.random(in: c.low..<c.high, using: &rng) }
      return try Tensor(shape: shape, doubles: values, dtype: .float64, requiresGrad: true)
    }
    let out = try c.f(inputs)
    let weights = (0..<out.numel).map { _ in Double.random(in: 0.5..<1.5, using: &rng) }
    let w = try Tensor(shape: out.shape, doubles: weights, dtype: .float64)
    let grads = try Gradients.grad(
      outputs: [out], inputs: inputs, gradOutputs: [w], allowUnused: true)
    let eps = 1e-6
    for (k, input) in inputs.enumerated() {
      let base = input.contiguousDoubles()
      var numeric = [Double](repeating: 0, count: base.count)
      for i in 0..<base.count {
        func evaluate(_ delta: Double) throws -> Double {
          var shifted = base
          shifted[i] += delta
          let probe = try c.shapes.indices.map { j in
            j == k
              ? try Tensor(shape: input.shape, doubles: shifted, dtype: .float64)
              : inputs[j].detach()
          }
          let y = try c.f(probe).contiguousDoubles()
          return zip(y, weights).reduce(0) { $0 + $1.0 * $1.1 }
        }
        numeric[i] = (try evaluate(eps) - evaluate(-eps)) / (2 * eps)
      }
      let analytic = grads[k]?.contiguousDoubles() ?? [Double](repeating: 0, count: base.count)
      #expect(
        grads[k].map { $0.shape == input.shape } ?? true, "\(c.label): grad shape of input \(k)")
      #expect(
        approx(analytic, numeric, tol: 1e-5), "\(c.label) input \(k): \(analytic) vs \(numeric)")
    }
  }
}
