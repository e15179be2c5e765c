/// PyTorch's special cases for bool operands of arithmetic.
extension Elementwise {
  /// PyTorch refuses `-` when either side is a bool tensor: the result would silently be a logical op.
  static func refuseBoolSubtraction(_ a: Tensor, _ b: Tensor) throws(AutogradError) {
    guard a.dtype == .bool || b.dtype == .bool else { return }
    if a.dtype == .bool && b.dtype == .bool {
      throw .invalidOp(
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
      )
    }
    throw .invalidOp(
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
    )
  }

  /// Unary ops that keep an integral dtype behave differently on bool: some refuse it, `square` gives int64,
  /// `sign` keeps bool. Returns nil when the op's ordinary path is right.
  static func boolKeepsIntOp(_ op: String, _ x: Tensor) throws(AutogradError) -> Tensor? {
    switch op {
    case "neg":
      throw .invalidOp(
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
      )
    case "abs": throw .invalidOp("\"abs_cpu\" not implemented for 'Bool'")
    case "relu": throw .invalidOp("Boolean inputs not supported for relu")
    case "floor", "ceil", "round": throw .invalidOp("\"\(op)_vml_cpu\" not implemented for 'Bool'")
    case "square": return Kernels.map(x, dtype: .int64) { $0 }
    default: return nil
    }
  }
}
