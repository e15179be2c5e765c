import Synchronization

/// `X-Request-Id`: the client's, when it is short visible ASCII (so it is safe in a log line and a header), else a
/// fresh one: a random per-process prefix and a counter, which is unique without a syscall per request.
final class RequestIDs: Sendable {
  /// Hex digits of a random 32-bit number.
  private let prefix: [UInt8]
  private let counter = Atomic<UInt64>(0)

  init() {
    var generator = SystemRandomNumberGenerator()
    let random = generator.next() as UInt64
    prefix = Array(String(random >> 32, radix: 16).utf8)
  }

  /// `prefix-counter` in hex, written into one buffer: a String of up to 15 bytes is stored inline.
  func next() -> String {
    let n = counter.add(1, ordering: .relaxed).newValue
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
      var count = 0
      for byte in prefix {
        buffer[count] = byte
        count += 1
      }
      buffer[count] = UInt8(ascii: "-")
      count += 1
      var shift = 60
      while shift > 0 && n >> UInt64(shift) == 0 { shift -= 4 }
      while shift >= 0 {
        let digit = UInt8(truncatingIfNeeded: n >> UInt64(shift) & 15)
        buffer[count] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit
        count += 1
        shift -= 4
      }
      return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
    }
  }

  static func accepts(_ value: String) -> Bool {
    let utf8 = value.utf8
    return !utf8.isEmpty && utf8.count <= 128 && utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
  }
}
