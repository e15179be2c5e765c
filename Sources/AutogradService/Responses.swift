import HTTPServer
import HTTPTypes
import TensorJSON

/// Building responses: JSON, text, no content, and problem+json from a `ServiceError`.
enum Responses {
  static func json(_ status: HTTPResponse.Status, _ body: [UInt8], location: String? = nil)
    -> HTTPServerResponse
  {
    var fields = HTTPFields()
    if let location { fields.append(HTTPField(name: .location, value: location)) }
    return HTTPServerResponse(
      status: status, headerFields: fields, contentType: "application/json", body: body)
  }

  static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String)
    -> HTTPServerResponse
  {
    HTTPServerResponse(status: status, contentType: contentType, body: Array(text.utf8))
  }

  static func noContent() -> HTTPServerResponse {
    HTTPServerResponse(status: .noContent)
  }

  static func problem(_ error: ServiceError) -> HTTPServerResponse {
    var fields = HTTPFields()
    if let allow = error.allow { fields.append(HTTPField(name: .allow, value: allow)) }
    return HTTPServerResponse(
      status: error.status, headerFields: fields, contentType: "application/problem+json",
      body: problemBody(error))
  }

  static func problemBody(_ error: ServiceError) -> [UInt8] {
    var out = JSONWriter()
    out.beginObject()
    out.key("type")
    out.string("about:blank")
    out.key("title")
    out.string(error.status.reasonPhrase)
    out.key("status")
    out.int(error.status.code)
    out.key("code")
    out.string(error.code)
    out.key("detail")
    out.string(error.detail)
    if let opIndex = error.opIndex {
      out.key("op_index")
      out.int(opIndex)
    }
    if let line = error.line {
      out.key("line")
      out.int(line)
    }
    if let column = error.column {
      out.key("column")
      out.int(column)
    }
    if let stdout = error.stdout {
      out.key("stdout")
      out.string(stdout)
    }
    out.endObject()
    return out.bytes
  }
}
