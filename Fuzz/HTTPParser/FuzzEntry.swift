// libFuzzer entry point for the request parser; built by scripts/fuzz-http.sh together with the parser sources.

/// Parses `chunks` one after another like the connection does, recording what came out.
private func run(_ chunks: [UnsafeBufferPointer<UInt8>], limits: HTTPParserLimits) -> [String] {
    var parser = HTTPRequestParser(limits: limits)
    var events: [String] = []
    for chunk in chunks {
        var offset = 0
        while true {
            let (consumed, step) = parser.parse(UnsafeBufferPointer(rebasing: chunk[offset...]))
            precondition(consumed >= 0 && consumed <= chunk.count - offset, "consumed out of range")
            offset += consumed
            switch step {
            case .needMore:
                precondition(offset == chunk.count, "needMore left bytes unconsumed")
            case .headComplete:
                for field in parser.fields {
                    precondition(field.name.upperBound <= parser.headBytes.count, "name out of range")
                    precondition(field.value.upperBound <= parser.headBytes.count, "value out of range")
                }
                precondition(parser.fields.count <= limits.maxHeaderCount, "header count limit broken")
                checkHeadBytes(parser)
                events.append("head")
                continue
            case .messageComplete:
                precondition(parser.body.count <= limits.maxBodyBytes, "body limit broken")
                if case .length(let length) = parser.head.framing {
                    precondition(parser.body.count == length, "Content-Length not honoured")
                }
                events.append("message \(parser.body.count) \(parser.fields.count)")
                parser.reset()
                if offset < chunk.count { continue }
            case .failed(let error):
                events.append("failed \(error)")
                return events
            }
            break
        }
    }
    return events
}

/// The handler's view of the head (`RequestHeadBytes`) holds the parser's bytes, and finds every field by its name.
private func checkHeadBytes(_ parser: HTTPRequestParser) {
    // Taken from a copy: the parser's own buffer must stay for the checks below and the rest of the run.
    var lent = parser
    let head = RequestHeadBytes(taking: &lent)
    precondition(head.fieldCount == parser.fields.count, "field count differs")
    precondition(!head.bytes(head.path).isEmpty, "empty path")
    for (index, field) in parser.fields.enumerated() {
        precondition(head.bytes(head.name(at: index)).elementsEqual(parser.bytes(field.name)), "name differs")
        precondition(head.bytes(head.value(at: index)).elementsEqual(parser.bytes(field.value)), "value differs")
        let lowercaseName = parser.bytes(field.name).map(ByteClass.lowercased)
        let found = lowercaseName.withUnsafeBufferPointer { head.firstField(named: $0) }
        precondition(found.map { $0.index <= index } ?? false, "field not found by its name")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPParser(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    // The first byte chooses the mode; odd: drive the connection state machine instead of the bare parser.
    let mode = input[0]
    let payload = UnsafeBufferPointer(rebasing: input[1...])
    if mode & 1 == 1 {
        fuzzStateMachine(payload)
        return 0
    }
    let limits = HTTPParserLimits(
        maxRequestLineBytes: 256, maxHeaderSectionBytes: 512, maxHeaderCount: 8, maxBodyBytes: 1024,
        maxChunkLineBytes: 64, maxTrailerSectionBytes: 128)
    let whole = run([payload], limits: limits)
    // Any cut must give the same result as the whole: the parser keeps no hidden assumptions about boundaries.
    if payload.count > 1 {
        let cut = Int(mode >> 1) % payload.count
        let split = run(
            [
                UnsafeBufferPointer(rebasing: payload[..<cut]),
                UnsafeBufferPointer(rebasing: payload[cut...]),
            ],
            limits: limits)
        precondition(whole == split, "split at \(cut) changed the outcome: \(whole) vs \(split)")
    }
    return 0
}
