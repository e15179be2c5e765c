import Foundation
import Testing

@testable import Autograd

/// create_graph: the recorded backward is itself differentiated; checked against finite differences of the
/// first gradient (float64).
@Suite struct SecondOrderTests {
  static let names: [String] = [
    "pow tensor [[2, 3], [3]]", "div [[2, 3], [3]]", "mul [[2, 1], [1, 3]]", "exp", "log", "sqrt",
    "tanh", "sigmoid",
    "sin", "cos", "reciprocal", "pow 3", "pow 2.5", "rpow", "sum dims keepdim", "mean dim", "max",
    "max dim", "mm",
    "mv", "dot", "matmul 3x3", "matmul 1x2", "transpose", "reshape non-contiguous", "expand",
    "getitem mixed",
    "cat dim 1", "stack", "softmax", "log_softmax", "mse_loss", "cross_entropy",
    "cross_entropy probabilities",
    "in-place through view", "setitem", "setitem broadcast slice", "copy_ and fill_",
    "in-place chain", "silu",
  ]

  @Test(arguments: names)
  func secondDerivativeMatchesFiniteDifferences(_ name: String) throws {
    guard let c = gradCases.first(where: { $0.label == name }) else {
      Issue.record("no case \(name)")
      return
    }
    var rng = SystemRandomNumberGenerator()
    let inputs = try c.shapes.map { shape in
      let n = shape.reduce(1, *)
      let values = (0..<n).map { _ in Double.random(in: c.low..<c.high, using: &rng) }
      return try Tensor(shape: shape, doubles: values, dtype: .float64, requiresGrad: true)
    }
    let out = try c.f(inputs)
    let w = try Tensor(
      shape: out.shape,
      doubles: (0..<out.numel).map { _ in Double.random(in: 0.5..<1.5, using: &rng) },
      dtype: .float64)
    // Scalar function of the inputs: s(x) = <grad_x <out, w>, v>.
    func firstGrads(_ xs: [Tensor], create: Bool) throws -> [Tensor?] {
      let o = try c.f(xs)
      return try Gradients.grad(
        outputs: [o], inputs: xs, gradOutputs: [w], createGraph: create, allowUnused: true)
    }
    let vs = try inputs.map { x in
      try Tensor(
        shape: x.shape,
        doubles: (0..<x.numel).map { _ in Double.random(in: 0.5..<1.5, using: &rng) },
        dtype: .float64)
    }
    _ = out
    let g1 = try firstGrads(inputs, create: true)
    var terms: [Tensor] = []
    for (g, v) in zip(g1, vs) {
      guard let g, g.requiresGrad else { continue }
      terms.append(
        try Ops.call(
          "sum", args: [.tensor(Ops.call("mul", args: [.tensor(g), .tensor(v)]).tensor!)]
        ).tensor!)
    }
    guard var s = terms.first else { return }  // linear op: second derivative is zero everywhere
    for t in terms.dropFirst() { s = try Ops.call("add", args: [.tensor(s), .tensor(t)]).tensor! }
    let analytic = try Gradients.grad(outputs: [s], inputs: inputs, allowUnused: true)
    let eps = 1e-5
    for (k, input) in inputs.enumerated() {
      let base = input.contiguousDoubles()
      for i in 0..<base.count {
        func evaluate(_ delta: Double) throws -> Double {
          var shifted = base
          shifted[i] += delta
          let probe = try inputs.indices.map { j in
            j == k
              ? try Tensor(
                shape: input.shape, doubles: shifted, dtype: .float64, requiresGrad: true)
              : try Tensor(
                shape: inputs[j].shape, doubles: inputs[j].contiguousDoubles(), dtype: .float64,
                requiresGrad: true)
          }
          let grads = try firstGrads(probe, create: false)
          var total = 0.0
          for (g, v) in zip(grads, vs) {
            guard let g else { continue }
            total += zip(g.contiguousDoubles(), v.contiguousDoubles()).reduce(0) {
              $0 + $1.0 * $1.1
            }
          }
          return total
        }
        let numeric = (try evaluate(eps) - evaluate(-eps)) / (2 * eps)
        let value = analytic[k]?.contiguousDoubles()[i] ?? 0
        #expect(
          abs(value - numeric) <= 1e-4 * max(1, abs(numeric)),
          "\(name) input \(k)[\(i)]: \(value) vs \(numeric)")
      }
    }
  }
}
