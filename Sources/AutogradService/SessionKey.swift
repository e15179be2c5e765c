#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A session id as the 128 random bits it spells: the store's dictionary key. Hashing two words and building no
/// String per lookup (an id has 22 characters, past Swift's inline small strings) is most of a lookup's cost.
struct SessionKey: Hashable, Sendable {
  var high: UInt64
  var low: UInt64

  private static let alphabet = Array(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

  init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  /// Fresh random bits, in one system call (the generator makes one per word).
  static func random() -> SessionKey {
    var words: (UInt64, UInt64) = (0, 0)
    // arc4random_buf: the kernel's CSPRNG (getrandom) in glibc 2.36+, as unpredictable as the generator.
    withUnsafeMutableBytes(of: &words) { bytes in
      guard let base = bytes.baseAddress else { return }
      arc4random_buf(base, bytes.count)
    }
    return SessionKey(high: words.0, low: words.1)
  }

  /// The id: base64url without padding, 21 six-bit groups and the last 2 bits (so the 22nd character is one of
  /// `A`, `Q`, `g`, `w`).
  var text: String {
    // Written straight into the string's storage: one allocation (22 bytes is past the inline small-string size).
    String(unsafeUninitializedCapacity: 22) { out in
      var bits = (high: high, low: low)
      for index in 0..<min(22, out.count) {
        out[index] = SessionKey.alphabet[Int(bits.high >> 58)]
        bits.high = bits.high << 6 | bits.low >> 58
        bits.low <<= 6
      }
      return min(22, out.count)
    }
  }

  /// The key `text` came from; nil for anything `text` never returns (so no two ids share a key).
  init?(_ text: Substring) {
    let decoded =
      text.utf8.withContiguousStorageIfAvailable(SessionKey.decode)
      ?? SessionKey.decode(Array(text.utf8))
    guard let decoded else { return nil }
    self = decoded
  }

  private static func decode(_ utf8: some Collection<UInt8>) -> SessionKey? {
    guard utf8.count == 22 else { return nil }
    var high: UInt64 = 0
    var low: UInt64 = 0
    var index = 0
    for byte in utf8 {
      guard let value = SessionKey.sixBits(byte) else { return nil }
      if index == 21 {
        // Only the top 2 of the last group's 6 bits carry the id.
        guard value & 0b1111 == 0 else { return nil }
        high = high << 2 | low >> 62
        low = low << 2 | UInt64(value >> 4)
      } else {
        high = high << 6 | low >> 58
        low = low << 6 | UInt64(value)
      }
      index += 1
    }
    return SessionKey(high: high, low: low)
  }

  private static func sixBits(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
    case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
    case UInt8(ascii: "-"): 62
    case UInt8(ascii: "_"): 63
    default: nil
    }
  }
}
