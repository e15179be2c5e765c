/// First-order gradients that create_graph records as PyTorch's own backward-of-backward nodes
/// (`TanhBackwardBackward0`, `ThresholdBackwardBackward0`, ...) instead of the ops that compute them, so their
/// `grad_fn` names, `requires_grad` and next derivatives are PyTorch's (derivatives.yaml's formulas, in its order).
enum DoubleBackward {
  /// `tanh_backward(grad, y)`: `grad * (1 - y * y)` (fused as PyTorch's kernel is).
  static func tanh(_ g: Tensor, _ y: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    let value = try F.mul(g, F.constant(y, Elementwise.fusedOneMinusSquare(y.dtype)), false)
    guard grad else { return value }
    return Recorder.record(
      "TanhBackwardBackward0", value, inputs: [g, y], saving: [g, y], grad: grad
    ) { gg, ctx throws(AutogradError) in
      let (g, y) = (ctx.saved[0], ctx.saved[1])
      return [
        ctx.needs(0) ? try tanh(gg, y, grad: ctx.grad) : nil,
        // output: grad * (-2 * output * grad_output)
        ctx.needs(1)
          ? try F.mul(gg, F.mul(F.mul(y, Tensor.scalar(-2), ctx.grad), g, ctx.grad), ctx.grad)
          : nil,
      ]
    }
  }

  /// `sigmoid_backward(grad, y)`: `(grad * (1 - y)) * y`.
  static func sigmoid(_ g: Tensor, _ y: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    let value = try F.mul(F.mul(g, F.rsub(y, 1, false), false), y, false)
    guard grad else { return value }
    return Recorder.record(
      "SigmoidBackwardBackward0", value, inputs: [g, y], saving: [g, y], grad: grad
    ) { gg, ctx throws(AutogradError) in
      let (g, y) = (ctx.saved[0], ctx.saved[1])
      // output: grad * grad_output * (-2 * output + 1)
      let slope = try F.add(F.mul(y, Tensor.scalar(-2), ctx.grad), Tensor.scalar(1), ctx.grad)
      return [
        ctx.needs(0) ? try sigmoid(gg, y, grad: ctx.grad) : nil,
        ctx.needs(1) ? try F.mul(F.mul(gg, g, ctx.grad), slope, ctx.grad) : nil,
      ]
    }
  }

  /// `threshold_backward(grad, result, 0)` (relu): the gradient where the result is above 0, else 0. Its
  /// derivative in the result is zeros, but it is recorded (PyTorch's result requires grad through it).
  static func threshold(_ g: Tensor, _ result: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    let value = try F.gate(g, F.constant(result) { $0 <= 0 ? 0 : 1 }, false)
    guard grad else { return value }
    return Recorder.record(
      "ThresholdBackwardBackward0", value, inputs: [g, result], saving: [result], grad: grad
    ) { gg, ctx throws(AutogradError) in
      [
        ctx.needs(0) ? try threshold(gg, ctx.saved[0], grad: ctx.grad) : nil,
        ctx.needs(1) ? F.zeros(like: gg) : nil,
      ]
    }
  }

  /// `_softmax_backward_data(grad, y, dim)`: `g * y - y * sum(g * y, dim)`.
  static func softmax(_ g: Tensor, _ y: Tensor, dims: [Int]?, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let product = try F.mul(g, y, false)
    let total = try Reductions.sum(product, dims: dims, keepdim: true, grad: false)
    let value = try F.sub(product, F.mul(y, total, false), false)
    guard grad else { return value }
    return Recorder.record(
      "SoftmaxBackwardDataBackward0", value, inputs: [g, y], saving: [g, y], grad: grad
    ) { gg, ctx throws(AutogradError) in
      let (g, y) = (ctx.saved[0], ctx.saved[1])
      let c = ctx.grad
      // softmax_double_backward: g_o * gg - sum(y * g_o, dim) * gg - g_o * sum(y * gg, dim)
      var dy: Tensor? = nil
      if ctx.needs(1) {
        let first = try F.mul(g, gg, c)
        let second = try F.mul(
          Reductions.sum(F.mul(y, g, c), dims: dims, keepdim: true, grad: c), gg, c)
        let third = try F.mul(
          g, Reductions.sum(F.mul(y, gg, c), dims: dims, keepdim: true, grad: c), c)
        dy = try F.sub(F.sub(first, second, c), third, c)
      }
      return [ctx.needs(0) ? try softmax(gg, y, dims: dims, grad: c) : nil, dy]
    }
  }

  /// `_log_softmax_backward_data(grad, y, dim)`: `g - exp(y) * sum(g, dim)`.
  static func logSoftmax(_ g: Tensor, _ y: Tensor, dims: [Int]?, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let total = try Reductions.sum(g, dims: dims, keepdim: true, grad: false)
    let value = try F.sub(
      g, F.mul(Elementwise.unary("exp", y, grad: false), total, false), false)
    guard grad else { return value }
    return Recorder.record(
      "LogSoftmaxBackwardDataBackward0", value, inputs: [g, y], saving: [g, y], grad: grad
    ) { gg, ctx throws(AutogradError) in
      let (g, y) = (ctx.saved[0], ctx.saved[1])
      let c = ctx.grad
      let p = try Elementwise.unary("exp", y, grad: c)
      return [
        // grad_output: gg - sum(gg * exp(y), dim)
        ctx.needs(0)
          ? try F.sub(gg, Reductions.sum(F.mul(gg, p, c), dims: dims, keepdim: true, grad: c), c)
          : nil,
        // output: -sum(g_o, dim) * exp(y) * gg
        ctx.needs(1)
          ? try F.mul(
            F.mul(F.neg(Reductions.sum(g, dims: dims, keepdim: true, grad: c), c), p, c), gg, c)
          : nil,
      ]
    }
  }
}
