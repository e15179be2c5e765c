import CKernels
import Foundation

/// Elementwise ops: forward, saved values, backward formula and grad_fn name side by side.
enum Elementwise {
  enum Saves { case nothing, input, result }

  struct Unary: Sendable {
    let name: String
    /// int64 inputs keep int64 (neg, abs, relu); other ops compute in the default float dtype.
    let keepsInt: Bool
    let saves: Saves
    let forward: @Sendable (Double) -> Double
    /// `(grad, saved input or result, record) -> input gradient`.
    let backward: @Sendable (Tensor, Tensor?, Bool) throws(AutogradError) -> Tensor
  }

  static let unaryOps: [String: Unary] = [
    "neg": Unary(name: "NegBackward0", keepsInt: true, saves: .nothing, forward: { -$0 }) {
      g, _, c throws(AutogradError) in try F.neg(g, c)
    },
    "exp": Unary(name: "ExpBackward0", keepsInt: false, saves: .result, forward: Foundation.exp) {
      g, r, c throws(AutogradError) in try F.mul(g, r!, c)
    },
    "log": Unary(name: "LogBackward0", keepsInt: false, saves: .input, forward: Foundation.log) {
      g, x, c throws(AutogradError) in try F.div(g, x!, c)
    },
    "sqrt": Unary(
      name: "SqrtBackward0", keepsInt: false, saves: .result, forward: { $0.squareRoot() }
    ) {
      g, r, c throws(AutogradError) in try F.div(g, F.mul(r!, Tensor.scalar(2), c), c)
    },
    "abs": Unary(name: "AbsBackward0", keepsInt: true, saves: .input, forward: { Swift.abs($0) }) {
      g, x, c throws(AutogradError) in
      // grad * sgn(x): under create_graph sgn is recorded too, so the result requires grad as PyTorch's does.
      if c { return try F.mul(g, Elementwise.unary("sign", x!, grad: c), c) }
      return try F.mul(g, F.constant(x!) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, c)
    },
    "sin": Unary(name: "SinBackward0", keepsInt: false, saves: .input, forward: Foundation.sin) {
      g, x, c throws(AutogradError) in try F.mul(g, Elementwise.unary("cos", x!, grad: c), c)
    },
    "cos": Unary(name: "CosBackward0", keepsInt: false, saves: .input, forward: Foundation.cos) {
      g, x, c throws(AutogradError) in
      try F.mul(g, F.neg(Elementwise.unary("sin", x!, grad: c), c), c)
    },
    "tanh": Unary(name: "TanhBackward0", keepsInt: false, saves: .result, forward: Foundation.tanh)
    {
      g, r, c throws(AutogradError) in
      // tanh_backward: g * (1 - y * y), where the compiler fused 1 - y * y into one multiply-add.
      try DoubleBackward.tanh(g, r!, grad: c)
    },
    "sigmoid": Unary(
      name: "SigmoidBackward0", keepsInt: false, saves: .result,
      forward: { 1 / (1 + Foundation.exp(-$0)) }
    ) {
      g, r, c throws(AutogradError) in try DoubleBackward.sigmoid(g, r!, grad: c)
    },
    "relu": Unary(
      name: "ReluBackward0", keepsInt: true, saves: .result,
      forward: { $0 < 0 ? 0 : $0 }  // keeps -0.0 and NaN, as PyTorch's relu
    ) {
      // threshold_backward(grad, result, 0): zero where result <= 0, the gradient elsewhere (also for NaN).
      g, r, c throws(AutogradError) in try DoubleBackward.threshold(g, r!, grad: c)
    },
    "reciprocal": Unary(
      name: "ReciprocalBackward0", keepsInt: false, saves: .result, forward: { 1 / $0 }
    ) {
      g, r, c throws(AutogradError) in try F.mul(F.neg(g, c), F.mul(r!, r!, c), c)
    },
    "square": Unary(name: "PowBackward0", keepsInt: true, saves: .input, forward: { $0 * $0 }) {
      g, x, c throws(AutogradError) in try F.mul(g, F.mul(x!, Tensor.scalar(2), c), c)
    },
    "tan": Unary(name: "TanBackward0", keepsInt: false, saves: .result, forward: Foundation.tan) {
      g, r, c throws(AutogradError) in try F.mul(g, F.add(F.mul(r!, r!, c), Tensor.scalar(1), c), c)
    },
    "log1p": Unary(
      name: "Log1PBackward0", keepsInt: false, saves: .input, forward: Foundation.log1p
    ) {
      g, x, c throws(AutogradError) in try F.div(g, F.add(x!, Tensor.scalar(1), c), c)
    },
    "expm1": Unary(
      name: "Expm1Backward0", keepsInt: false, saves: .result, forward: Foundation.expm1
    ) {
      g, r, c throws(AutogradError) in try F.mul(g, F.add(r!, Tensor.scalar(1), c), c)
    },
    "rsqrt": Unary(
      name: "RsqrtBackward0", keepsInt: false, saves: .result, forward: { 1 / $0.squareRoot() }
    ) {
      // -0.5 * grad * result.pow(3), in this order.
      g, r, c throws(AutogradError) in
      try F.mul(F.mul(g, Tensor.scalar(-0.5), c), F.mul(F.mul(r!, r!, c), r!, c), c)
    },
    "sign": Unary(
      name: "SignBackward0", keepsInt: true, saves: .nothing,
      forward: { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    ) {
      g, _, _ throws(AutogradError) in F.zeros(like: g)
    },
    "floor": Unary(
      name: "FloorBackward0", keepsInt: true, saves: .nothing, forward: { $0.rounded(.down) }
    ) {
      g, _, _ throws(AutogradError) in F.zeros(like: g)
    },
    "ceil": Unary(
      name: "CeilBackward0", keepsInt: true, saves: .nothing, forward: { $0.rounded(.up) }
    ) {
      g, _, _ throws(AutogradError) in F.zeros(like: g)
    },
    "round": Unary(
      name: "RoundBackward0", keepsInt: true, saves: .nothing,
      forward: { $0.rounded(.toNearestOrEven) }
    ) {
      g, _, _ throws(AutogradError) in F.zeros(like: g)
    },
    "silu": Unary(
      name: "SiluBackward0", keepsInt: false, saves: .input,
      forward: { $0 / (1 + Foundation.exp(-$0)) }
    ) {
      g, x, c throws(AutogradError) in
      if !c, let exact = TorchLoop.binary(g, x!, { ck_vm_silu_backward_f32($0, $1, $2, $3, $4) }) {
        return exact
      }
      if !c, let exact = TorchLoop.binary64(g, x!, { ck_vm_silu_backward_f64($0, $1, $2, $3, $4) })
      {
        return exact
      }
      if !c, x!.dtype == .float64 {
        // silu_backward's own order, 1 + x * (1 - s) fused into one multiply-add.
        return try F.constant2(g, x!) { dy, v in
          let s = 1 / (1 + Foundation.exp(-v))
          return dy * s * (1.0).addingProduct(v, 1 - s)
        }
      }
      // d/dx x*s(x) = s(x) * (1 + x * (1 - s(x)))
      let s = try Elementwise.unary("sigmoid", x!, grad: c)
      return try F.mul(g, F.mul(s, F.add(F.mul(x!, F.rsub(s, 1, c), c), Tensor.scalar(1), c), c), c)
    },
    "softplus": Unary(
      name: "SoftplusBackward0", keepsInt: false, saves: .input,
      forward: { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }
    ) {
      g, x, c throws(AutogradError) in
      if !c,
        let exact = TorchLoop.binary(
          g, x!, { ck_vm_softplus_backward_f32($0, $1, $2, $3, $4, 1, 20) })
      {
        return exact
      }
      if !c,
        let exact = TorchLoop.binary64(
          g, x!, { ck_vm_softplus_backward_f64($0, $1, $2, $3, $4, 1, 20) })
      {
        return exact
      }
      if !c, x!.dtype == .float64 {
        // softplus_backward: dy * z / (z + 1) with z = exp(x), dy itself above the threshold.
        return try F.constant2(g, x!) { dy, v in
          let z = Foundation.exp(v)
          return v > 20 ? dy : dy * z / (z + 1)
        }
      }
      return try F.mul(g, Elementwise.unary("sigmoid", x!, grad: c), c)
    },
    "gelu": Unary(
      name: "GeluBackward0", keepsInt: false, saves: .input,
      // GeluKernelImpl's order: x * 0.5 * (1 + erf(x * M_SQRT1_2)).
      forward: { $0 * 0.5 * (1 + Foundation.erf($0 * 0.70710678118654752440)) }
    ) {
      g, x, c throws(AutogradError) in
      // Phi(x) + x * phi(x), computed as a constant: refuse rather than give a wrong second derivative.
      if c && x!.requiresGrad {
        throw .invalidOp("double backward through gelu is not supported by this engine")
      }
      if let exact = Elementwise.geluBackwardFloat32(g, x!) { return exact }
      if x!.dtype == .float64 {
        // GeluBackwardKernelImpl: dy * (cdf + x * pdf), in this order.
        let beta = 1.12837916709551257390 * 0.70710678118654752440 * 0.5
        return try F.constant2(g, x!) { dy, v in
          let cdf = 0.5 * (1 + Foundation.erf(v * 0.70710678118654752440))
          let pdf = beta * Foundation.exp(v * v * -0.5)
          return dy * (cdf + v * pdf)
        }
      }
      let d = try F.constant(x!) { v in
        0.5 * (1 + Foundation.erf(v / 2.0.squareRoot())) + v * Foundation.exp(-0.5 * v * v)
          / (2 * Double.pi).squareRoot()
      }
      return try F.mul(g, d, c)
    },
  ]

  static func unary(_ op: String, _ x: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    guard let spec = unaryOps[op] else { throw .invalidOp("unknown op \(op)") }
    // These activations have no integer kernel in PyTorch (the math functions promote instead).
    let floatOnlyKernels = [
      "silu": "silu_cpu", "gelu": "GeluKernelImpl", "softplus": "softplus_cpu",
    ]
    if !x.dtype.isFloatingPoint, let kernel = floatOnlyKernels[op] {
      throw .invalidOp("\"\(kernel)\" not implemented for '\(x.dtype.scalarTypeName)'")
    }
    if x.dtype == .bool, spec.keepsInt, let kept = try boolKeepsIntOp(op, x) { return kept }
    let dtype = x.dtype.isFloatingPoint || spec.keepsInt ? x.dtype : .float32
    // Formulas PyTorch evaluates step by step in float32, where a float64 evaluation rounded once differs
    // visibly (softplus of large negative inputs is 0 in float32, a denormal in float64).
    let float32Forms: [String: @Sendable (Double) -> Double] = [
      "softplus": { v in
        let f = Float(v)
        return f > 20
          ? v : Double(Float(Foundation.log1p(Double(Float(Foundation.exp(Double(f)))))))
      },
      "sigmoid": { v in Double(Float(1) / (Float(1) + Float(Foundation.exp(-v)))) },
      "silu": { v in Double(Float(v) / (Float(1) + Float(Foundation.exp(-v)))) },
      // PyTorch's kernel divides 1 by the float32 square root: two roundings.
      "rsqrt": { v in Double(Float(1) / Float(v).squareRoot()) },
    ]
    let forward = dtype == .float32 ? float32Forms[op] ?? spec.forward : spec.forward
    let out = torchLoopForward(op, x) ?? Kernels.map(x, dtype: dtype, forward)
    let backward = spec.backward
    switch spec.saves {
    case .nothing:
      return Recorder.record(spec.name, out, inputs: [x], grad: grad) {
        g, ctx throws(AutogradError) in
        [try backward(g, nil, ctx.grad)]
      }
    case .input:
      return Recorder.record(spec.name, out, inputs: [x], saving: [x], grad: grad) {
        g, ctx throws(AutogradError) in [try backward(g, ctx.saved[0], ctx.grad)]
      }
    case .result:
      return Recorder.record(spec.name, out, inputs: [x], savingOutput: true, grad: grad) {
        g, ctx throws(AutogradError) in [try backward(g, ctx.saved[0], ctx.grad)]
      }
    }
  }

  /// PyTorch's own float32 arithmetic for the activations whose AVX2 kernels vecmath.c reproduces, or nil.
  static func torchLoopForward(_ op: String, _ x: Tensor) -> Tensor? {
    if x.dtype == .float64 {
      switch op {
      case "sigmoid": return TorchLoop.unary64(x) { ck_vm_sigmoid_f64($0, $1, $2, $3) }
      case "silu": return TorchLoop.unary64(x) { ck_vm_silu_f64($0, $1, $2, $3) }
      case "softplus": return TorchLoop.unary64(x) { ck_vm_softplus_f64($0, $1, $2, $3, 1, 20) }
      default: return nil
      }
    }
    guard x.dtype == .float32 else { return nil }
    switch op {
    case "sigmoid": return TorchLoop.unary(x) { ck_vm_sigmoid_f32($0, $1, $2, $3) }
    case "silu": return TorchLoop.unary(x) { ck_vm_silu_f32($0, $1, $2, $3) }
    case "softplus": return TorchLoop.unary(x) { ck_vm_softplus_f32($0, $1, $2, $3, 1, 20) }
    case "gelu":
      // PyTorch gives contiguous float32 tensors of two or more elements to oneDNN, one element to ATen's scalar
      // code, and the rest to an ATen vector kernel this engine does not reproduce.
      if x.numel == 1 {
        return Kernels.map(x, dtype: .float32) { Double(ck_vm_gelu_scalar_f32(Float($0))) }
      }
      guard x.isContiguous else { return nil }
      return TorchLoop.unary(x, allVector: true) { p, o, n, _ in ck_vm_gelu_dnnl_f32(p, o, n) }
    default: return nil
    }
  }

  /// gelu's float32 gradient as PyTorch computes it (see `torchLoopForward`), or nil.
  static func geluBackwardFloat32(_ g: Tensor, _ x: Tensor) -> Tensor? {
    guard g.dtype == .float32, x.dtype == .float32, g.shape == x.shape else { return nil }
    if x.numel == 1 {
      return Kernels.zip(g, x, shape: g.shape, dtype: .float32) {
        Double(ck_vm_gelu_backward_scalar_f32(Float($0), Float($1)))
      }
    }
    guard x.isContiguous else { return nil }
    return TorchLoop.binary(g, x, allVector: true) { pg, px, o, n, _ in
      ck_vm_gelu_dnnl_backward_f32(pg, px, o, n)
    }
  }

  /// `1 - y * y` rounded once, as the fused multiply-add GCC makes of it in PyTorch's kernels.
  static func fusedOneMinusSquare(_ dtype: DType) -> (Double) -> Double {
    if dtype == .float32 { return { y in Double(Float(1).addingProduct(-Float(y), Float(y))) } }
    return { y in (1.0).addingProduct(-y, y) }
  }

  // MARK: Binary ops (broadcasting; the scheduler reduces each gradient to its input's shape)

  static func add(_ a: Tensor, _ b: Tensor, alpha: Double = 1, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    // Untracked, same shape and dtype (gradient sums in the scheduler): no broadcast, promotion or node to build.
    if alpha == 1, !grad || !(a.requiresGrad || b.requiresGrad), a.dtype == b.dtype,
      a.dtype.isFloatingPoint, a.shape == b.shape
    {
      return Kernels.zip(a, b, shape: a.shape, dtype: a.dtype, op: .add) { $0 + $1 }
    }
    let (shape, dtype) = try binaryResult(a, b)
    // PyTorch's CPU kernel is one fused multiply-add with alpha in the computation dtype.
    let factor = Elementwise.scalar(alpha, in: dtype)
    let out = Kernels.zip(a, b, shape: shape, dtype: dtype, op: alpha == 1 ? .add : nil) {
      $0.addingProduct(factor, $1)
    }
    return Recorder.record("AddBackward0", out, a, b, saved: [], grad: grad) {
      g, ctx throws(AutogradError) in
      [g, alpha == 1 ? g : try F.mul(g, Tensor.scalar(alpha), ctx.grad)]
    }
  }

  static func sub(_ a: Tensor, _ b: Tensor, alpha: Double = 1, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    try refuseBoolSubtraction(a, b)
    let (shape, dtype) = try binaryResult(a, b)
    let factor = Elementwise.scalar(alpha, in: dtype)
    let out = Kernels.zip(a, b, shape: shape, dtype: dtype, op: alpha == 1 ? .sub : nil) {
      $0.addingProduct(-factor, $1)
    }
    return Recorder.record("SubBackward0", out, a, b, saved: [], grad: grad) {
      g, ctx throws(AutogradError) in
      [g, ctx.needs(1) ? try F.mul(F.neg(g, ctx.grad), Tensor.scalar(alpha), ctx.grad) : nil]
    }
  }

  /// `other - alpha * x` for a Python number `other` (`2 - x`).
  static func rsub(_ x: Tensor, _ other: Tensor, alpha: Double = 1, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    try refuseBoolSubtraction(x, other)
    let (shape, dtype) = try binaryResult(x, other)
    let factor = Elementwise.scalar(alpha, in: dtype)
    let out = Kernels.zip(x, other, shape: shape, dtype: dtype) { $1.addingProduct(-factor, $0) }
    return Recorder.record("RsubBackward1", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [alpha == 1 ? try F.neg(g, ctx.grad) : try F.mul(g, Tensor.scalar(-alpha), ctx.grad)]
    }
  }

  static func mul(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    // Untracked, same shape and dtype (most backward formulas): no broadcast, promotion or saved list to build.
    if !grad || !(a.requiresGrad || b.requiresGrad), a.dtype == b.dtype, a.dtype.isFloatingPoint,
      a.shape == b.shape
    {
      return Kernels.zip(a, b, shape: a.shape, dtype: a.dtype, op: .mul) { $0 * $1 }
    }
    let (shape, dtype) = try binaryResult(a, b)
    let out = Kernels.zip(a, b, shape: shape, dtype: dtype, op: .mul) { $0 * $1 }
    // Save only what the other input's gradient needs: `2 * x` saves no x (in-place on x stays legal).
    // A wrapped Python number is kept as a value rather than a saved tensor (nobody can modify it).
    let needA = a.requiresGrad
    let needB = b.requiresGrad
    let constantB = b.isWrappedNumber ? try b.item() : nil
    let bDtype = b.dtype
    var saved: [SavedTensor] = []
    if grad && (needA || needB) {
      saved.reserveCapacity(2)
      if needA && constantB == nil { saved.append(SavedTensor(input: b)) }
      if needB { saved.append(SavedTensor(input: a)) }
    }
    defer { if needA && constantB != nil { out.gradFnStorage?.savedNumbers = 1 } }
    return Recorder.record("MulBackward0", out, a, b, saved: saved, grad: grad) {
      g, ctx throws(AutogradError) in
      var result: [Tensor?] = [nil, nil]
      if ctx.needs(0) {
        let factor = constantB.map { Tensor.scalar($0, dtype: bDtype) } ?? ctx.saved[0]
        result[0] = try F.mul(g, factor, ctx.grad)
      }
      if ctx.needs(1) {
        result[1] = try F.mul(g, ctx.saved[needA && constantB == nil ? 1 : 0], ctx.grad)
      }
      return result
    }
  }

  static func div(_ a: Tensor, _ b: Tensor, grad: Bool, name: String = "DivBackward0")
    throws(AutogradError)
    -> Tensor
  {
    let (shape, floatDtype) = try binaryResult(a, b)
    let dtype = floatDtype.isFloatingPoint ? floatDtype : .float32
    let out = Kernels.zip(a, b, shape: shape, dtype: dtype, op: .div) { $0 / $1 }
    let needB = b.requiresGrad
    let constantB = b.isWrappedNumber ? try b.item() : nil
    let bDtype = b.dtype
    let saving = needB ? [b, a] : (constantB == nil ? [b] : [])
    defer { if constantB != nil { out.gradFnStorage?.savedNumbers = 1 } }
    return Recorder.record(name, out, inputs: [a, b], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let denominator = constantB.map { Tensor.scalar($0, dtype: bDtype) } ?? ctx.saved[0]
      var result: [Tensor?] = [ctx.needs(0) ? try F.div(g, denominator, ctx.grad) : nil, nil]
      if ctx.needs(1) {
        // PyTorch's div_tensor_other_backward: -grad * ((self / other) / other), in that order.
        let numerator = ctx.saved[1]
        result[1] = try F.mul(
          F.neg(g, ctx.grad),
          F.div(F.div(numerator, denominator, ctx.grad), denominator, ctx.grad), ctx.grad)
      }
      return result
    }
  }

  /// `div(a, b, rounding_mode="trunc"|"floor")` (`DivBackward2`): PyTorch's rounded quotient, integers stay
  /// integers, and both gradients are zero.
  static func divRounding(_ a: Tensor, _ b: Tensor, mode: String, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    guard mode == "trunc" || mode == "floor" else {
      throw .invalidOp(
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '\(mode)'")
    }
    let floor = mode == "floor"
    let (shape, dtype) = try binaryResult(a, b)
    let out: Tensor
    switch dtype {
    case .float32:
      out = Kernels.zip(a, b, shape: shape, dtype: dtype) { x, y in
        Double(roundedQuotient(Float(x), Float(y), floor: floor))
      }
    case .float64:
      out = Kernels.zip(a, b, shape: shape, dtype: dtype) { x, y in
        roundedQuotient(x, y, floor: floor)
      }
    case .int64, .bool:
      var divisionByZero = false
      out = Kernels.zip(a, b, shape: shape, dtype: dtype == .bool ? .int64 : dtype) { x, y in
        guard let p = exactInt(x), let q = exactInt(y), q != 0 else {
          divisionByZero = true
          return 0
        }
        let (quotient, overflow) = p.dividedReportingOverflow(by: q)
        if overflow { return Double(p) }
        if floor && quotient * q != p && (p < 0) != (q < 0) { return Double(quotient - 1) }
        return Double(quotient)
      }
      if divisionByZero { throw .invalidOp("ZeroDivisionError") }
    }
    let needB = b.requiresGrad
    let saving = needB ? [b, a] : [b]
    return Recorder.record("DivBackward2", out, inputs: [a, b], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let zeros = Kernels.filled(g.shape, dtype: g.dtype, value: 0)
      return [ctx.needs(0) ? zeros : nil, ctx.needs(1) ? zeros : nil]
    }
  }

  /// PyTorch's `div_trunc` / `div_floor_floating`, in the tensor's own precision.
  static func roundedQuotient<T: BinaryFloatingPoint>(_ a: T, _ b: T, floor: Bool) -> T {
    guard floor else { return (a / b).rounded(.towardZero) }
    if b == 0 { return a / b }
    let mod = a.truncatingRemainder(dividingBy: b)
    var div = (a - mod) / b
    if mod != 0 && (b < 0) != (mod < 0) { div -= 1 }
    guard div != 0 else { return T(signOf: a / b, magnitudeOf: 0) }
    var floored = div.rounded(.down)
    if div - floored > 0.5 { floored += 1 }
    return floored
  }

  /// PyTorch's `pow_tensor_scalar` kernel: the exponents 0.5, -0.5, 2, 3, -1 and -2 are sqrt, rsqrt and
  /// products in the tensor's own precision (`(-inf) ** 0.5` is NaN, `x ** 3` is `x * x * x` rounded twice).
  static func powerFunction(_ e: Double, dtype: DType) -> (Double) -> Double {
    guard dtype.isFloatingPoint, [0.5, -0.5, 2, 3, -1, -2].contains(e) else {
      return { Foundation.pow($0, e) }
    }
    if dtype == .float32 {
      return { v in
        let f = Float(v)
        switch e {
        case 0.5: return Double(f.squareRoot())
        case -0.5: return Double(1 / f.squareRoot())
        case 2: return Double(f * f)
        case 3: return Double(f * f * f)
        case -1: return Double(1 / f)
        default: return Double(1 / (f * f))
        }
      }
    }
    return { v in
      switch e {
      case 0.5: return v.squareRoot()
      case -0.5: return 1 / v.squareRoot()
      case 2: return v * v
      case 3: return v * v * v
      case -1: return 1 / v
      default: return 1 / (v * v)
      }
    }
  }

  /// `x ** exponent` for a Python number exponent (`PowBackward0`).
  static func pow(_ x: Tensor, scalar e: Double, exponentIsInt: Bool, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    // A bool base with an integer exponent computes in int64 (`mask ** 2` is `tensor([1, 0])`).
    let integral: DType = x.dtype == .bool ? .int64 : x.dtype
    let dtype = x.dtype.isFloatingPoint || exponentIsInt ? integral : .float32
    if !x.dtype.isFloatingPoint && exponentIsInt && e < 0 {
      throw .invalidOp("Integers to negative integer powers are not allowed.")
    }
    let out = Kernels.map(x, dtype: dtype, powerFunction(e, dtype: dtype))
    return Recorder.record("PowBackward0", out, inputs: [x], saving: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      if e == 0 { return [F.zeros(like: g)] }  // pow_backward: zeros_like(self)
      let x = ctx.saved[0]
      let derivative = try F.mul(
        pow(x, scalar: e - 1, exponentIsInt: exponentIsInt, grad: ctx.grad), Tensor.scalar(e),
        ctx.grad)
      return [try F.mul(g, derivative, ctx.grad)]
    }
  }

  /// PyTorch's `powi` for integers: a negative exponent gives 1 for a base of 1, ±1 for -1, and 0 otherwise.
  private static func integerPower(_ base: Double, _ exponent: Double) -> Double {
    guard exponent < 0 else { return Foundation.pow(base, exponent) }
    if base == 1 { return 1 }
    if base == -1 { return exponent.truncatingRemainder(dividingBy: 2) == 0 ? 1 : -1 }
    return 0
  }

  /// `a ** b` for two tensors (`PowBackward1`).
  static func pow(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    if a.dtype == .bool && b.dtype == .bool {
      throw .invalidOp("\"pow\" not implemented for 'Bool'")
    }
    let (shape, dtype) = try binaryResult(a, b)
    let out = Kernels.zip(
      a, b, shape: shape, dtype: dtype, dtype.isFloatingPoint ? Foundation.pow : integerPower)
    return Recorder.record(
      "PowBackward1", out, inputs: [a, b], saving: [a, b], savingOutput: true, grad: grad
    ) {
      g, ctx throws(AutogradError) in
      let (a, b, r) = (ctx.saved[0], ctx.saved[1], ctx.saved[2])
      var result: [Tensor?] = [nil, nil]
      // PyTorch's pow_backward_self and _exponent cut with `where` (a cut element of the self gradient is +0
      // whatever the gradient; create_graph records WhereBackward0 there).
      func cut(_ test: @escaping (Double, Double) -> Bool) throws(AutogradError) -> Tensor {
        let (shape, _) = try binaryResult(a, b)
        return Kernels.zip(a, b, shape: shape, dtype: .bool) { test($0, $1) ? 1 : 0 }
      }
      if ctx.needs(0) {
        // grad * (b * a^(b-1)), 0 where b == 0
        let bMinusOne = try F.sub(b, Tensor.scalar(1), ctx.grad)
        let d = try F.mul(b, pow(a, bMinusOne, grad: ctx.grad), ctx.grad)
        result[0] = try Elementwise.where(
          cut { _, e in e == 0 }, F.zeros(like: g), F.mul(g, d, ctx.grad), grad: ctx.grad)
      }
      if ctx.needs(1) {
        // grad * where(a == 0 and b >= 0, 0, a^b * log(a)): here the product is outside (MulBackward0)
        let product = try F.mul(r, unary("log", a, grad: ctx.grad), ctx.grad)
        let kept = try Elementwise.where(
          cut { base, e in base == 0 && e >= 0 }, F.zeros(like: g), product, grad: ctx.grad)
        result[1] = try F.mul(g, kept, ctx.grad)
      }
      return result
    }
  }

  /// `base ** x` for a Python number base (`2 ** x`, `PowBackward2`).
  static func rpow(_ x: Tensor, base: Double, grad: Bool) throws(AutogradError) -> Tensor {
    let dtype = x.dtype.isFloatingPoint ? x.dtype : .float32
    let out = Kernels.map(x, dtype: dtype) { Foundation.pow(base, $0) }
    return Recorder.record(
      "PowBackward2", out, inputs: [x], saving: [x], savingOutput: true, grad: grad
    ) {
      g, ctx throws(AutogradError) in
      let (x, r) = (ctx.saved[0], ctx.saved[1])
      let logBase = Foundation.log(base)
      let factor = try F.constant(x) { e in base == 0 && e >= 0 ? 0 : logBase }
      return [try F.mul(F.mul(g, r, ctx.grad), factor, ctx.grad)]
    }
  }

  /// `maximum`/`minimum`: the larger (smaller) element, ties split the gradient in half.
  static func extremum(_ a: Tensor, _ b: Tensor, greater: Bool, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    // PyTorch's maximum/minimum take tensors only; a Python number is a TypeError.
    for (t, argument) in [(a, "'input' (position 1)"), (b, "'other' (position 2)")]
    where t.isWrappedNumber {
      throw .invalidOp(
        "\(greater ? "maximum" : "minimum")(): argument \(argument) must be Tensor, not \(t.dtype.isFloatingPoint ? "float" : "int")"
      )
    }
    let (shape, dtype) = try binaryResult(a, b)
    let out = Kernels.zip(a, b, shape: shape, dtype: dtype) { x, y in
      if x.isNaN || y.isNaN { return .nan }
      return greater ? Swift.max(x, y) : Swift.min(x, y)
    }
    let name = greater ? "MaximumBackward0" : "MinimumBackward0"
    return Recorder.record(name, out, inputs: [a, b], saving: [a, b], grad: grad) {
      g, ctx throws(AutogradError) in
      let (a, b) = (ctx.saved[0], ctx.saved[1])
      // where(a == b, grad / 2, grad).masked_fill_(a < b, 0) for maximum's a (a > b for minimum's), and the
      // mirror for b: a NaN on either side lets the gradient through to both.
      let wa = try F.constant2(a, b) { x, y in x == y ? 0.5 : ((greater ? x < y : x > y) ? 0 : 1) }
      let wb = try F.constant2(a, b) { x, y in x == y ? 0.5 : ((greater ? x > y : x < y) ? 0 : 1) }
      return [try F.gate(g, wa, ctx.grad), try F.gate(g, wb, ctx.grad)]
    }
  }

  /// A Python number as the kernel of a `dtype` computation sees it (rounded to float32 for float32).
  static func scalar(_ value: Double, in dtype: DType) -> Double {
    dtype == .float32 ? Double(Float(value)) : value
  }

  /// Comparisons give an untracked bool tensor.
  static func compare(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Bool) throws(AutogradError)
    -> Tensor
  {
    let (shape, common) = try binaryResult(a, b)
    let (x, y) = (Kernels.operand(a, computedIn: common), Kernels.operand(b, computedIn: common))
    return Kernels.zip(x, y, shape: shape, dtype: .bool) { f($0, $1) ? 1 : 0 }
  }

  /// `x.to(dtype)` (`ToCopyBackward0`); returns `x` itself when the dtype already matches.
  static func cast(_ x: Tensor, to dtype: DType, grad: Bool) throws(AutogradError) -> Tensor {
    if x.dtype == dtype { return x }
    let out = Kernels.map(x, dtype: dtype) { $0 }
    let source = x.dtype
    return Recorder.record("ToCopyBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try cast(g, to: source, grad: ctx.grad)]
    }
  }

  /// `clamp(x, min, max)`: gradient passes where the input is inside the bounds.
  static func clamp(_ x: Tensor, min lo: Double?, max hi: Double?, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let out = Kernels.map(x, dtype: x.dtype) { v in
      var r = v
      if let lo, r < lo { r = lo }
      if let hi, r > hi { r = hi }
      return r
    }
    return Recorder.record("ClampBackward1", out, inputs: [x], saving: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      // PyTorch 2.15 passes the gradient strictly inside the bounds: none at a bound, none for NaN.
      let mask = try F.constant(ctx.saved[0]) { v in
        if let lo, !(v > lo) { return 0 }
        if let hi, !(v < hi) { return 0 }
        return 1
      }
      return [try F.gate(g, mask, ctx.grad)]
    }
  }

  // MARK: Promotion and broadcasting

  static func binaryResult(_ a: Tensor, _ b: Tensor) throws(AutogradError) -> ([Int], DType) {
    let shape = try broadcastShapes(a.shape, b.shape)
    _ = try checkedCount(shape)
    return (shape, resultType([a, b]))
  }

  static func broadcastShapes(_ a: [Int], _ b: [Int]) throws(AutogradError) -> [Int] {
    // Equal shapes (most calls) broadcast to themselves: share the array instead of building a new one.
    if a == b { return a }
    let rank = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
      let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
      if da == db || db == 1 {
        out[i] = da
      } else if da == 1 {
        out[i] = db
      } else {
        throw .shape(
          "The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i)"
        )
      }
    }
    return out
  }

  /// PyTorch's result type: dimensioned tensors outrank 0-d tensors, which outrank wrapped Python numbers,
  /// unless a lower category brings a floating kind to an integral result.
  static func resultType(_ tensors: [Tensor]) -> DType {
    var dimResult: DType?
    var zeroResult: DType?
    var wrappedResult: DType?
    func merge(_ a: DType?, _ b: DType) -> DType { a.map { DType.promote($0, b) } ?? b }
    for t in tensors {
      if t.isWrappedNumber {
        let kind: DType = t.dtype.isFloatingPoint ? .float32 : (t.dtype == .bool ? .bool : .int64)
        wrappedResult = merge(wrappedResult, kind)
      } else if t.rank == 0 {
        zeroResult = merge(zeroResult, t.dtype)
      } else {
        dimResult = merge(dimResult, t.dtype)
      }
    }
    func combine(_ higher: DType?, _ lower: DType?) -> DType? {
      guard let higher else { return lower }
      guard let lower else { return higher }
      // Only a higher category (bool < integral < floating) from a lower-priority operand counts.
      return lower.category > higher.category ? DType.promote(higher, lower) : higher
    }
    return combine(dimResult, combine(zeroResult, wrappedResult)) ?? .float32
  }
}

/// Short names for backward formulas, which are written with the same tracked ops as forward code.
enum F {
  static func mul(_ a: Tensor, _ b: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.mul(a, b, grad: grad)
  }
  static func div(_ a: Tensor, _ b: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.div(a, b, grad: grad)
  }
  static func add(_ a: Tensor, _ b: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.add(a, b, grad: grad)
  }
  static func sub(_ a: Tensor, _ b: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.sub(a, b, grad: grad)
  }
  static func neg(_ a: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.unary("neg", a, grad: grad)
  }
  /// `s - a` for a number `s`.
  static func rsub(_ a: Tensor, _ s: Double, _ grad: Bool) throws(AutogradError) -> Tensor {
    try Elementwise.rsub(a, Tensor.scalar(s), grad: grad)
  }
  /// A derivative factor that is itself constant (a mask, a sign): untracked, same dtype as `x`.
  static func constant(_ x: Tensor, _ f: (Double) -> Double) throws(AutogradError) -> Tensor {
    Kernels.map(x, dtype: x.dtype, f)
  }
  static func constant2(_ a: Tensor, _ b: Tensor, _ f: (Double, Double) -> Double)
    throws(AutogradError) -> Tensor
  {
    let (shape, dtype) = try Elementwise.binaryResult(a, b)
    return Kernels.zip(a, b, shape: shape, dtype: dtype, f)
  }
  /// `grad` weighted by a constant `weights` (0, 0.5 or 1 per element) as PyTorch's `where`/`masked_fill`
  /// formulas do: a weight of 0 gives +0 whatever the gradient (no -0.0, no NaN from `NaN * 0`). Under
  /// create_graph the tracked product stands in (its second derivative is the same).
  static func gate(_ g: Tensor, _ weights: Tensor, _ grad: Bool) throws(AutogradError) -> Tensor {
    if grad && g.requiresGrad { return try mul(g, weights, grad) }
    let (shape, dtype) = try Elementwise.binaryResult(g, weights)
    return Kernels.zip(g, weights, shape: shape, dtype: dtype) { v, w in
      w == 0 ? 0 : (w == 1 ? v : v * w)
    }
  }
  /// PyTorch's `zeros_like(grad)`: the gradient of a piecewise-constant op (floor, sign, ...), untracked.
  static func zeros(like g: Tensor) -> Tensor {
    Kernels.filled(g.shape, dtype: g.dtype, value: 0)
  }
  /// Replaces values where `mask` is 0 by 0 without tracking (so `0 * -inf` never makes a NaN).
  static func where0(_ x: Tensor, _ mask: Tensor) throws(AutogradError) -> Tensor {
    guard !x.requiresGrad else { return x }
    let (shape, _) = try Elementwise.binaryResult(x, mask)
    return Kernels.zip(x, mask, shape: shape, dtype: x.dtype) { v, m in m == 0 ? 0 : v }
  }
}

extension Elementwise {
  /// `where(condition, input, other)` (`WhereBackward0`): the condition must be a bool tensor.
  static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    guard condition.dtype == .bool else {
      throw AutogradError(
        .dtypeMismatch,
        "where expected condition to be a boolean tensor, but got a tensor with dtype \(condition.dtype.scalarTypeName)"
      )
    }
    let shape = try broadcastShapes(condition.shape, broadcastShapes(a.shape, b.shape))
    _ = try checkedCount(shape)
    let dtype = resultType([a, b])
    let ea = try Views.expand(Views.detach(a), shape, grad: false)
    let eb = try Views.expand(Views.detach(b), shape, grad: false)
    let mask = Kernels.zip(
      condition, Tensor(zerosOf: shape, dtype: .float64), shape: shape, dtype: .float64
    ) { c, _ in
      c != 0 ? 1 : 0
    }
    // Picked element by element (a sum of masked halves would turn -0.0 into 0.0).
    let (mv, av, bv) = (Kernels.doubles(mask), Kernels.doubles(ea), Kernels.doubles(eb))
    let out = Kernels.tensor(
      mv.indices.map { mv[$0] != 0 ? av[$0] : bv[$0] }, shape: shape, dtype: dtype)
    // PyTorch saves the condition: a second backward after a non-retaining one fails, and an in-place change
    // of the condition is caught.
    return Recorder.record(
      "WhereBackward0", out, inputs: [nil, a, b], saving: [condition], grad: grad
    ) {
      g, ctx throws(AutogradError) in
      let keep = Kernels.map(mask, dtype: g.dtype) { $0 }
      let drop = Kernels.map(mask, dtype: g.dtype) { 1 - $0 }
      // where(condition, grad, 0) and where(condition, 0, grad): exact zeros where not picked.
      return [
        nil, ctx.needs(1) ? try F.gate(g, keep, ctx.grad) : nil,
        ctx.needs(2) ? try F.gate(g, drop, ctx.grad) : nil,
      ]
    }
  }
}
