import HTTPTypes

/// The head in swift-http-types' vocabulary, for code that wants all of it (tests, rare routes); the server's hot
/// path never builds it.
extension HTTPServerRequest {
    /// A request built in code: the head is kept as the bytes the parser would have kept.
    public init(head: HTTPRequest, body: [UInt8], isHEAD: Bool = false) {
        let bytes = RequestHeadBytes(
            method: Array(head.method.rawValue.utf8), path: Array((head.path ?? "").utf8),
            scheme: head.scheme.map { Array($0.utf8) }, authority: head.authority.map { Array($0.utf8) },
            fields: head.headerFields.map { (name: Array($0.name.rawName.utf8), value: Array($0.value.utf8)) })
        self.init(parsedHead: bytes, body: body, isHEAD: isHEAD)
        self.method = head.method
    }

    /// The whole head as an `HTTPRequest`, built on each read (several allocations; the accessors `path`,
    /// `headerValue` and `withHeaderValue` need none). Setting it replaces the head.
    public var head: HTTPRequest {
        get {
            let bytes = headBytes
            var fields = HTTPFields()
            fields.reserveCapacity(bytes.fieldCount)
            for index in 0..<bytes.fieldCount {
                let nameBytes = bytes.bytes(bytes.name(at: index))
                // Names were checked as tokens, so this never drops a field in practice.
                guard let name = Self.commonName(nameBytes) ?? HTTPField.Name(Self.string(nameBytes)) else {
                    continue
                }
                fields.append(Self.field(name, bytes.bytes(bytes.value(at: index))))
            }
            let path = Self.string(bytes.bytes(bytes.path))
            return HTTPRequest(
                method: method, scheme: bytes.scheme.map { Self.string(bytes.bytes($0)).lowercased() },
                authority: bytes.authority.map { Self.string(bytes.bytes($0)) },
                path: path.isEmpty ? nil : path, headerFields: fields)
        }
        set {
            self = HTTPServerRequest(head: newValue, body: body, isHEAD: isHEAD)
        }
    }

    /// Through a buffer pointer: `String(decoding:as:)` on an `ArraySlice` takes a generic path that looks up type
    /// metadata on every call.
    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// ASCII values (nearly all) through a String built from a buffer pointer; other bytes as they are (obs-text is
    /// not UTF-8, and decoding would replace it).
    private static func field(_ name: HTTPField.Name, _ value: ArraySlice<UInt8>) -> HTTPField {
        value.withUnsafeBufferPointer { bytes in
            if bytes.allSatisfy({ $0 < 0x80 }) {
                return HTTPField(name: name, value: String(decoding: bytes, as: UTF8.self))
            }
            return HTTPField(name: name, value: bytes)
        }
    }

    /// The fields nearly every request carries, as the library's prebuilt names: no String to build, validate and
    /// lower-case per field.
    private static let commonNames: [(bytes: [UInt8], name: HTTPField.Name)] =
        ([
            .contentType, .contentLength, .accept, .acceptEncoding, .userAgent, .connection,
            .authorization, .transferEncoding, .contentEncoding, .expect,
        ]
        // HTTPTypes keeps no `.host` (it wants the authority pseudo-field); the server passes Host on as a field.
        + [HTTPField.Name("Host")].compactMap { $0 }).map { (Array($0.canonicalName.utf8), $0) }

    private static func commonName(_ bytes: ArraySlice<UInt8>) -> HTTPField.Name? {
        commonNames.first { common in
            common.bytes.count == bytes.count
                && zip(common.bytes, bytes).allSatisfy { $0 == ByteClass.lowercased($1) }
        }?.name
    }
}
