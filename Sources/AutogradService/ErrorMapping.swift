import Autograd
import HTTPTypes
import TensorJSON

extension ServiceError {
  /// The one mapping from API.md's error codes to HTTP statuses; engine and /eval errors come through here with
  /// PyTorch's message as `detail`.
  init(code: String, detail: String) {
    let status: HTTPResponse.Status
    switch code {
    case "invalid_json", "invalid_argument": status = .badRequest
    case "unauthorized": status = .unauthorized
    case "not_found": status = .notFound
    case "method_not_allowed": status = .methodNotAllowed
    case "graph_freed", "modified_inplace": status = .conflict
    case "payload_too_large": status = .contentTooLarge
    case "unsupported_media_type": status = .unsupportedMediaType
    case "limit_exceeded": status = .tooManyRequests
    default: status = .unprocessableContent
    }
    self.init(status, code, detail)
  }

  init(_ error: AutogradError) {
    switch (error.code, error.pythonErrorClass) {
    case (_, "TypeError"?), (_, "ValueError"?):
      // The binding's argument errors are PyTorch's TypeErrors: a refused op, not a malformed request. A
      // dtype_mismatch from the engine stands for dtype words in the lines of PyTorch's text not kept here.
      let code =
        error.code == .dtypeMismatch
        ? "dtype_mismatch" : TorchErrorClass.code(typeError: error.message)
      self.init(code: code, detail: error.message)
    case (.shapeMismatch, _), (.dtypeMismatch, _), (.invalidOp, _):
      self.init(code: TorchErrorClass.code(runtimeError: error.message), detail: error.message)
    default:
      self.init(code: error.code.rawValue, detail: error.message)
    }
  }

  /// A value that should be a tensor but is not (ragged, wrong element): 400 with the position.
  init(_ error: TensorLiteralError, field: String) {
    self.init(.badRequest, "invalid_argument", "\(field): \(error.message)")
  }
}

/// Runs an engine call, turning its error into the service's.
@inline(__always)
func engine<T>(_ body: () throws(AutogradError) -> T) throws(ServiceError) -> T {
  do {
    return try body()
  } catch {
    throw ServiceError(error)
  }
}

/// API.md's codes for PyTorch's own errors, decided from the message as the PyTorch reference service decides them
/// (competitors/torch_service `classify_torch_error`), so that the same message always carries the same code.
enum TorchErrorClass {
  private static let dtypePatterns = [
    "dtype", "scalar type", "Only Tensors of floating point", "can't be cast", "result type",
    "expected both vectors to have same",
  ]
  private static let dtypeNames = ["Float", "Double", "Long", "dtype", "floating point"]
  private static let shapePatterns = [
    "size of tensor", "shape", "Size", "size", "dimension", "Dimension", "must match",
    "cannot be multiplied", "out of bounds", "1D tensors expected", "inconsistent", "Mismatch",
    "mismatch",
    "expected", "Expected", "out of range", "numel", "broadcast", "too many indices", "matrix",
    "-D tensor",
    "vector",
  ]

  /// PyTorch's IndexErrors whose text has no shape word; the reference makes every IndexError shape_mismatch.
  private static let indexErrors = [
    "invalid index of a 0-dim tensor", "slice() cannot be applied to a 0-dim tensor",
    "an index can only have a single ellipsis",
  ]

  /// A RuntimeError's code: the autograd texts first, then dtype words, then shape words, else `invalid_op`.
  static func code(runtimeError message: String) -> String {
    if let autograd = autogradCode(message) { return autograd }
    if indexErrors.contains(where: message.hasPrefix) { return "shape_mismatch" }
    if isDtype(message) { return "dtype_mismatch" }
    if shapePatterns.contains(where: message.contains) { return "shape_mismatch" }
    return "invalid_op"
  }

  /// A TypeError's or ValueError's code: only dtype words change it from `invalid_op`.
  static func code(typeError message: String) -> String {
    autogradCode(message) ?? (isDtype(message) ? "dtype_mismatch" : "invalid_op")
  }

  static func isDtype(_ message: String) -> Bool {
    dtypePatterns.contains(where: message.contains) && dtypeNames.contains(where: message.contains)
  }

  private static func autogradCode(_ message: String) -> String? {
    if message.contains("Trying to backward through the graph a second time")
      || message.contains("have already been freed")
    {
      return "graph_freed"
    }
    if message.contains("modified by an inplace operation") { return "modified_inplace" }
    if message.contains("leaf Variable that requires grad") { return "leaf_inplace" }
    if message.contains("does not require grad and does not have a grad_fn")
      || message.contains("One of the differentiated Tensors does not require grad")
    {
      return "no_grad_fn"
    }
    if message.contains("grad can be implicitly created only for scalar outputs") {
      return "implicit_grad_non_scalar"
    }
    return nil
  }
}
