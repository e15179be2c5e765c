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
    self.init(code: error.code.rawValue, detail: error.message)
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
