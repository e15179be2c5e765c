/// A request head as bytes in one array: the parser's method, target and field bytes, then a table of where each
/// field's name and value sit in them. One allocation per request, where swift-http-types' `HTTPRequest` took
/// about three (fields, pseudo-fields, path) plus per-field validation and hashing the parser had already done.
///
/// Field names are tokens and values are checked field-value bytes without surrounding whitespace (the parser's
/// rules), so every value here would also be a legal `HTTPField.Value`.
package struct RequestHeadBytes: Sendable, Equatable {
    /// Head bytes, then `fieldCount` entries of four `Int`s (name start, name end, value start, value end).
    private var storage: [UInt8]
    private var tableStart: Int
    package private(set) var fieldCount: Int
    package private(set) var method: Range<Int>
    /// The target in origin form (path and query), `*`, or for an absolute-form target its path part.
    package private(set) var path: Range<Int>
    /// Only for an absolute-form target.
    package private(set) var scheme: Range<Int>?
    /// The absolute-form target's authority, else the Host field's value (RFC 9112 §3.2.2: the target's wins).
    package private(set) var authority: Range<Int>?

    private static let entryBytes = 4 * MemoryLayout<Int>.size

    /// The head the parser has just completed (`ParseStep.headComplete`), in the parser's own buffer: it is taken,
    /// not copied, and the table goes after the bytes in the room the parser reserved (`takeHeadBytes`).
    package init(taking parser: inout HTTPRequestParser) {
        // Read in place, never through a second reference: that would make the appends below copy the buffer.
        var storage = parser.takeHeadBytes()
        // Room for a "/" and the path again (absolute-form targets only), so nothing regrows more than once.
        let extra = parser.head.targetForm == .absolute ? parser.target.count + 1 : 0
        storage.reserveCapacity(storage.count + extra + parser.fields.count * Self.entryBytes)
        method = parser.method
        path = parser.target
        scheme = nil
        authority = nil
        if parser.head.targetForm == .absolute {
            let target = parser.target
            let schemeEnd = storage[target].firstIndex(of: UInt8(ascii: ":")) ?? target.lowerBound
            scheme = target.lowerBound..<schemeEnd
            // "://" follows the scheme: the parser accepted only http:// and https:// targets.
            let authorityStart = min(schemeEnd + 3, target.upperBound)
            let pathStart =
                storage[authorityStart..<target.upperBound].firstIndex {
                    $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?")
                } ?? target.upperBound
            authority = authorityStart..<pathStart
            path = pathStart..<target.upperBound
            if path.isEmpty || storage[pathStart] == UInt8(ascii: "?") {
                // "http://h" and "http://h?q" mean "/" and "/?q": the path gets its slash after the head bytes.
                let query = Array(storage[path])
                let start = storage.count
                storage.append(UInt8(ascii: "/"))
                storage.append(contentsOf: query)
                path = start..<storage.count
            }
        }
        if authority == nil, let host = parser.head.hostField, host < parser.fields.count {
            authority = parser.fields[host].value
        }
        tableStart = storage.count
        fieldCount = parser.fields.count
        for field in parser.fields {
            Self.appendEntry(field.name, field.value, to: &storage)
        }
        self.storage = storage
    }

    /// Hands the storage back (to the parser, `HTTPRequestParser.recycleHeadBytes`); the head is empty after.
    package mutating func takeStorage() -> [UInt8] {
        var taken: [UInt8] = []
        swap(&taken, &storage)
        tableStart = 0
        fieldCount = 0
        method = 0..<0
        path = 0..<0
        scheme = nil
        authority = nil
        return taken
    }

    /// A head from its parts (a request built in code, or one with fields removed); names and values are taken as
    /// they are.
    package init(
        method: some Collection<UInt8>, path: some Collection<UInt8>, scheme: [UInt8]?, authority: [UInt8]?,
        fields: [(name: [UInt8], value: [UInt8])]
    ) {
        var storage: [UInt8] = []
        func append(_ bytes: some Collection<UInt8>) -> Range<Int> {
            let start = storage.count
            storage.append(contentsOf: bytes)
            return start..<storage.count
        }
        self.method = append(method)
        self.path = append(path)
        self.scheme = scheme.map { append($0) }
        self.authority = authority.map { append($0) }
        var ranges: [(Range<Int>, Range<Int>)] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            ranges.append((append(field.name), append(field.value)))
        }
        tableStart = storage.count
        fieldCount = fields.count
        for (name, value) in ranges {
            Self.appendEntry(name, value, to: &storage)
        }
        self.storage = storage
    }

    private static func appendEntry(_ name: Range<Int>, _ value: Range<Int>, to storage: inout [UInt8]) {
        appendInt(name.lowerBound, to: &storage)
        appendInt(name.upperBound, to: &storage)
        appendInt(value.lowerBound, to: &storage)
        appendInt(value.upperBound, to: &storage)
    }

    private static func appendInt(_ value: Int, to storage: inout [UInt8]) {
        withUnsafeBytes(of: value) { storage.append(contentsOf: $0) }
    }

    /// Entry `k` (0...3) of field `index`'s table row; an empty range's bound for an index past the table.
    private func tableInt(_ index: Int, _ k: Int) -> Int {
        let at = tableStart + index * Self.entryBytes + k * MemoryLayout<Int>.size
        guard index >= 0, index < fieldCount, at + MemoryLayout<Int>.size <= storage.count else { return 0 }
        return storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: Int.self) }
    }

    package func name(at index: Int) -> Range<Int> {
        tableInt(index, 0)..<max(tableInt(index, 0), tableInt(index, 1))
    }

    package func value(at index: Int) -> Range<Int> {
        tableInt(index, 2)..<max(tableInt(index, 2), tableInt(index, 3))
    }

    /// `body` over the bytes of `range` (one of this head's ranges; clamped to the storage otherwise).
    package func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let lower = min(max(range.lowerBound, 0), storage.count)
        let upper = min(max(range.upperBound, lower), storage.count)
        return try storage.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[lower..<upper]))
        }
    }

    package func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        let lower = min(max(range.lowerBound, 0), storage.count)
        let upper = min(max(range.upperBound, lower), storage.count)
        return storage[lower..<upper]
    }

    /// Whether field `index`'s name is `lowercaseName` (RFC 9110 §5.1: names compare without case).
    package func nameMatches(at index: Int, _ lowercaseName: UnsafeBufferPointer<UInt8>) -> Bool {
        let name = self.name(at: index)
        guard name.count == lowercaseName.count else { return false }
        return withBytes(name) { bytes in
            for k in 0..<bytes.count where ByteClass.lowercased(bytes[k]) != lowercaseName[k] {
                return false
            }
            return true
        }
    }

    /// Indices of the fields named `lowercaseName`, in order.
    package func fieldIndices(named lowercaseName: UnsafeBufferPointer<UInt8>) -> [Int] {
        (0..<fieldCount).filter { nameMatches(at: $0, lowercaseName) }
    }

    /// The first field named `lowercaseName`, and whether another one follows.
    package func firstField(named lowercaseName: UnsafeBufferPointer<UInt8>) -> (index: Int, more: Bool)? {
        var first: Int?
        for index in 0..<fieldCount where nameMatches(at: index, lowercaseName) {
            if first != nil { return (first ?? index, true) }
            first = index
        }
        return first.map { ($0, false) }
    }

    /// The same head without the fields named `lowercaseName` (a decoded body drops its Content-Encoding).
    package func removingFields(named lowercaseName: UnsafeBufferPointer<UInt8>) -> RequestHeadBytes {
        var fields: [(name: [UInt8], value: [UInt8])] = []
        for index in 0..<fieldCount where !nameMatches(at: index, lowercaseName) {
            fields.append((Array(bytes(name(at: index))), Array(bytes(value(at: index)))))
        }
        return RequestHeadBytes(
            method: bytes(method), path: bytes(path), scheme: scheme.map { Array(bytes($0)) },
            authority: authority.map { Array(bytes($0)) }, fields: fields)
    }
}
