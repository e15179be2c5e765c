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
            path = String(decoding: target, as: UTF8.self)
        case .asterisk:
            path = "*"
        case .absolute:
            // RFC 9112 §3.2.2: the target's authority wins over Host.
            let schemeEnd = target.firstIndex(of: UInt8(ascii: ":")) ?? target.startIndex
            scheme = String(decoding: target[target.startIndex..<schemeEnd], as: UTF8.self).lowercased()
            let authorityStart = min(schemeEnd + 3, target.endIndex)
            let rest = target[authorityStart...]
            let pathStart =
                rest.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? rest.endIndex
            authority = String(decoding: rest[rest.startIndex..<pathStart], as: UTF8.self)
            path = String(decoding: rest[pathStart...], as: UTF8.self)
            if path.isEmpty || path.utf8.first == UInt8(ascii: "?") { path = "/" + path }
        }
        if authority == nil, let host = info.hostField {
            authority = String(decoding: parser.bytes(parser.fields[host].value), as: UTF8.self)
        }

        var fields = HTTPFields()
        fields.reserveCapacity(parser.fields.count)
        for field in parser.fields {
            // Names were checked as tokens, so this never drops a field in practice.
            guard let name = HTTPField.Name(String(decoding: parser.bytes(field.name), as: UTF8.self))
            else {
                continue
            }
            fields.append(HTTPField(name: name, value: parser.bytes(field.value)))
        }
        // HEAD is presented as GET so every GET route answers it; the server drops the body (`isHEAD`).
        let method = info.isHEAD ? HTTPRequest.Method.get : method(parser.bytes(parser.method))
        return HTTPRequest(
            method: method, scheme: scheme, authority: authority, path: path, headerFields: fields)
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
