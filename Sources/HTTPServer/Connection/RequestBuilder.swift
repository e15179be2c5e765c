import HTTPTypes

/// Turns the parser's validated bytes into swift-http-types vocabulary for the handler.
enum RequestBuilder {
    static func makeHead(from parser: HTTPRequestParser) -> HTTPRequest {
        let info = parser.head
        let target = parser.bytes(parser.target)
        var scheme: String?
        var authority: String?
        var path: String
        switch info.targetForm {
        case .origin:
            path = string(target)
        case .asterisk:
            path = "*"
        case .absolute:
            // RFC 9112 §3.2.2: the target's authority wins over Host.
            let schemeEnd = target.firstIndex(of: UInt8(ascii: ":")) ?? target.startIndex
            scheme = string(target[target.startIndex..<schemeEnd]).lowercased()
            let authorityStart = min(schemeEnd + 3, target.endIndex)
            let rest = target[authorityStart...]
            let pathStart =
                rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
            authority = string(rest[rest.startIndex..<pathStart])
            path = string(rest[pathStart...])
            if path.isEmpty || path.utf8.first == UInt8(ascii: "?") { path = "/" + path }
        }
        if authority == nil, let host = info.hostField {
            authority = string(parser.bytes(parser.fields[host].value))
        }

        var fields = HTTPFields()
        fields.reserveCapacity(parser.fields.count)
        for field in parser.fields {
            let nameBytes = parser.bytes(field.name)
            // Names were checked as tokens, so this never drops a field in practice.
            guard
                let name = commonName(nameBytes)
                    ?? HTTPField.Name(string(nameBytes))
            else {
                continue
            }
            fields.append(self.field(name, parser.bytes(field.value)))
        }
        // HEAD is presented as GET so every GET route answers it; the server drops the body (`isHEAD`).
        let method = info.isHEAD ? HTTPRequest.Method.get : method(parser.bytes(parser.method))
        return HTTPRequest(
            method: method, scheme: scheme, authority: authority, path: path, headerFields: fields)
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
            if let common = commonValue(bytes) { return HTTPField(name: name, value: common) }
            if bytes.allSatisfy({ $0 < 0x80 }) {
                return HTTPField(name: name, value: String(decoding: bytes, as: UTF8.self))
            }
            return HTTPField(name: name, value: bytes)
        }
    }

    /// Values past 15 bytes (longer Strings are not stored inline, so building one allocates) that nearly every
    /// JSON request carries, as literals, which need no storage of their own.
    private static func commonValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard bytes.count == 16, bytes.elementsEqual("application/json".utf8) else { return nil }
        return "application/json"
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
        bytes.withUnsafeBufferPointer { field in
            for common in commonNames where common.bytes.count == field.count {
                // Canonical names are lower case; ASCII letters compare case-insensitively with `| 0x20`.
                var equal = true
                for k in 0..<field.count where common.bytes[k] != field[k] | 0x20 && common.bytes[k] != field[k] {
                    equal = false
                    break
                }
                if equal { return common.name }
            }
            return nil
        }
    }

    private static func method(_ bytes: ArraySlice<UInt8>) -> HTTPRequest.Method {
        switch bytes.count {
        case 3 where bytes.elementsEqual("GET".utf8): .get
        case 3 where bytes.elementsEqual("PUT".utf8): .put
        case 4 where bytes.elementsEqual("POST".utf8): .post
        case 5 where bytes.elementsEqual("PATCH".utf8): .patch
        case 5 where bytes.elementsEqual("TRACE".utf8): .trace
        case 6 where bytes.elementsEqual("DELETE".utf8): .delete
        case 7 where bytes.elementsEqual("OPTIONS".utf8): .options
        // The parser admits only the methods above; anything else cannot reach here.
        default: HTTPRequest.Method(String(decoding: bytes, as: UTF8.self)) ?? .get
        }
    }
}
