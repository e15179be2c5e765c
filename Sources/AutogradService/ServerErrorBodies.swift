import HTTPServer
import HTTPTypes

extension AutogradService {
  /// problem+json for the answers the HTTP server gives before a request reaches the router (a body over the
  /// limit, a malformed request, a timeout, the connection cap), so clients see one error format everywhere.
  public static func serverErrorBody(status: Int) -> HTTPServerConfiguration.ErrorBody? {
    let (code, title, detail) = serverErrors[status] ?? badRequest
    let error = ServiceError(HTTPResponse.Status(code: status, reasonPhrase: title), code, detail)
    return HTTPServerConfiguration.ErrorBody(
      contentType: "application/problem+json", bytes: Responses.problemBody(error))
  }

  private typealias ServerError = (code: String, title: String, detail: String)

  private static let badRequest: ServerError = (
    "bad_request", "Bad Request", "the request is not valid HTTP/1.1"
  )

  private static let serverErrors: [Int: ServerError] = [
    413: (
      "payload_too_large", "Content Too Large", "the request body is over the configured limit"
    ),
    408: ("request_timeout", "Request Timeout", "the request did not arrive in time"),
    503: ("unavailable", "Service Unavailable", "the server is at its connection limit"),
    415: ("unsupported_media_type", "Unsupported Media Type", "unsupported Content-Encoding"),
    411: ("length_required", "Length Required", "a request with a body needs Content-Length"),
    414: ("uri_too_long", "URI Too Long", "the request target is over the limit"),
    431: (
      "header_fields_too_large", "Request Header Fields Too Large",
      "the header section is over the limit"
    ),
    417: ("expectation_failed", "Expectation Failed", "only Expect: 100-continue is supported"),
    501: ("not_implemented", "Not Implemented", "the method or transfer coding is not supported"),
    505: (
      "http_version_not_supported", "HTTP Version Not Supported",
      "only HTTP/1.0 and HTTP/1.1 are served"
    ),
  ]
}
