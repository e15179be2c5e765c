/// `tensor op number` (`x + 2`, `y * 3`) without wrapping the Python number into a 0-d tensor: the same result
/// dtype (a wrapped number never promotes a floating tensor), grad_fn, saved values and gradients as the
/// wrapped path, which still serves every case these decline (integer tensors, strided inputs, `alpha`).
extension Elementwise {
  /// A Python number argument as the wrapped path would see it, and the dtype it would be wrapped in; nil for
  /// anything else, and for integers past 2^53, which the wrapped path rounds through Double differently.
  static func pythonNumber(_ v: OpArgument?) -> (value: Double, dtype: DType)? {
    switch v {
    case .int(let i)?: return i.magnitude <= 1 << 53 ? (Double(i), .int64) : nil
    case .double(let d)?: return (d, .float64)
    case .bool(let b)?: return (b ? 1 : 0, .int64)
    default: return nil
    }
  }

  /// `x + s` (`AddBackward0`), or nil when `x` is not a dense floating tensor of its own.
  static func addNumber(_ x: Tensor, _ s: Double, grad: Bool) -> Tensor? {
    guard !x.isWrappedNumber, let out = Kernels.scalarOp(x, s, .add) else { return nil }
    return Recorder.record("AddBackward0", out, input: x, grad: grad) {
      g, _ throws(AutogradError) in
      [g, nil]
    }
  }

  /// `x * s` (`MulBackward0`), or nil when `x` is not a dense floating tensor of its own. The number is kept by
  /// value (a saved value of shape [] in the graph, as PyTorch's wrapped scalar).
  static func mulNumber(_ x: Tensor, _ s: Double, dtype: DType, grad: Bool) -> Tensor? {
    guard !x.isWrappedNumber, let out = Kernels.scalarOp(x, s, .mul) else { return nil }
    let result = Recorder.record("MulBackward0", out, input: x, grad: grad) {
      g, ctx throws(AutogradError) in
      if !ctx.grad, let product = Kernels.scalarOp(g, s, .mul) { return [product, nil] }
      return [try F.mul(g, Tensor.scalar(s, dtype: dtype), ctx.grad), nil]
    }
    result.gradFnStorage?.savedNumbers = 1
    return result
  }
}
