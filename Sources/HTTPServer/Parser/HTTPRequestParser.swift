/// One field line of the head: name and value as ranges into `HTTPRequestParser.headBytes`
/// (the value without its leading and trailing whitespace).
package struct ParsedField: Equatable, Sendable {
    package var name: Range<Int>
    package var value: Range<Int>
}

/// What `HTTPRequestParser.parse` reached with the bytes it was given.
package enum ParseStep: Equatable, Sendable {
    /// Every byte was consumed; the message is not finished.
    case needMore
    /// The head is complete and valid (`head` is set); call `parse` again for the body.
    case headComplete
    /// The whole message is here; read it, then `reset()` before the next one.
    case messageComplete
    /// The request is refused; the parser stays failed.
    case failed(HTTPParseError)
}

/// An incremental HTTP/1.1 request parser: a state machine over raw bytes that never frames with `String`.
///
/// The caller hands it whatever bytes arrived; it copies the head into `headBytes` and the de-chunked body into
/// `body`, checks every limit before keeping bytes, and stops right after the head (so the caller can answer
/// `Expect: 100-continue` or a 413 before the body arrives) and right after the message (so pipelined bytes stay
/// in the caller's buffer).
package struct HTTPRequestParser: Sendable {
    package let limits: HTTPParserLimits
    /// Method, target, version, and field names and values, back to back.
    package private(set) var headBytes: [UInt8] = []
    package private(set) var fields: [ParsedField] = []
    package private(set) var method: Range<Int> = 0..<0
    package private(set) var target: Range<Int> = 0..<0
    package private(set) var versionMinor: UInt8 = 1
    /// Set when `.headComplete` is returned.
    package private(set) var head = RequestHeadInfo()
    package private(set) var body: [UInt8] = []

    private var state: State = .lineStart
    private var lineBytes = 0
    private var emptyLines = 0
    private var versionStart = 0
    private var nameStart = 0
    private var nameEnd = 0
    private var valueStart = 0
    private var valueEnd = 0
    private var chunkSize = 0
    private var chunkDigits = 0
    private var trailerBytes = 0

    private enum State: Equatable, Sendable {
        case lineStart, leadingLF
        case method, target, version, requestLineLF
        case fieldStart, fieldName, valueLeadingSpace, value, fieldLF, headEndLF
        case lengthBody(remaining: Int)
        case chunkSize, chunkExtension, chunkSizeLF
        case chunkData(remaining: Int)
        case chunkDataCR, chunkDataLF
        case trailerStart, trailerName, trailerValue, trailerLF, trailerEndLF
        case complete
        case failed(HTTPParseError)
    }

    package init(limits: HTTPParserLimits = HTTPParserLimits()) {
        self.limits = limits
        headBytes.reserveCapacity(Self.headCapacity)
        fields.reserveCapacity(16)
    }

    /// True once any byte of a message was consumed (an idle keep-alive connection may be closed silently,
    /// a half-received request deserves a status).
    package var hasPartialMessage: Bool {
        state != .lineStart || emptyLines > 0
    }

    package var isComplete: Bool { state == .complete }

    /// Prepares for the next message on the same connection, keeping allocated capacity.
    package mutating func reset() {
        headBytes.removeAll(keepingCapacity: true)
        // The buffer went with the last request (`takeHeadBytes`) and did not come back.
        if headBytes.capacity < Self.headCapacity { headBytes.reserveCapacity(Self.headCapacity) }
        fields.removeAll(keepingCapacity: true)
        body = []
        method = 0..<0
        target = 0..<0
        versionMinor = 1
        head = RequestHeadInfo()
        state = .lineStart
        lineBytes = 0
        emptyLines = 0
        chunkSize = 0
        chunkDigits = 0
        trailerBytes = 0
    }

    /// Hands the body over to the caller without copying it.
    package mutating func takeBody() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &body)
        return taken
    }

    /// Empty once `takeHeadBytes` took the buffer.
    package func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        range.upperBound <= headBytes.count ? headBytes[range] : []
    }

    /// Room for a usual head and its field table (`RequestHeadBytes`), so neither regrows.
    private static let headCapacity = 512

    /// Hands the head's buffer over without copying it (`RequestHeadBytes(taking:)`): the ranges stay valid in it.
    /// The parser is left with no head bytes until `reset`, which finds a buffer again: the same one if the request
    /// gave it back (`recycleHeadBytes`), else a fresh one.
    package mutating func takeHeadBytes() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &headBytes)
        return taken
    }

    /// Takes back a buffer from `takeHeadBytes` whose request is done with it; kept only while the parser has none.
    package mutating func recycleHeadBytes(_ buffer: consuming [UInt8]) {
        guard headBytes.capacity == 0 else { return }
        headBytes = buffer
    }

    /// Consumes bytes up to the end of the head, the end of the message, an error, or the end of `input`.
    package mutating func parse(_ input: UnsafeBufferPointer<UInt8>) -> (
        consumed: Int, step: ParseStep
    ) {
        var i = 0
        let n = input.count
        while i < n {
            switch state {
            case .lineStart:
                let byte = input[i]
                if byte == ByteClass.cr {
                    state = .leadingLF
                    i += 1
                } else if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else {
                    state = .method
                    lineBytes = 0
                    method = headBytes.count..<headBytes.count
                }

            case .leadingLF:
                guard input[i] == ByteClass.lf else { return fail(.bareCR, at: i) }
                i += 1
                emptyLines += 1
                // RFC 9112 §2.2 asks to tolerate one empty line before a request; a stream of them is noise.
                if emptyLines > 4 { return fail(.tooManyEmptyLines, at: i) }
                state = .lineStart

            case .method:
                var j = i
                while j < n && ByteClass.isToken(input[j]) { j += 1 }
                let length = method.count + (j - i)
                if length > limits.maxMethodBytes { return fail(.methodNotImplemented, at: j) }
                headBytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                method = method.lowerBound..<headBytes.count
                lineBytes += j - i
                i = j
                guard i < n else { break }
                guard input[i] == ByteClass.sp, !method.isEmpty else { return fail(.badRequestLine, at: i) }
                i += 1
                lineBytes += 1
                target = headBytes.count..<headBytes.count
                state = .target

            case .target:
                var j = i
                while j < n && ByteClass.isTargetByte(input[j]) { j += 1 }
                if lineBytes + (j - i) > limits.maxRequestLineBytes {
                    return fail(.requestTargetTooLong, at: j)
                }
                headBytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                target = target.lowerBound..<headBytes.count
                lineBytes += j - i
                i = j
                guard i < n else { break }
                let byte = input[i]
                if byte == ByteClass.sp && !target.isEmpty {
                    i += 1
                    lineBytes += 1
                    versionStart = headBytes.count
                    state = .version
                } else if byte == ByteClass.cr || byte == ByteClass.lf || byte == ByteClass.sp {
                    // HTTP/0.9 ("GET /\r\n"), an empty target or a double space.
                    return fail(.badRequestLine, at: i)
                } else {
                    return fail(.badRequestTarget, at: i)
                }

            case .version:
                let byte = input[i]
                if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else if byte == ByteClass.cr {
                    if let error = validateVersion() { return fail(error, at: i) }
                    i += 1
                    state = .requestLineLF
                } else {
                    // "HTTP/1.1" is eight bytes; anything longer is not a version.
                    guard headBytes.count - versionStart < 8 else { return fail(.badRequestLine, at: i) }
                    headBytes.append(byte)
                    i += 1
                }
                lineBytes += 1
                if lineBytes > limits.maxRequestLineBytes { return fail(.requestTargetTooLong, at: i) }

            case .requestLineLF:
                guard input[i] == ByteClass.lf else { return fail(.bareCR, at: i) }
                i += 1
                if lineBytes + 1 > limits.maxRequestLineBytes { return fail(.requestTargetTooLong, at: i) }
                lineBytes = 0
                state = .fieldStart

            case .fieldStart:
                let byte = input[i]
                if byte == ByteClass.cr {
                    state = .headEndLF
                } else if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else if byte == ByteClass.sp || byte == ByteClass.htab {
                    // obs-fold, or whitespace between the request line and the first field (RFC 9112 §2.2, §5.2).
                    return fail(.obsoleteLineFolding, at: i)
                } else if ByteClass.isToken(byte) {
                    if fields.count >= limits.maxHeaderCount { return fail(.tooManyHeaderFields, at: i) }
                    nameStart = headBytes.count
                    headBytes.append(byte)
                    state = .fieldName
                } else {
                    return fail(.invalidFieldName, at: i)
                }
                i += 1
                lineBytes += 1
                if lineBytes > limits.maxHeaderSectionBytes { return fail(.headerSectionTooLarge, at: i) }

            case .fieldName:
                var j = i
                while j < n && ByteClass.isToken(input[j]) { j += 1 }
                if lineBytes + (j - i) > limits.maxHeaderSectionBytes {
                    return fail(.headerSectionTooLarge, at: j)
                }
                headBytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                lineBytes += j - i
                i = j
                guard i < n else { break }
                let byte = input[i]
                if byte == ByteClass.colon {
                    nameEnd = headBytes.count
                    i += 1
                    lineBytes += 1
                    state = .valueLeadingSpace
                } else if byte == ByteClass.sp || byte == ByteClass.htab {
                    return fail(.whitespaceBeforeColon, at: i)
                } else {
                    return fail(.invalidFieldName, at: i)
                }

            case .valueLeadingSpace:
                let byte = input[i]
                if byte == ByteClass.sp || byte == ByteClass.htab {
                    i += 1
                    lineBytes += 1
                    if lineBytes > limits.maxHeaderSectionBytes { return fail(.headerSectionTooLarge, at: i) }
                } else {
                    valueStart = headBytes.count
                    valueEnd = valueStart
                    state = .value
                }

            case .value:
                var j = i
                var lastSignificant = -1
                while j < n {
                    let byte = input[j]
                    guard ByteClass.isFieldValueByte(byte) else { break }
                    if byte != ByteClass.sp && byte != ByteClass.htab { lastSignificant = j }
                    j += 1
                }
                if lineBytes + (j - i) > limits.maxHeaderSectionBytes {
                    return fail(.headerSectionTooLarge, at: j)
                }
                let appendedAt = headBytes.count
                headBytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<j]))
                if lastSignificant >= 0 { valueEnd = appendedAt + (lastSignificant - i) + 1 }
                lineBytes += j - i
                i = j
                guard i < n else { break }
                let byte = input[i]
                if byte == ByteClass.cr {
                    // Trailing whitespace stays in headBytes but outside the value's range.
                    fields.append(ParsedField(name: nameStart..<nameEnd, value: valueStart..<valueEnd))
                    i += 1
                    lineBytes += 1
                    state = .fieldLF
                } else if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else {
                    return fail(.invalidFieldValue, at: i)
                }

            case .fieldLF:
                guard input[i] == ByteClass.lf else { return fail(.bareCR, at: i) }
                i += 1
                lineBytes += 1
                if lineBytes > limits.maxHeaderSectionBytes { return fail(.headerSectionTooLarge, at: i) }
                state = .fieldStart

            case .headEndLF:
                guard input[i] == ByteClass.lf else { return fail(.bareCR, at: i) }
                i += 1
                switch analyzeHead() {
                case .failure(let error):
                    return fail(error, at: i)
                case .success(let info):
                    head = info
                }
                switch head.framing {
                case .none, .length(0):
                    state = .complete
                case .length(let length):
                    // A kept buffer (an earlier upload's) costs nothing to take at once; fresh memory waits for data.
                    if !LargeBufferPool.adoptKept(&body, count: length) {
                        body.reserveCapacity(min(length, 1 << 20))
                    }
                    state = .lengthBody(remaining: length)
                case .chunked:
                    chunkSize = 0
                    chunkDigits = 0
                    lineBytes = 0
                    state = .chunkSize
                }
                return (i, .headComplete)

            case .lengthBody(let remaining):
                let take = min(remaining, n - i)
                if body.capacity - body.count < take {
                    // The first MiB has really arrived: reserve the rest of the declared length (already checked
                    // against `maxBodyBytes`) once, instead of regrowing 1 → 2 → 4 → 8 → 16 MiB with a copy each.
                    LargeBufferPool.reserve(&body, count: body.count + remaining)
                    LargeBodyBuffer.adviseHugePages(body)
                }
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                if take == remaining {
                    state = .complete
                    return (i, .messageComplete)
                }
                state = .lengthBody(remaining: remaining - take)

            case .chunkSize:
                let byte = input[i]
                if let digit = ByteClass.hexValue(byte) {
                    let (shifted, overflow) = chunkSize.multipliedReportingOverflow(by: 16)
                    guard !overflow, chunkDigits < 15 else { return fail(.invalidChunkSize, at: i) }
                    chunkSize = shifted | Int(digit)
                    chunkDigits += 1
                } else if chunkDigits == 0 {
                    return fail(.invalidChunkSize, at: i)
                } else if byte == ByteClass.cr {
                    state = .chunkSizeLF
                } else if byte == UInt8(ascii: ";") || byte == ByteClass.sp || byte == ByteClass.htab {
                    state = .chunkExtension
                } else if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else {
                    return fail(.invalidChunkSize, at: i)
                }
                i += 1
                lineBytes += 1

            case .chunkExtension:
                // Extensions are ignored (RFC 9112 §7.1.1) but bounded, and may not hide a line break.
                let byte = input[i]
                if byte == ByteClass.cr {
                    state = .chunkSizeLF
                } else if byte == ByteClass.lf {
                    return fail(.bareLF, at: i)
                } else if !ByteClass.isFieldValueByte(byte) {
                    return fail(.invalidChunkExtension, at: i)
                }
                i += 1
                lineBytes += 1
                if lineBytes > limits.maxChunkLineBytes { return fail(.invalidChunkExtension, at: i) }

            case .chunkSizeLF:
                guard input[i] == ByteClass.lf else { return fail(.bareCR, at: i) }
                i += 1
                lineBytes = 0
                if chunkSize == 0 {
                    trailerBytes = 0
                    state = .trailerStart
                } else {
                    guard chunkSize <= limits.maxBodyBytes - body.count else {
                        return fail(.bodyTooLarge, at: i)
                    }
                    state = .chunkData(remaining: chunkSize)
                }

            case .chunkData(let remaining):
                let take = min(remaining, n - i)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[i..<(i + take)]))
                i += take
                state = take == remaining ? .chunkDataCR : .chunkData(remaining: remaining - take)

            case .chunkDataCR:
                guard input[i] == ByteClass.cr else { return fail(.invalidChunkTerminator, at: i) }
                i += 1
                state = .chunkDataLF

            case .chunkDataLF:
                guard input[i] == ByteClass.lf else { return fail(.invalidChunkTerminator, at: i) }
                i += 1
                chunkSize = 0
                chunkDigits = 0
                state = .chunkSize

            case .trailerStart, .trailerName, .trailerValue, .trailerLF, .trailerEndLF:
                // Trailers are checked and discarded: they must never change framing or routing (RFC 9110 §6.5).
                let byte = input[i]
                i += 1
                trailerBytes += 1
                if trailerBytes > limits.maxTrailerSectionBytes {
                    return fail(.trailerSectionTooLarge, at: i)
                }
                if let error = stepTrailer(byte) { return fail(error, at: i) }
                if state == .complete { return (i, .messageComplete) }

            case .complete:
                return (i, .messageComplete)

            case .failed(let error):
                return (i, .failed(error))
            }
        }
        switch state {
        case .complete: return (i, .messageComplete)
        case .failed(let error): return (i, .failed(error))
        default: return (i, .needMore)
        }
    }

    private mutating func stepTrailer(_ byte: UInt8) -> HTTPParseError? {
        switch state {
        case .trailerStart:
            if byte == ByteClass.cr {
                state = .trailerEndLF
            } else if byte == ByteClass.sp || byte == ByteClass.htab {
                return .obsoleteLineFolding
            } else if ByteClass.isToken(byte) {
                state = .trailerName
            } else {
                return byte == ByteClass.lf ? .bareLF : .invalidTrailer
            }
        case .trailerName:
            if byte == ByteClass.colon {
                state = .trailerValue
            } else if !ByteClass.isToken(byte) {
                return .invalidTrailer
            }
        case .trailerValue:
            if byte == ByteClass.cr {
                state = .trailerLF
            } else if !ByteClass.isFieldValueByte(byte) {
                return byte == ByteClass.lf ? .bareLF : .invalidTrailer
            }
        case .trailerLF:
            guard byte == ByteClass.lf else { return .bareCR }
            state = .trailerStart
        case .trailerEndLF:
            guard byte == ByteClass.lf else { return .bareCR }
            state = .complete
        default:
            break
        }
        return nil
    }

    /// HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3).
    private mutating func validateVersion() -> HTTPParseError? {
        let version = headBytes[versionStart...]
        guard version.count == 8, version.starts(with: "HTTP/".utf8) else { return .badRequestLine }
        let major = version[versionStart + 5]
        let dot = version[versionStart + 6]
        let minor = version[versionStart + 7]
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard isDigit(major), dot == UInt8(ascii: "."), isDigit(minor) else { return .badRequestLine }
        guard major == UInt8(ascii: "1") else { return .versionNotSupported }
        versionMinor = minor - UInt8(ascii: "0")
        return nil
    }

    private mutating func fail(_ error: HTTPParseError, at index: Int) -> (
        consumed: Int, step: ParseStep
    ) {
        state = .failed(error)
        return (index, .failed(error))
    }
}
