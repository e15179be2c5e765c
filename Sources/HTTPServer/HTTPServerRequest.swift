import HTTPTypes

/// A request as the server hands it to the application: the parsed head, as the bytes that arrived, and the whole
/// (decoded) body.
///
/// The accessors read the head's bytes without building swift-http-types' `HTTPRequest`, whose fields cost
/// allocations, validation and hashing the parser has already done; `head` builds that request for code that
/// wants everything.
///
/// A `HEAD` request arrives as `GET` with `isHEAD` set: answer it like the GET, the server sends the same head
/// without the body (RFC 9110 §9.3.2). A gzip request body arrives inflated, its `Content-Encoding` removed.
public struct HTTPServerRequest: Sendable {
    /// The method; `GET` for a HEAD request (see `isHEAD`).
    public var method: HTTPRequest.Method
    public var body: [UInt8]
    /// The client asked with HEAD; the response body will not be sent.
    public var isHEAD: Bool
    package private(set) var headBytes: RequestHeadBytes

    package init(parsedHead: RequestHeadBytes, body: [UInt8], isHEAD: Bool) {
        self.headBytes = parsedHead
        self.body = body
        self.isHEAD = isHEAD
        // HEAD is presented as GET so every GET route answers it; the server drops the body (`isHEAD`).
        self.method = isHEAD ? .get : parsedHead.withBytes(parsedHead.method, Self.method)
    }

    /// The request-target's path and query (`/v1/items?limit=2`), `*` for `OPTIONS *`; for an absolute-form target
    /// its path part. A new String per call (no storage when it is at most 15 bytes): read it once.
    public var path: String {
        withPath { String(decoding: $0, as: UTF8.self) }
    }

    /// `path` as bytes, without building a String.
    public func withPath<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try headBytes.withBytes(headBytes.path, body)
    }

    /// The value of the header field `name` (names compare without case); several field lines with that name come
    /// joined with ", " (with "; " for Cookie), as `HTTPFields`' subscript joins them. Nil when there is none.
    public func headerValue(_ name: HTTPField.Name) -> String? {
        withHeaderValue(name) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// `headerValue` as bytes: no String is built, and nothing is allocated when one field line has the name.
    public func withHeaderValue<R>(
        _ name: HTTPField.Name, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R
    ) rethrows -> R {
        var canonical = name.canonicalName
        return try canonical.withUTF8 { lowercaseName in
            guard let (first, more) = headBytes.firstField(named: lowercaseName) else { return try body(nil) }
            guard more else { return try headBytes.withBytes(headBytes.value(at: first), body) }
            let separator = Array((name == .cookie ? "; " : ", ").utf8)
            var joined: [UInt8] = []
            for index in headBytes.fieldIndices(named: lowercaseName) {
                if index != first { joined.append(contentsOf: separator) }
                joined.append(contentsOf: headBytes.bytes(headBytes.value(at: index)))
            }
            return try joined.withUnsafeBufferPointer { try body($0) }
        }
    }

    /// The head's buffer, for the parser to reuse once the request is answered; the head is empty after.
    package mutating func takeHeadStorage() -> [UInt8] {
        headBytes.takeStorage()
    }

    /// Drops every field named `name` (after decoding the body, its Content-Encoding and Content-Length).
    package mutating func removeHeaderFields(_ name: HTTPField.Name) {
        var canonical = name.canonicalName
        headBytes = canonical.withUTF8 { headBytes.removingFields(named: $0) }
    }

    private static func method(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPRequest.Method {
        switch bytes.count {
        case 3 where bytes.elementsEqual("GET".utf8): .get
        case 3 where bytes.elementsEqual("PUT".utf8): .put
        case 4 where bytes.elementsEqual("POST".utf8): .post
        case 4 where bytes.elementsEqual("HEAD".utf8): .head
        case 5 where bytes.elementsEqual("PATCH".utf8): .patch
        case 5 where bytes.elementsEqual("TRACE".utf8): .trace
        case 6 where bytes.elementsEqual("DELETE".utf8): .delete
        case 7 where bytes.elementsEqual("OPTIONS".utf8): .options
        // Others the parser admits (QUERY) are tokens, which `Method` accepts; the fallback is never taken.
        default: HTTPRequest.Method(String(decoding: bytes, as: UTF8.self)) ?? .get
        }
    }
}
