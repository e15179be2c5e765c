extension JSONValue {
  /// The default nesting limit: deeper documents are refused rather than risking the stack.
  public static let defaultMaxDepth = 64

  /// Parses one JSON document (RFC 8259, strictly: no trailing commas, comments, leading zeros, NaN literals, lone
  /// surrogates, invalid UTF-8 or a byte-order mark; surrounding whitespace allowed; duplicate keys refused).
  ///
  /// `float32Member`: when the document is an object, its member of that name, if it is a rectangular nested list
  /// of numbers, arrives as `.float32Tensor` (read straight to float32, see `JSONValue.float32Tensor`); any other
  /// value of that member arrives as usual. Only for callers that want that member as a float32 tensor.
  public static func parse(
    _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, float32Member: String? = nil
  ) throws(JSONError) -> JSONValue {
    let result: Result<JSONValue, JSONError> = bytes.withUnsafeBytes { raw in
      Result { () throws(JSONError) in
        try parse(raw, maxDepth: maxDepth, float32Member: float32Member)
      }
    }
    return try result.get()
  }

  public static func parse(
    _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth, float32Member: String? = nil
  ) throws(JSONError) -> JSONValue {
    guard let base = bytes.baseAddress, !bytes.isEmpty else {
      throw JSONError(offset: 0, message: "expected a value, found end of input")
    }
    var parser = JSONParser(
      base: base.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth)
    parser.float32Member = float32Member
    return try parser.parseDocument()
  }
}

/// Recursive descent over a byte buffer. Recursion depth is capped by `maxDepth`, so `[[[[...` cannot exhaust the
/// stack. Every read is preceded by an explicit `i < count` check.
struct JSONParser {
  let p: UnsafePointer<UInt8>
  let count: Int
  let maxDepth: Int
  var i = 0
  /// The length of the last packed number array: tensor rows come in runs of equal length, so the next one is
  /// reserved at that size instead of regrowing from empty.
  var packedLengthHint = 0
  /// The top-level object's member read with `parseFloat32Tensor` when it is a nested list of numbers.
  var float32Member: String? = nil

  init(base: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
    self.p = base
    self.count = count
    self.maxDepth = maxDepth
  }

  mutating func parseDocument() throws(JSONError) -> JSONValue {
    let value = try parseValue(depth: 0)
    skipWhitespace()
    if i < count {
      throw error("unexpected \(describe(p[i])) after the end of the document")
    }
    return value
  }

  func error(_ message: String, at offset: Int? = nil) -> JSONError {
    JSONError(offset: offset ?? i, message: message)
  }

  func describe(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    let hex = String(byte, radix: 16, uppercase: true)
    return "byte 0x\(hex.count < 2 ? "0" + hex : hex)"
  }

  /// What was found at the current position, for "expected X, found Y".
  func found() -> String {
    i < count ? describe(p[i]) : "end of input"
  }

  @inline(__always)
  mutating func skipWhitespace() {
    while i < count {
      let b = p[i]
      guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
      i += 1
    }
  }

  @inline(__always)
  static func isNumberStart(_ b: UInt8) -> Bool {
    b == UInt8(ascii: "-") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
  }

  mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
    skipWhitespace()
    guard i < count else { throw error("expected a value, found end of input") }
    switch p[i] {
    case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
    case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectLiteral("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral("null")
      return .null
    case let b where Self.isNumberStart(b):
      let (value, isInteger) = try parseNumber()
      return .number(value, isInteger: isInteger)
    default:
      throw error("expected a value, found \(found())")
    }
  }

  mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
    let n = literal.utf8CodeUnitCount
    let start = i
    for k in 0..<n {
      guard i < count, p[i] == literal.utf8Start[k] else {
        throw error("invalid literal, expected '\(literal)'", at: start)
      }
      i += 1
    }
  }

  mutating func enter(_ depth: Int) throws(JSONError) {
    if depth > maxDepth {
      throw error("nesting deeper than \(maxDepth) levels")
    }
  }

  mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
    try enter(depth)
    let open = i
    i += 1
    skipWhitespace()
    if i < count && p[i] == UInt8(ascii: "]") {
      i += 1
      return .array([])
    }
    if i < count && Self.isNumberStart(p[i]), let packed = try parsePackedNumbers() {
      return packed
    }
    // Not (only) numbers: parse element by element from the start.
    i = open + 1
    var elements: [JSONValue] = []
    // Room for short lists (op arguments) in one allocation instead of growing 1 → 2 → 4.
    elements.reserveCapacity(4)
    while true {
      elements.append(try parseValue(depth: depth))
      skipWhitespace()
      guard i < count else { throw error("expected ',' or ']', found end of input") }
      if p[i] == UInt8(ascii: ",") {
        i += 1
      } else if p[i] == UInt8(ascii: "]") {
        i += 1
        return .array(elements)
      } else {
        throw error("expected ',' or ']', found \(found())")
      }
    }
  }

  /// The fast path for tensor data: an array of numbers only, without an enum per element. Returns nil (position
  /// unspecified) at the first element that is not a number, so the caller starts over in the general path.
  mutating func parsePackedNumbers() throws(JSONError) -> JSONValue? {
    var values: [Double] = []
    // Every number takes at least two bytes with its separator, so the hint never reserves past the input.
    values.reserveCapacity(min(packedLengthHint, (count - i) / 2 + 1))
    var allIntegers = true
    while true {
      let (value, isInteger) = try parseNumber()
      values.append(value)
      allIntegers = allIntegers && isInteger
      skipWhitespace()
      guard i < count else { throw error("expected ',' or ']', found end of input") }
      if p[i] == UInt8(ascii: ",") {
        i += 1
        skipWhitespace()
        guard i < count, Self.isNumberStart(p[i]) else { return nil }
      } else if p[i] == UInt8(ascii: "]") {
        i += 1
        packedLengthHint = values.count
        return .numbers(values, allIntegers: allIntegers)
      } else {
        throw error("expected ',' or ']', found \(found())")
      }
    }
  }

  /// Skips whitespace; whether a list opens here.
  private mutating func startsList() -> Bool {
    skipWhitespace()
    return i < count && p[i] == UInt8(ascii: "[")
  }

  mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
    try enter(depth)
    i += 1
    // Past a few keys, a set keeps duplicate detection linear for hostile bodies with many keys.
    var seen: Set<String>? = nil
    skipWhitespace()
    if i < count && p[i] == UInt8(ascii: "}") {
      i += 1
      return .object(JSONObject())  // `{}` (an empty backward body) allocates nothing
    }
    var object = JSONObject(capacity: 6)
    while true {
      skipWhitespace()
      guard i < count, p[i] == UInt8(ascii: "\"") else {
        throw error("expected a string key, found \(found())")
      }
      let keyOffset = i
      let key = try parseString()
      if seen != nil {
        if seen?.insert(key).inserted == false {
          throw error("duplicate key \"\(key)\"", at: keyOffset)
        }
      } else {
        if object.hasKey(key) { throw error("duplicate key \"\(key)\"", at: keyOffset) }
        if object.count >= 16 { seen = Set(object.keys + [key]) }
      }
      skipWhitespace()
      guard i < count, p[i] == UInt8(ascii: ":") else {
        throw error("expected ':' after object key, found \(found())")
      }
      i += 1
      let value: JSONValue
      if depth == 1, let member = float32Member, key == member, startsList(),
        let tensor = parseFloat32Tensor(depth: depth + 1)
      {
        value = .float32Tensor(tensor)
      } else {
        value = try parseValue(depth: depth)
      }
      object.appendUnchecked(key, value)
      skipWhitespace()
      guard i < count else { throw error("expected ',' or '}', found end of input") }
      if p[i] == UInt8(ascii: ",") {
        i += 1
      } else if p[i] == UInt8(ascii: "}") {
        i += 1
        return .object(object)
      } else {
        throw error("expected ',' or '}', found \(found())")
      }
    }
  }
}
