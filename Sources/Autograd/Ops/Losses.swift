import Foundation

/// softmax, log_softmax and losses: forward, backward formula and grad_fn name side by side.
enum Losses {
  /// Values of softmax or log_softmax along `dim`, computed untracked.
  private static func softmaxValues(_ x: Tensor, dim: Int, log: Bool) throws(AutogradError)
    -> Tensor
  {
    let (maxValues, _) = Kernels.argReduce(
      x.rank == 0 ? Kernels.tensor(Kernels.doubles(x), shape: [1], dtype: x.dtype) : x,
      dim: x.rank == 0 ? 0 : dim, greater: true)
    let source = x.rank == 0 ? Kernels.tensor(Kernels.doubles(x), shape: [1], dtype: x.dtype) : x
    // As PyTorch: an infinite or NaN maximum makes the whole slice NaN.
    let shifted = Kernels.zip(source, maxValues, shape: source.shape, dtype: .float64) { v, m in
      v - m
    }
    let exps = Kernels.map(shifted, dtype: .float64) { Foundation.exp($0) }
    let sums = Kernels.reduce(
      exps, dims: [dim == 0 && x.rank == 0 ? 0 : dim], dtype: .float64, initial: 0
    ) { $0 += $1 }
    let result =
      log
      ? Kernels.zip(shifted, sums, shape: source.shape, dtype: x.dtype) { s, total in
        s - Foundation.log(total)
      }
      : Kernels.zip(exps, sums, shape: source.shape, dtype: x.dtype) { e, total in e / total }
    if x.rank == 0 { return Kernels.tensor(Kernels.doubles(result), shape: [], dtype: x.dtype) }
    return result
  }

  /// softmax/log_softmax of an integer or bool tensor: PyTorch returns an empty input as it is and otherwise
  /// names the kernel it has no integer version of (`..._lastdim_kernel_impl` when `dim` is the last one).
  private static func refuseIntegral(_ x: Tensor, dim: Int, kernel: String) throws(AutogradError)
    -> Tensor
  {
    if x.numel == 0 { return Kernels.tensor([], shape: x.shape, dtype: x.dtype) }
    let lastDim = x.rank == 0 || dim == x.rank - 1
    throw .invalidOp(
      "\"\(kernel)\(lastDim ? "_lastdim" : "")_kernel_impl\" not implemented for '\(x.dtype.scalarTypeName)'"
    )
  }

  static func softmax(_ x: Tensor, dim: Int, grad: Bool) throws(AutogradError) -> Tensor {
    let d = try Views.normalizeDim(dim, rank: x.rank)
    if !x.dtype.isFloatingPoint { return try refuseIntegral(x, dim: d, kernel: "softmax") }
    let out = try softmaxValues(x, dim: d, log: false)
    let dims = x.rank == 0 ? nil : [d]
    return Recorder.record("SoftmaxBackward0", out, inputs: [x], savingOutput: true, grad: grad) {
      g, ctx throws(AutogradError) in
      [try DoubleBackward.softmax(g, ctx.saved[0], dims: dims, grad: ctx.grad)]
    }
  }

  static func logSoftmax(_ x: Tensor, dim: Int, grad: Bool) throws(AutogradError) -> Tensor {
    let d = try Views.normalizeDim(dim, rank: x.rank)
    if !x.dtype.isFloatingPoint { return try refuseIntegral(x, dim: d, kernel: "log_softmax") }
    let out = LogSoftmaxKernel.run(x, dim: d)
    let dims = x.rank == 0 ? nil : [d]
    return Recorder.record("LogSoftmaxBackward0", out, inputs: [x], savingOutput: true, grad: grad)
    {
      g, ctx throws(AutogradError) in
      [try DoubleBackward.logSoftmax(g, ctx.saved[0], dims: dims, grad: ctx.grad)]
    }
  }

  enum Reduction: String {
    case mean, sum, none
  }

