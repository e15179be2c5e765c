extension JSONParser {
  /// A string literal starting at the opening quote. Plain ASCII without escapes is copied in one go; anything
  /// else goes through the checked path (escapes, surrogate pairs, UTF-8 validation).
  mutating func parseString() throws(JSONError) -> String {
    i += 1
    let start = i
    while i < count {
      let b = p[i]
      if b == UInt8(ascii: "\"") {
        let s = String(
          decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        i += 1
        return s
      }
      if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
      i += 1
    }
    var text = Array(UnsafeBufferPointer(start: p + start, count: i - start))
    while true {
      guard i < count else { throw error("unterminated string", at: start - 1) }
      let b = p[i]
      switch b {
      case UInt8(ascii: "\""):
        i += 1
        // Every byte was validated or produced from a scalar, so decoding repairs nothing.
        return String(decoding: text, as: UTF8.self)
      case UInt8(ascii: "\\"):
        try parseEscape(into: &text)
      case 0..<0x20:
        throw error("unescaped control character \(describe(b)) in string")
      case 0x80...:
        try copyUTF8Sequence(into: &text)
      default:
        text.append(b)
        i += 1
      }
    }
  }

  private mutating func parseEscape(into text: inout [UInt8]) throws(JSONError) {
    let escapeStart = i
    i += 1
    guard i < count else { throw error("unterminated string") }
    let simple: UInt8
    switch p[i] {
    case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
    case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
    case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
    case UInt8(ascii: "b"): simple = 0x08
    case UInt8(ascii: "f"): simple = 0x0C
    case UInt8(ascii: "n"): simple = 0x0A
    case UInt8(ascii: "r"): simple = 0x0D
    case UInt8(ascii: "t"): simple = 0x09
    case UInt8(ascii: "u"):
      i += 1
      let unit = try parseHex4()
      var scalarValue = UInt32(unit)
      if unit >= 0xD800 && unit < 0xDC00 {
        guard i + 1 < count, p[i] == UInt8(ascii: "\\"), p[i + 1] == UInt8(ascii: "u") else {
          throw error("unpaired surrogate \\u\(hex(unit)) in string", at: escapeStart)
        }
        i += 2
        let low = try parseHex4()
        guard low >= 0xDC00 && low < 0xE000 else {
          throw error("unpaired surrogate \\u\(hex(unit)) in string", at: escapeStart)
        }
        scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
      } else if unit >= 0xDC00 && unit < 0xE000 {
        throw error("unpaired surrogate \\u\(hex(unit)) in string", at: escapeStart)
      }
      // Surrogates were handled above, so this is a valid scalar.
      if let scalar = Unicode.Scalar(scalarValue) {
        text.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
      }
      return
    default:
      throw error("invalid escape '\\\(describe(p[i]))' in string", at: escapeStart)
    }
    text.append(simple)
    i += 1
  }

  private func hex(_ unit: UInt16) -> String {
    let h = String(unit, radix: 16, uppercase: true)
    return String(repeating: "0", count: 4 - h.count) + h
  }

  private mutating func parseHex4() throws(JSONError) -> UInt16 {
    var value: UInt16 = 0
    for _ in 0..<4 {
      guard i < count else { throw error("unterminated string") }
      let b = p[i]
      let digit: UInt8
      switch b {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
      default: throw error("expected 4 hex digits after \\u, found \(describe(b))")
      }
      value = value << 4 | UInt16(digit)
      i += 1
    }
    return value
  }

  /// One multi-byte UTF-8 sequence, checked against the well-formed ranges of Unicode's Table 3-7 (no overlong
  /// forms, no surrogates, nothing past U+10FFFF).
  private mutating func copyUTF8Sequence(into text: inout [UInt8]) throws(JSONError) {
    let lead = p[i]
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF: length = 2
    case 0xE0:
      length = 3
      low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: length = 3
    case 0xED:
      length = 3
      high = 0x9F
    case 0xF0:
      length = 4
      low = 0x90
    case 0xF1...0xF3: length = 4
    case 0xF4:
      length = 4
      high = 0x8F
    default: throw error("invalid UTF-8 in string")
    }
    guard i + length <= count else { throw error("invalid UTF-8 in string") }
    let second = p[i + 1]
    guard second >= low && second <= high else { throw error("invalid UTF-8 in string") }
    for k in 2..<max(length, 2) where p[i + k] & 0xC0 != 0x80 {
      throw error("invalid UTF-8 in string")
    }
    text.append(contentsOf: UnsafeBufferPointer(start: p + i, count: length))
    i += length
  }
}
