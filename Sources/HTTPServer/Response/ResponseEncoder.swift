import HTTPTypes

/// Serialises a response head. Framing fields (`Content-Length`, `Transfer-Encoding`, `Connection`, `Date`) are the
/// server's: the application's copies are dropped and ours written from the facts.
enum ResponseEncoder {
    struct Framing {
        var keepAlive: Bool
        /// The request was HTTP/1.0: keep-alive must be said explicitly.
        var http10: Bool
        var isHEAD: Bool
    }

    /// RFC 9110 §6.4.1, §8.6: no content and no Content-Length for 1xx, 204 and 304.
    static func statusAllowsBody(_ code: Int) -> Bool {
        !(code < 200 || code == 204 || code == 304)
    }

    /// Appends the head to `out`; returns whether body bytes may follow it on the wire.
    @discardableResult
    static func encodeHead(
        status: HTTPResponse.Status, fields: HTTPFields, contentType: String? = nil, requestID: String? = nil,
        bodyCount: Int, framing: Framing, date: [UInt8],
        into out: inout [UInt8]
    ) -> Bool {
        let code = status.code
        appendStatusLine(code: code, reason: status.reasonPhrase, into: &out)
        for field in fields {
            let name = field.name
            if name == .contentLength || name == .transferEncoding || name == .connection || name == .date
                || name == keepAliveName || (contentType != nil && name == .contentType)
                || (requestID != nil && name == HTTPServerResponse.requestIDName)
            {
                continue
            }
            out.append(contentsOf: field.name.rawName.utf8)
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            appendSanitized(field.value, into: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        if let contentType {
            out.append(contentsOf: contentTypeName)
            appendSanitized(contentType, into: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        if let requestID {
            out.append(contentsOf: requestIDName)
            appendSanitized(requestID, into: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        out.append(contentsOf: dateName)
        out.append(contentsOf: date)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        let hasBody = statusAllowsBody(code)
        if hasBody {
            out.append(contentsOf: contentLengthName)
            appendDecimal(bodyCount, into: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        if !framing.keepAlive {
            out.append(contentsOf: connectionClose)
        } else if framing.http10 {
            out.append(contentsOf: connectionKeepAlive)
        }
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        return hasBody && !framing.isHEAD
    }

    /// The head of an error answer for parser failures and timeouts (its body, if any, is `body`); always closes.
    static func encodeError(
        status: Int, date: [UInt8], body: HTTPServerConfiguration.ErrorBody?, into out: inout [UInt8]
    ) {
        appendStatusLine(
            code: status, reason: HTTPResponse.Status(code: status).reasonPhrase, into: &out)
        out.append(contentsOf: dateName)
        out.append(contentsOf: date)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        if let body {
            out.append(contentsOf: contentTypeName)
            appendSanitized(body.contentType, into: &out)
            out.append(ByteClass.cr)
            out.append(ByteClass.lf)
        }
        out.append(contentsOf: contentLengthName)
        out.append(contentsOf: Array(String(body?.bytes.count ?? 0).utf8))
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
        out.append(contentsOf: connectionClose)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    private static let keepAliveName = HTTPField.Name("keep-alive")
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    private static let dateName = Array("Date: ".utf8)
    private static let contentLengthName = Array("Content-Length: ".utf8)
    private static let contentTypeName = Array("Content-Type: ".utf8)
    private static let requestIDName = Array("X-Request-Id: ".utf8)
    private static let connectionClose = Array("Connection: close\r\n".utf8)
    private static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)

    /// Reason phrases for statuses built from a bare code (`HTTPResponse.Status(code:)` leaves the phrase empty).
    private static let reasonPhrases: [Int: String] = {
        let known: [HTTPResponse.Status] = [
            .switchingProtocols, .earlyHints, .ok, .created, .accepted, .nonAuthoritativeInformation, .noContent,
            .resetContent, .partialContent, .multipleChoices, .movedPermanently, .found, .seeOther, .notModified,
            .temporaryRedirect, .permanentRedirect, .badRequest, .unauthorized, .forbidden, .notFound,
            .methodNotAllowed,
            .notAcceptable, .proxyAuthenticationRequired, .requestTimeout, .conflict, .gone, .lengthRequired,
            .preconditionFailed, .contentTooLarge, .uriTooLong, .unsupportedMediaType, .rangeNotSatisfiable,
            .expectationFailed, .misdirectedRequest, .unprocessableContent, .tooEarly, .upgradeRequired,
            .preconditionRequired, .tooManyRequests, .requestHeaderFieldsTooLarge, .unavailableForLegalReasons,
            .internalServerError, .notImplemented, .badGateway, .serviceUnavailable, .gatewayTimeout,
            .httpVersionNotSupported, .networkAuthenticationRequired,
        ]
        return Dictionary(known.map { ($0.code, $0.reasonPhrase) }, uniquingKeysWith: { first, _ in first })
    }()

    /// `HTTP/1.1 <code> <reason>\r\n` of the known statuses with their standard phrase, written once.
    private static let statusLines: [Int: (reason: String, line: [UInt8])] = {
        var lines: [Int: (reason: String, line: [UInt8])] = [:]
        for (code, reason) in reasonPhrases {
            var line: [UInt8] = []
            writeStatusLine(code: code, reason: reason, into: &line)
            lines[code] = (reason, line)
        }
        return lines
    }()

    private static func appendStatusLine(code: Int, reason: String, into out: inout [UInt8]) {
        let reason = reason.isEmpty ? reasonPhrases[code] ?? "" : reason
        if let known = statusLines[code], known.reason == reason {
            out.append(contentsOf: known.line)
        } else {
            writeStatusLine(code: code, reason: reason, into: &out)
        }
    }

    private static func writeStatusLine(code: Int, reason: String, into out: inout [UInt8]) {
        out.append(contentsOf: httpVersion)
        let clamped = min(max(code, 100), 999)
        out.append(UInt8(ascii: "0") + UInt8(clamped / 100))
        out.append(UInt8(ascii: "0") + UInt8(clamped / 10 % 10))
        out.append(UInt8(ascii: "0") + UInt8(clamped % 10))
        out.append(ByteClass.sp)
        appendSanitized(reason, into: &out)
        out.append(ByteClass.cr)
        out.append(ByteClass.lf)
    }

    private static let httpVersion = Array("HTTP/1.1 ".utf8)

    /// Response splitting defence (RFC 9110 §5.5): CR, LF, NUL and other CTLs never reach the wire from user data.
    private static func appendSanitized(_ value: String, into out: inout [UInt8]) {
        let clean = value.utf8.withContiguousStorageIfAvailable { bytes in
            guard bytes.allSatisfy(ByteClass.isFieldValueByte) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if clean == true { return }
        for byte in value.utf8 {
            out.append(ByteClass.isFieldValueByte(byte) ? byte : ByteClass.sp)
        }
    }

    static func appendDecimal(_ value: Int, into out: inout [UInt8]) {
        guard value > 0 else {
            out.append(UInt8(ascii: "0"))
            return
        }
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while remaining > 0 && count < buffer.count {
                buffer[count] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) {
                out.append(buffer[index])
            }
        }
    }
}
