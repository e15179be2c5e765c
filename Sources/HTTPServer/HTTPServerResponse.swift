import HTTPTypes

/// What the application answers. The server adds framing headers (`Content-Length`, `Date`, `Connection`).
/// A `Connection: close` field from the application closes the connection after the response.
public struct HTTPServerResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]
    /// `Content-Type`, written by the server after `headerFields` (whose own Content-Type it then replaces): a
    /// response that needs no other field then costs no field list, which is an allocation per response, and no
    /// `HTTPField` checks. Written sanitised, as every field value is.
    public var contentType: String?
    /// `X-Request-Id`, written like `contentType`.
    public var requestID: String?

    public init(
        status: HTTPResponse.Status, headerFields: HTTPFields = [:], contentType: String? = nil, body: [UInt8] = []
    ) {
        self.status = status
        self.headerFields = headerFields
        self.contentType = contentType
        self.body = body
    }

    /// Every field the application set, `contentType` and `requestID` included, as they go on the wire (for tests
    /// and inspection; the server writes them without building this).
    public var allHeaderFields: HTTPFields {
        var fields = headerFields
        if let contentType {
            fields[.contentType] = nil
            fields.append(HTTPField(name: .contentType, value: contentType))
        }
        if let requestID {
            fields[Self.requestIDName] = nil
            fields.append(HTTPField(name: Self.requestIDName, value: requestID))
        }
        return fields
    }

    package static let requestIDName = HTTPField.Name("X-Request-Id")!
}
