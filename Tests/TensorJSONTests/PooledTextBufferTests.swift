import Synchronization
import Testing

@testable import TensorJSON

/// A large tensor's text written into a buffer from `TensorTextBuffers` (stale bytes, count at capacity) reads
/// exactly as one written into a fresh buffer.
@Suite(.serialized) struct PooledTextBufferTests {
  @Test(arguments: [1, 2])
  func textInAStaleKeptBufferMatchesTheFreshOne(threads: Int) {
    let values = (0..<(400 * 300)).map { Float($0 % 977) * 0.125 - 17.5 }
    // A large tensor, then a small one after it in the same text.
    func objectText() -> [UInt8] {
      var out = JSONWriter()
      out.beginObject()
      out.key("W")
      values.withUnsafeBufferPointer { out.writeTensor($0, shape: [400, 300], threads: threads) }
      out.key("b")
      values.withUnsafeBufferPointer {
        out.writeTensor(UnsafeBufferPointer(rebasing: $0[0..<3]), shape: [3])
      }
      out.endObject()
      return out.bytes
    }
    let fresh = objectText()

    let given = Counter()
    TensorTextBuffers.install { count in
      given.add()
      return [UInt8](repeating: 0xEE, count: count + 1000)
    }
    defer { TensorTextBuffers.install(nil) }
    let pooled = objectText()
    #expect(given.value >= 1)
    #expect(pooled == fresh)
    #expect(String(decoding: pooled.prefix(12), as: UTF8.self) == "{\"W\":[[-17.5")
  }

  /// Each `take` once wrapped the installed closure in two more reabstraction thunks, so this many calls would
  /// have overflowed the stack (and, well before that, slowed every request of the server).
  @Test func manyTakesLeaveTheInstalledSourceAsItWas() {
    let given = Counter()
    TensorTextBuffers.install { _ in
      given.add()
      return nil
    }
    defer { TensorTextBuffers.install(nil) }
    for _ in 0..<300_000 {
      #expect(TensorTextBuffers.take(count: TensorTextBuffers.minimumCount) == nil)
    }
    #expect(TensorTextBuffers.take(count: TensorTextBuffers.minimumCount - 1) == nil)
    #expect(given.value == 300_000)
  }
}

private final class Counter: Sendable {
  private let count = Mutex(0)
  func add() { count.withLock { $0 += 1 } }
  var value: Int { count.withLock { $0 } }
}
