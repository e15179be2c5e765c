import HTTPTypes

/// The one error type that flows from a handler to the wire as `application/problem+json` (RFC 9457).
/// Engine errors become this through `ServiceError(_: AutogradError)`, the only place that maps codes to statuses.
struct ServiceError: Error, Sendable {
  var status: HTTPResponse.Status
  var code: String
  var detail: String
  /// The failing op of a batch.
  var opIndex: Int?
  /// Where an `/eval` program failed (1-based).
  var line: Int?
  var column: Int?
  /// What an `/eval` program printed before it failed.
  var stdout: String?
  /// For 405: the methods the path does take.
  var allow: String?

  init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
    self.status = status
    self.code = code
    self.detail = detail
  }

  static func invalidArgument(_ detail: String) -> ServiceError {
    ServiceError(.badRequest, "invalid_argument", detail)
  }

  static func invalidJSON(_ detail: String) -> ServiceError {
    ServiceError(.badRequest, "invalid_json", detail)
  }

  static func notFound(_ detail: String) -> ServiceError {
    ServiceError(.notFound, "not_found", detail)
  }

  static func limitExceeded(_ detail: String) -> ServiceError {
    ServiceError(.tooManyRequests, "limit_exceeded", detail)
  }

  static func unsupportedMediaType(_ detail: String) -> ServiceError {
    ServiceError(.unsupportedMediaType, "unsupported_media_type", detail)
  }

  static func invalidOp(_ detail: String) -> ServiceError {
    ServiceError(.unprocessableContent, "invalid_op", detail)
  }

  static func methodNotAllowed(allow: String) -> ServiceError {
    var error = ServiceError(
      .methodNotAllowed, "method_not_allowed", "method not allowed on this path")
    error.allow = allow
    return error
  }
}
