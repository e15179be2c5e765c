/// How the body of a request is delimited (RFC 9112 §6.3).
package enum BodyFraming: Equatable, Sendable {
    case none
    case length(Int)
    case chunked
}

/// The form of the request-target (RFC 9112 §3.2).
package enum TargetForm: Equatable, Sendable {
    case origin
    case absolute
    case asterisk
}

/// What the head says about framing and the connection, decided on raw bytes.
package struct RequestHeadInfo: Equatable, Sendable {
    package var framing: BodyFraming = .none
    /// The connection may carry another request after this one (RFC 9112 §9.3).
    package var keepAlive = true
    /// The client waits for `100 Continue` before sending the body (ignored for HTTP/1.0 and bodiless requests).
    package var expectContinue = false
    package var isHEAD = false
    package var targetForm: TargetForm = .origin
    /// Index into `fields` of the one Host field, if any.
    package var hostField: Int?
    /// The request carries `Content-Encoding` (the decoder checks which).
    package var contentEncodingField: Int?
    package var acceptsGzip = false

    package init() {}
}

extension HTTPRequestParser {
    /// Methods this server implements; others are 501 (RFC 9110 §9.1). CONNECT is refused: we are no tunnel.
    /// QUERY (the IETF draft's safe method with a body) reaches the handler, which answers 405 where a path has
    /// no use for it, as API clients and schema testers expect.
    private static let knownMethods: [[UInt8]] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE", "QUERY",
    ].map { Array($0.utf8) }

    /// Applies the framing, Host, Expect and Connection rules once the whole head is in.
    mutating func analyzeHead() -> Result<RequestHeadInfo, HTTPParseError> {
        var info = RequestHeadInfo()
        let methodBytes = headBytes[method]
        guard Self.knownMethods.contains(where: { $0.elementsEqual(methodBytes) }) else {
            return .failure(.methodNotImplemented)
        }
        info.isHEAD = methodBytes.elementsEqual("HEAD".utf8)
        let isHTTP11 = versionMinor >= 1

        let targetBytes = headBytes[target]
        if targetBytes.first == UInt8(ascii: "/") {
            info.targetForm = .origin
        } else if targetBytes.elementsEqual("*".utf8) {
            guard methodBytes.elementsEqual("OPTIONS".utf8) else { return .failure(.badRequestTarget) }
            info.targetForm = .asterisk
        } else if Self.hasPrefixIgnoringCase(targetBytes, "http://")
            || Self.hasPrefixIgnoringCase(targetBytes, "https://")
        {
            info.targetForm = .absolute
        } else {
            return .failure(.badRequestTarget)
        }

        var contentLength: Int?
        var sawTransferEncoding = false
        var codings = TransferCodings()
        var closeRequested = false
        var keepAliveRequested = false
        var expectation: Range<Int>?

        for (index, field) in fields.enumerated() {
            let name = headBytes[field.name]
            let value = headBytes[field.value]
            switch name.count {
            case 4 where Self.equalsIgnoringCase(name, "host"):
                guard info.hostField == nil else { return .failure(.duplicateHost) }
                guard value.allSatisfy(Self.isHostByte) else { return .failure(.invalidHost) }
                info.hostField = index
            case 14 where Self.equalsIgnoringCase(name, "content-length"):
                guard contentLength == nil else { return .failure(.duplicateContentLength) }
                guard let length = Self.parseDecimal(value) else { return .failure(.invalidContentLength) }
                contentLength = length
            case 17 where Self.equalsIgnoringCase(name, "transfer-encoding"):
                sawTransferEncoding = true
                if let error = codings.add(value) { return .failure(error) }
            case 10 where Self.equalsIgnoringCase(name, "connection"):
                Self.forEachListElement(value) { token in
                    if Self.equalsIgnoringCase(token, "close") { closeRequested = true }
                    if Self.equalsIgnoringCase(token, "keep-alive") { keepAliveRequested = true }
                }
            case 6 where Self.equalsIgnoringCase(name, "expect"):
                expectation = field.value
            case 16 where Self.equalsIgnoringCase(name, "content-encoding"):
                info.contentEncodingField = index
            case 15 where Self.equalsIgnoringCase(name, "accept-encoding"):
                if Self.acceptsGzip(value) { info.acceptsGzip = true }
            default:
                break
            }
        }

        // RFC 9112 §3.2: exactly one Host on HTTP/1.1 (absolute-form still needs it there, and it is then ignored).
        if isHTTP11 && info.hostField == nil { return .failure(.missingHost) }

        if sawTransferEncoding {
            // RFC 9112 §6.1: TE in HTTP/1.0 is faulty framing; §6.3 rule 3: TE with CL is a smuggling shape.
            guard isHTTP11 else { return .failure(.transferEncodingOnHTTP10) }
            guard contentLength == nil else { return .failure(.contentLengthWithTransferEncoding) }
            if let error = codings.validate() { return .failure(error) }
            info.framing = .chunked
        } else if let contentLength {
            guard contentLength <= limits.maxBodyBytes else { return .failure(.bodyTooLarge) }
            info.framing = contentLength == 0 ? .none : .length(contentLength)
        }

        // HTTP/1.0 has no chunked coding, so a body needs Content-Length (RFC 1945 §7.2.2); without one an
        // HTTP/1.0 client sending a body would have it read as the next request.
        if !isHTTP11 && contentLength == nil
            && (methodBytes.elementsEqual("POST".utf8) || methodBytes.elementsEqual("PUT".utf8)
                || methodBytes.elementsEqual("PATCH".utf8))
        {
            return .failure(.lengthRequired)
        }

        if let expectation, isHTTP11 {
            guard Self.equalsIgnoringCase(headBytes[expectation], "100-continue") else {
                return .failure(.unsupportedExpectation)
            }
            info.expectContinue = info.framing != .none
        }

        info.keepAlive = !closeRequested && (isHTTP11 || keepAliveRequested)
        return .success(info)
    }

    /// 1*DIGIT with overflow checks; no sign, no spaces, no list (RFC 9110 §8.6).
    static func parseDecimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// reg-name, IPv4, IP-literal and port characters (RFC 3986 §3.2.2); enough to keep junk out of `:authority`.
    static func isHostByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            "-._~!$&'()*+,;=%:[]".utf8.contains(byte)
        }
    }

    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            var index = bytes.startIndex
            for byte in expected {
                guard ByteClass.lowercased(bytes[index]) == byte else { return false }
                index += 1
            }
            return true
        }
    }

    static func hasPrefixIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercase: StaticString) -> Bool {
        let count = lowercase.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return equalsIgnoringCase(bytes[bytes.startIndex..<(bytes.startIndex + count)], lowercase)
    }

    /// Calls `body` with each non-empty element of a comma-separated list, without surrounding whitespace.
    static func forEachListElement(_ bytes: ArraySlice<UInt8>, _ body: (ArraySlice<UInt8>) -> Void) {
        var start = bytes.startIndex
        while start <= bytes.endIndex {
            var end = start
            while end < bytes.endIndex && bytes[end] != UInt8(ascii: ",") { end += 1 }
            var lower = start
            var upper = end
            while lower < upper && (bytes[lower] == ByteClass.sp || bytes[lower] == ByteClass.htab) {
                lower += 1
            }
            while upper > lower
                && (bytes[upper - 1] == ByteClass.sp || bytes[upper - 1] == ByteClass.htab)
            {
                upper -= 1
            }
            if lower < upper { body(bytes[lower..<upper]) }
            start = end + 1
        }
    }

    /// `gzip` (or `x-gzip`, or `*`) listed without `q=0`.
    static func acceptsGzip(_ value: ArraySlice<UInt8>) -> Bool {
        // An explicit gzip entry decides; `*` only speaks for codings not listed (RFC 9110 §12.5.3).
        var explicit: Bool?
        var wildcard = false
        forEachListElement(value) { element in
            var nameEnd = element.startIndex
            while nameEnd < element.endIndex && ByteClass.isToken(element[nameEnd]) { nameEnd += 1 }
            let coding = element[element.startIndex..<nameEnd]
            let weighted = !isZeroQuality(element[nameEnd...])
            if equalsIgnoringCase(coding, "gzip") || equalsIgnoringCase(coding, "x-gzip") {
                explicit = (explicit ?? false) || weighted
            } else if coding.elementsEqual("*".utf8) {
                wildcard = weighted
            }
        }
        return explicit ?? wildcard
    }

    /// Whether parameters such as `;q=0` or `; q=0.000` give the coding zero weight.
    private static func isZeroQuality(_ parameters: ArraySlice<UInt8>) -> Bool {
        let compact = parameters.filter { $0 != ByteClass.sp && $0 != ByteClass.htab }.map(
            ByteClass.lowercased)
        guard let q = compact.firstRange(of: Array(";q=".utf8)) else { return false }
        let weight = compact[q.upperBound...].prefix { $0 != UInt8(ascii: ";") }
        return !weight.isEmpty
            && weight.allSatisfy { $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: ".") }
    }
}

