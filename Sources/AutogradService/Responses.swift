import HTTPServer
import HTTPTypes
import TensorJSON

/// Building responses: JSON, text, no content, and problem+json from a `ServiceError`.
enum Responses {
  static func json(_ status: HTTPResponse.Status, _ body: [UInt8], location: String? = nil)
    -> HTTPServerResponse
  {
    var fields = Responses.fields(contentType: "application/json")
    if let location { fields.append(HTTPField(name: .location, value: location)) }
    return HTTPServerResponse(status: status, headerFields: fields, body: body)
  }

  static func text(_ status: HTTPResponse.Status, _ text: String, contentType: String)
    -> HTTPServerResponse
  {
    HTTPServerResponse(
      status: status, headerFields: Responses.fields(contentType: contentType),
      body: Array(text.utf8))
  }

  /// A fresh list with room for what every response gets later (`X-Request-Id`, maybe `Location`): appending
  /// into reserved room, where the subscript setter would scan and splice, allocates once per response.
  static func fields(contentType: String) -> HTTPFields {
    var fields = HTTPFields()
    fields.reserveCapacity(4)
    fields.append(HTTPField(name: .contentType, value: contentType))
    return fields
  }

  static func noContent() -> HTTPServerResponse {
    HTTPServerResponse(status: .noContent)
  }

  static func problem(_ error: ServiceError) -> HTTPServerResponse {
    var fields = Responses.fields(contentType: "application/problem+json")
    if let allow = error.allow { fields.append(HTTPField(name: .allow, value: allow)) }
    return HTTPServerResponse(status: error.status, headerFields: fields, body: problemBody(error))
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