  static func reduction(_ text: String) throws(AutogradError) -> Reduction {
    guard let r = Reduction(rawValue: text) else {
      throw .argument("\(text) is not a valid value for reduction")
    }
    return r
  }

  static func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction, grad: Bool)
    throws(AutogradError)
    -> Tensor
  {
    let (shape, dtype) = try Elementwise.binaryResult(input, target)
    guard dtype.isFloatingPoint else {
      throw .invalidOp("\"mse_cpu\" not implemented for '\(dtype.scalarTypeName)'")
    }
    // PyTorch's `pow(input - target, 2)`: the difference is rounded to the dtype before it is squared.
    let difference = Kernels.zip(input, target, shape: shape, dtype: dtype) { $0 - $1 }
    let diff = Kernels.zip(difference, difference, shape: shape, dtype: dtype) { $0 * $1 }
    let out: Tensor
    switch reduction {
    case .none: out = diff
    case .sum: out = try Reductions.sum(diff, dims: nil, grad: false)
    case .mean: out = try Reductions.mean(diff, dims: nil, grad: false)
    }
    let count = Double(Swift.max(shape.reduce(1, *), 1))
    return Recorder.record(
      "MseLossBackward0", out, inputs: [input, target], saving: [input, target], grad: grad
    ) {
      g, ctx throws(AutogradError) in
      // The backward kernel reads a bool target as numbers; the `-` operator would refuse it.
      let (a, b) = (
        ctx.saved[0],
        ctx.saved[1].dtype == .bool
          ? try Elementwise.cast(ctx.saved[1], to: ctx.saved[0].dtype, grad: false) : ctx.saved[1]
      )
      // PyTorch's mse_loss_backward: `norm * (input - target) * grad` with norm = 2/n (mean) or 2, as a scalar
      // of the gradient's dtype.
      let norm = reduction == .mean ? 2 / count : 2
      let normInDtype = g.dtype == .float32 ? Double(Float(norm)) : norm
      let scale = try F.mul(F.sub(a, b, ctx.grad), Tensor.scalar(normInDtype), ctx.grad)
      let d = try F.mul(scale, g, ctx.grad)
      // The target's is mse_loss_backward(grad, target, input): (target - input), not -(input - target), so
      // equal inputs give -0.0 on both sides for a negative gradient, as PyTorch.
      var e: Tensor? = nil
      if ctx.needs(1) {
        let other = try F.mul(F.sub(b, a, ctx.grad), Tensor.scalar(normInDtype), ctx.grad)
        e = try F.mul(other, g, ctx.grad)
      }
      return [ctx.needs(0) ? d : nil, e]
    }
  }

  /// `nll_loss(input, target)`: input [N, C] or [C], int64 class targets, ignore_index -100.
  static func nllLoss(
    _ input: Tensor, _ target: Tensor, reduction: Reduction, ignoreIndex: Int = -100, grad: Bool
  )
    throws(AutogradError) -> Tensor
  {
    guard target.dtype == .int64 else {
      throw AutogradError(
        .dtypeMismatch,
        "expected scalar type Long but found \(target.dtype.scalarTypeName)")
    }
    guard input.rank == 1 || input.rank == 2 else {
      throw .shape("Expected 1 or 2 dimensions (got \(input.rank))")
    }
    let batched = input.rank == 2
    let n = batched ? input.shape[0] : 1
    let classes = input.shape[batched ? 1 : 0]
    // PyTorch's checks, in its order.
    if !batched && target.rank == 1 && target.shape[0] != 1 {
      throw .shape(
        "For 1D input, 1D target must have size 1, but got target size: \(target.shape[0])")
    }
    if batched && (target.shape.first ?? 0) != n {
      throw .shape(
        "Expected input batch_size (\(n)) to match target batch_size (\(target.shape.first ?? 0)).")
    }
    if target.rank > 1 {
      throw .shape("0D or 1D target tensor expected, multi-target not supported")
    }
    let values = Kernels.doubles(input)
    let targets = Kernels.doubles(target).map { exactInt($0) ?? Int.min }
    var losses = [Double](repeating: 0, count: n)
    var weightTotal = 0.0
    for i in 0..<n {
      let t = targets[i]
      if t == ignoreIndex { continue }
      guard t >= 0, t < classes else { throw .shape("Target \(t) is out of bounds.") }
      losses[i] = -values[i * classes + t]
      weightTotal += 1
    }
    let out: Tensor
    switch reduction {
    // An unbatched input goes through PyTorch's summing kernel even for "none": 0 + (-0.0) is +0.
    case .none:
      out = Kernels.tensor(
        batched ? losses : [0 + losses[0]], shape: batched ? [n] : [], dtype: input.dtype)
    case .sum: out = Kernels.tensor([losses.reduce(0, +)], shape: [], dtype: input.dtype)
    case .mean:
      out = Kernels.tensor([losses.reduce(0, +) / weightTotal], shape: [], dtype: input.dtype)
    }
    let inputShape = input.shape
    return Recorder.record("NllLossBackward0", out, inputs: [input], saving: [target], grad: grad) {
      g, ctx throws(AutogradError) in
      // PyTorch's nll_loss_backward: zeros, and -(grad / total_weight) (mean) or -grad at each target.
      var mask = [Double](repeating: 0, count: inputShape.reduce(1, *))
      for i in 0..<n where targets[i] != ignoreIndex { mask[i * classes + targets[i]] = 1 }
      let w = Kernels.tensor(mask, shape: inputShape, dtype: g.dtype)
      var gShaped = reduction == .none && batched ? try Views.unsqueeze(g, 1, grad: ctx.grad) : g
      if reduction == .mean { gShaped = try F.div(gShaped, Tensor.scalar(weightTotal), ctx.grad) }
      return [try F.gate(F.neg(gShaped, ctx.grad), w, ctx.grad)]
    }
  }

  /// `cross_entropy` = `log_softmax` over the class dim + `nll_loss` (class indices), or the probability form.
  static func crossEntropy(_ input: Tensor, _ target: Tensor, reduction: Reduction, grad: Bool)
    throws(AutogradError)
    -> Tensor
  {
    let classDim = input.rank == 1 ? 0 : 1
    // PyTorch reads a target shaped like the input as class probabilities, anything else as class indices.
    guard target.shape == input.shape else {
      let logp = try logSoftmax(input, dim: classDim, grad: grad)
      return try nllLoss(logp, target, reduction: reduction, grad: grad)
    }
    guard target.dtype.isFloatingPoint else {
      throw AutogradError(
        .dtypeMismatch,
        "Expected floating point type for target with class probabilities, got \(target.dtype.scalarTypeName)"
      )
    }
    // PyTorch reads the class count (`size(1)`) of a 0-d input before anything else.
    if input.rank == 0 { throw .shape("Dimension specified as 1 but tensor has no dimensions") }
    let logp = try logSoftmax(input, dim: classDim, grad: grad)
    // PyTorch's cross_entropy_loss_prob_target, op for op (so values and grad_fn names match).
    let product = try F.mul(logp, target, grad)
    switch reduction {
    case .none: return try F.neg(Reductions.sum(product, dims: [classDim], grad: grad), grad)
    case .sum: return try F.neg(Reductions.sum(product, dims: nil, grad: grad), grad)
    case .mean:
      let total = try Reductions.sum(product, dims: nil, grad: grad)
      if input.numel == 0 {
        return try F.neg(InPlace.fill(total, Tensor.scalar(.nan), grad: grad), grad)
      }
      let classes = input.shape[classDim]
      let n = input.numel / classes
      return try Elementwise.div(
        F.neg(total, grad), Tensor.scalar(Double(n)), grad: grad, name: "DivBackward1")
    }
  }
}
