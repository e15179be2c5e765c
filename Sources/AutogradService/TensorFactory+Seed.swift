import TensorJSON

/// `seed`: what `torch.Generator().manual_seed(seed)` accepts, an integer from -2^63 to 2^64-1 (negative seeds
/// wrap to UInt64, so -1 and 2^64-1 give the same stream). Only the low 32 bits reach mt19937, and a JSON number
/// past 2^53 has lost exactly those in its Double, so such a literal is read again from the body's bytes.
extension TensorFactory {
  static let seedRange = "-9223372036854775808 to 18446744073709551615"

  /// The client's seed, or a fresh random one (every unseeded call draws its own).
  static func seed(_ body: JSONObject, rawBody: [UInt8]) throws(ServiceError) -> UInt64 {
    guard let value = body["seed"], !value.isNull else {
      var generator = SystemRandomNumberGenerator()
      return generator.next()
    }
    guard case .number(let approximate, isInteger: true) = value else {
      throw .invalidArgument("seed must be an integer")
    }
    if approximate.magnitude < 0x1p53 { return UInt64(bitPattern: Int64(approximate)) }
    guard let digits = SeedLiteral.find(in: rawBody) else {
      throw .invalidArgument("seed must be an integer from \(seedRange)")
    }
    return try exactSeed(digits)
  }

  /// `-?[0-9]+` (what the parser accepted as an integer literal) to the generator's 64-bit seed.
  static func exactSeed(_ literal: ArraySlice<UInt8>) throws(ServiceError) -> UInt64 {
    let negative = literal.first == UInt8(ascii: "-")
    var magnitude: UInt64 = 0
    var overflow = false
    for byte in literal.dropFirst(negative ? 1 : 0) {
      let digit = byte &- UInt8(ascii: "0")
      guard digit < 10 else { throw .invalidArgument("seed must be an integer") }
      let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
      overflow = overflow || o1 || o2
      magnitude = sum
    }
    let text = String(decoding: literal, as: UTF8.self)
    guard !overflow, !negative || magnitude <= 1 << 63 else {
      throw .invalidArgument(
        "seed must be an integer from \(seedRange) (torch.Generator.manual_seed's range), got \(text)"
      )
    }
    return negative ? 0 &- magnitude : magnitude
  }
}

/// The text of the top-level `"seed"` member's number in a body the JSON parser has already accepted (so the
/// walk can trust its structure: strings closed, brackets balanced, no duplicate keys).
enum SeedLiteral {
  static func find(in bytes: [UInt8]) -> ArraySlice<UInt8>? {
    var i = 0
    let n = bytes.count
    func skipSpace() {
      while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D {
        i += 1
      }
    }
    /// Skips a string starting at its quote; returns whether its decoded text is exactly `seed`.
    func string() -> Bool {
      i += 1
      var decoded: [UInt8] = []
      var plain = true
      while i < n, bytes[i] != UInt8(ascii: "\"") {
        if bytes[i] == UInt8(ascii: "\\"), i + 1 < n {
          let escape = bytes[i + 1]
          if escape == UInt8(ascii: "u"), i + 5 < n,
            let code = UInt8(String(decoding: bytes[(i + 2)..<(i + 6)], as: UTF8.self), radix: 16)
          {
            decoded.append(code)
            i += 6
          } else {
            // Any other escape (\", \n, a non-ASCII \u...) cannot be part of "seed".
            plain = false
            i += escape == UInt8(ascii: "u") ? 6 : 2
          }
        } else {
          decoded.append(bytes[i])
          i += 1
        }
      }
      i += 1
      return plain && decoded == Array("seed".utf8)
    }
    func skipValue() {
      var depth = 0
      while i < n {
        switch bytes[i] {
        case UInt8(ascii: "\""):
          _ = string()
          if depth == 0 { return }
          continue
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
          if depth == 0 { return }
          depth -= 1
          if depth == 0 {
            i += 1
            return
          }
        case UInt8(ascii: ","): if depth == 0 { return }
        default: break
        }
        i += 1
      }
    }
    skipSpace()
    guard i < n, bytes[i] == UInt8(ascii: "{") else { return nil }
    i += 1
    while i < n {
      skipSpace()
      guard i < n, bytes[i] == UInt8(ascii: "\"") else { return nil }
      let isSeed = string()
      skipSpace()
      guard i < n, bytes[i] == UInt8(ascii: ":") else { return nil }
      i += 1
      skipSpace()
      if isSeed {
        let start = i
        while i < n, bytes[i] == UInt8(ascii: "-") || (bytes[i] &- UInt8(ascii: "0")) < 10 {
          i += 1
        }
        return bytes[start..<i]
      }
      skipValue()
      skipSpace()
      guard i < n, bytes[i] == UInt8(ascii: ",") else { return nil }
      i += 1
    }
    return nil
  }
}
