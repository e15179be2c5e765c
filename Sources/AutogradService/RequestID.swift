import Synchronization

/// `X-Request-Id`: the client's, when it is short visible ASCII (so it is safe in a log line and a header), else a
/// fresh one: a random per-process prefix and a counter, which is unique without a syscall per request.
final class RequestIDs: Sendable {
  private let prefix: String
  private let counter = Atomic<UInt64>(0)

  init() {
    var generator = SystemRandomNumberGenerator()
    let random = generator.next() as UInt64
    prefix = String(random >> 32, radix: 16)
  }

  func next() -> String {
    let n = counter.add(1, ordering: .relaxed).newValue
    return prefix + "-" + String(n, radix: 16)
  }

  static func accepts(_ value: String) -> Bool {
    let utf8 = value.utf8
    return !utf8.isEmpty && utf8.count <= 128 && utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
  }
}
