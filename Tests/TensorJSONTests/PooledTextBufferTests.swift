import Synchronization
import Testing

@testable import TensorJSON

/// A large tensor's text written into a buffer from `TensorTextBuffers` (stale bytes, count at capacity) reads
/// exactly as one written into a fresh buffer.
@Suite(.serialized) struct PooledTextBufferTests {
  @Test(arguments: [1, 2])
  func textInAStaleKeptBufferMatchesTheFreshOne(threads: Int) {
    let values = (0..<(400 * 300)).map { Float($0 % 977) * 0.125 - 17.5 }
    var fresh = JSONWriter()
    fresh.beginObject()
    fresh.key("W")
    values.withUnsafeBufferPointer { fresh.writeTensor($0, shape: [400, 300], threads: threads) }
    fresh.key("b")
    values.withUnsafeBufferPointer {
      fresh.writeTensor(UnsafeBufferPointer(rebasing: $0[0..<3]), shape: [3])
    }
    fresh.endObject()

    let given = Counter()
    TensorTextBuffers.install { count in
      given.add()
      return [UInt8](repeating: 0xEE, count: count + 1000)
    }
    defer { TensorTextBuffers.install(nil) }
    var pooled = JSONWriter()
    pooled.beginObject()
    pooled.key("W")
    values.withUnsafeBufferPointer { pooled.writeTensor($0, shape: [400, 300], threads: threads) }
    pooled.key("b")
    values.withUnsafeBufferPointer {
      pooled.writeTensor(UnsafeBufferPointer(rebasing: $0[0..<3]), shape: [3])
    }
    pooled.endObject()
    #expect(given.value >= 1)
    #expect(pooled.bytes == fresh.bytes)
    #expect(String(decoding: pooled.bytes.prefix(12), as: UTF8.self) == "{\"W\":[[-17.5")
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
