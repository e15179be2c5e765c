/// The one error type of the engine: an API code (see API.md) and PyTorch's message text.
public struct AutogradError: Error, Equatable, CustomStringConvertible {
  public enum Code: String, Sendable {
    case shapeMismatch = "shape_mismatch"
    case dtypeMismatch = "dtype_mismatch"
    case noGradFn = "no_grad_fn"
    case implicitGradNonScalar = "implicit_grad_non_scalar"
    case leafInplace = "leaf_inplace"
    case invalidOp = "invalid_op"
    case graphFreed = "graph_freed"
    case modifiedInplace = "modified_inplace"
    case invalidArgument = "invalid_argument"
  }

  public var code: Code
  public var message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { "\(code.rawValue): \(message)" }

  /// The Python exception PyTorch raises with this message: `TypeError` for argument-binding errors,
  /// `ValueError` for the few checks PyTorch makes with TORCH_CHECK_VALUE or in Python, else `RuntimeError`.
  /// Errors that are the request's own (an unreadable index or dtype name) are not PyTorch's: nil.
  public var pythonErrorClass: String? {
    let valueErrors = [
      "Expected input batch_size", "For 1D input, 1D target must have size 1",
      "step must be greater than zero",
    ]
    if valueErrors.contains(where: message.hasPrefix)
      || message.hasSuffix(" is not a valid value for reduction")
    {
      return "ValueError"
    }
    if message.contains("() received an invalid combination of arguments") { return "TypeError" }
    guard code == .invalidArgument else { return "RuntimeError" }
    let requestErrors = ["cannot parse index", "unknown dtype", "dtype must be"]
    return requestErrors.contains(where: message.hasPrefix) ? nil : "TypeError"
  }

  static func shape(_ message: String) -> AutogradError { AutogradError(.shapeMismatch, message) }
  static func invalidOp(_ message: String) -> AutogradError { AutogradError(.invalidOp, message) }
  static func argument(_ message: String) -> AutogradError {
    AutogradError(.invalidArgument, message)
  }

  static let backwardTwice = AutogradError(
    .graphFreed,
    "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward."
  )
  static let floatingRequiresGrad = AutogradError(
    .dtypeMismatch, "Only Tensors of floating point and complex dtype can require gradients")
  static let leafInplace = AutogradError(
    .leafInplace, "a leaf Variable that requires grad is being used in an in-place operation.")
  static let viewOfLeafInplace = AutogradError(
    .leafInplace,
    "a view of a leaf Variable that requires grad is being used in an in-place operation.")

  /// `Dimension out of range (expected to be in range of [-2, 1], but got 2)`.
  static func dimOutOfRange(_ dim: Int, rank: Int) -> AutogradError {
    let r = max(rank, 1)
    return .shape(
      "Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
  }
}

/// Formats a shape as PyTorch's `torch.Size([2, 2])` body: `[2, 2]`.
func shapeText(_ shape: [Int]) -> String {
  "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
