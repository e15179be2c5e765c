import HTTPTypes

/// A request as the server hands it to the application: the parsed head and the whole (decoded) body.
public struct HTTPServerRequest: Sendable {
    public var head: HTTPRequest
    public var body: [UInt8]

    public init(head: HTTPRequest, body: [UInt8]) {
        self.head = head
        self.body = body
    }
}

/// What the application answers. The server adds framing headers (`Content-Length`, `Date`, `Connection`).
public struct HTTPServerResponse: Sendable {
    public var status: HTTPResponse.Status
    public var headerFields: HTTPFields
    public var body: [UInt8]

    public init(status: HTTPResponse.Status, headerFields: HTTPFields = [:], body: [UInt8] = []) {
        self.status = status
        self.headerFields = headerFields
        self.body = body
    }
}

/// The application's one entry point: a request in, a response out.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse
}
