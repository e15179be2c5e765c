@testable import HTTPServer

/// What the parser made of a whole input, whatever way it was cut.
enum ParseOutcome: Equatable, CustomStringConvertible {
    case request(method: String, target: String, fields: [String], body: String, info: RequestHeadInfo, consumed: Int)
    case failed(HTTPParseError)
    case incomplete

    var description: String {
        switch self {
        case .request(let method, let target, let fields, let body, _, let consumed):
            "request(\(method) \(target) \(fields) body=\(body.debugDescription) consumed=\(consumed))"
        case .failed(let error): "failed(\(error))"
        case .incomplete: "incomplete"
        }
    }

    var info: RequestHeadInfo? {
        if case .request(_, _, _, _, let info, _) = self { info } else { nil }
    }
}

/// Feeds `chunks` one after the other until the first message completes or fails.
func parse(chunks: [[UInt8]], limits: HTTPParserLimits = HTTPParserLimits()) -> ParseOutcome {
    var parser = HTTPRequestParser(limits: limits)
    var total = 0
    for chunk in chunks {
        var offset = 0
        while true {
            let (consumed, step) = chunk.withUnsafeBufferPointer { buffer in
                parser.parse(UnsafeBufferPointer(rebasing: buffer[offset...]))
            }
            offset += consumed
            total += consumed
            switch step {
            case .needMore:
                break
            case .headComplete:
                continue
            case .messageComplete:
                let fields = parser.fields.map {
                    String(decoding: parser.bytes($0.name), as: UTF8.self) + "="
                        + String(decoding: parser.bytes($0.value), as: UTF8.self)
                }
                return .request(
                    method: String(decoding: parser.bytes(parser.method), as: UTF8.self),
                    target: String(decoding: parser.bytes(parser.target), as: UTF8.self),
                    fields: fields, body: String(decoding: parser.body, as: UTF8.self), info: parser.head,
                    consumed: total)
            case .failed(let error):
                return .failed(error)
            }
            break
        }
    }
    return .incomplete
}

/// Parses `raw` whole, byte by byte, and split at every boundary; returns the outcome if all agree, else nil.
func parseEverySplit(_ raw: String, limits: HTTPParserLimits = HTTPParserLimits()) -> ParseOutcome? {
    let bytes = Array(raw.utf8)
    let whole = parse(chunks: [bytes], limits: limits)
    if parse(chunks: bytes.map { [$0] }, limits: limits) != whole { return nil }
    for split in 0...bytes.count {
        if parse(chunks: [Array(bytes[..<split]), Array(bytes[split...])], limits: limits) != whole { return nil }
    }
    return whole
}

func failure(_ raw: String, limits: HTTPParserLimits = HTTPParserLimits()) -> HTTPParseError? {
    if case .failed(let error) = parseEverySplit(raw, limits: limits) { return error }
    return nil
}
