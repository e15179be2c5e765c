import HTTPServer
import HTTPTypes

extension AutogradService {
  /// problem+json for the answers the HTTP server gives before a request reaches the router (a body over the
  /// limit, a malformed request, a timeout, the connection cap), so clients see one error format everywhere.
  public static func serverErrorBody(status: Int) -> HTTPServerConfiguration.ErrorBody? {
    let (code, title, detail): (String, String, String)
    switch status {
    case 413:
      (code, title, detail) = (
        "payload_too_large", "Content Too Large", "the request body is over the configured limit"
      )
    case 408:
      (code, title, detail) = (
        "request_timeout", "Request Timeout", "the request did not arrive in time"
      )
    case 503:
      (code, title, detail) = (
        "unavailable", "Service Unavailable", "the server is at its connection limit"
      )
    case 415:
      (code, title, detail) = (
        "unsupported_media_type", "Unsupported Media Type", "unsupported Content-Encoding"
      )
    case 411:
      (code, title, detail) = (
        "length_required", "Length Required", "a request with a body needs Content-Length"
      )
    case 414:
      (code, title, detail) = (
        "uri_too_long", "URI Too Long", "the request target is over the limit"
      )
    case 431:
      (code, title, detail) = (
        "header_fields_too_large", "Request Header Fields Too Large",
        "the header section is over the limit"
      )
    case 417:
      (code, title, detail) = (
        "expectation_failed", "Expectation Failed", "only Expect: 100-continue is supported"
      )
    case 501:
      (code, title, detail) = (
        "not_implemented", "Not Implemented", "the method or transfer coding is not supported"
      )
    case 505:
      (code, title, detail) = (
        "http_version_not_supported", "HTTP Version Not Supported",
        "only HTTP/1.0 and HTTP/1.1 are served"
      )
    default:
      (code, title, detail) = ("bad_request", "Bad Request", "the request is not valid HTTP/1.1")
    }
    let error = ServiceError(HTTPResponse.Status(code: status, reasonPhrase: title), code, detail)
    return HTTPServerConfiguration.ErrorBody(
      contentType: "application/problem+json", bytes: Responses.problemBody(error))
  }
}