/// The transfer codings of a request, collected over every Transfer-Encoding line.
struct TransferCodings {
    private var count = 0
    private var lastIsChunked = false
    private var chunkedCount = 0
    private var sawUnknown = false
    private var sawEmpty = false

    mutating func add(_ value: ArraySlice<UInt8>) -> HTTPParseError? {
        // Every element must be a bare token: "chunked;x", quoted strings or empty members are refused outright,
        // the shapes behind most TE smuggling reports ("chunked,", "chunked\t", "ch nked").
        var error: HTTPParseError?
        var elements = 0
        HTTPRequestParser.forEachListElement(value) { element in
            elements += 1
            guard element.allSatisfy(ByteClass.isToken) else {
                error = .chunkedNotFinal
                return
            }
            count += 1
            if HTTPRequestParser.equalsIgnoringCase(element, "chunked") {
                chunkedCount += 1
                lastIsChunked = true
            } else {
                sawUnknown = true
                lastIsChunked = false
            }
        }
        var commas = 0
        for byte in value where byte == UInt8(ascii: ",") { commas += 1 }
        if elements == 0 || commas != elements - 1 { sawEmpty = true }
        return error
    }

    func validate() -> HTTPParseError? {
        // RFC 9112 §6.3 rule 4: the final coding must be chunked; §6.1: other codings we do not implement → 501.
        if sawEmpty || count == 0 || !lastIsChunked { return .chunkedNotFinal }
        if sawUnknown { return .transferCodingNotImplemented }
        if chunkedCount > 1 { return .chunkedNotFinal }
        return nil
    }
}
