import Synchronization

/// Where a large tensor's text gets its buffer when the writer needs a new one. The server installs its pool of
/// multi-megabyte buffers here at startup (TensorJSON knows nothing of HTTP), so a 1,000,000-element gradient's
/// text is written into memory that is already mapped instead of faulting in 15-20 MB of fresh pages per answer.
package enum TensorTextBuffers {
  /// Returns a buffer of at least the given count whose bytes may be stale (count == capacity), or nil.
  package typealias Source = @Sendable (Int) -> [UInt8]?

  /// Texts shorter than this never ask: a fresh buffer of that size costs less than the lock.
  static let minimumCount = 1 << 20

  /// The closure sits in a class, not directly in the Mutex: reading a function value out of generic storage
  /// through `withLock`'s inout parameter writes it back wrapped in two more reabstraction thunks, so every call
  /// grew the chain every later call ran through (the server slowed per request until the stack would overflow).
  private final class Box: Sendable {
    let take: Source
    init(_ take: @escaping Source) { self.take = take }
  }

  private static let source = Mutex<Box?>(nil)

  package static func install(_ newSource: Source?) {
    let box = newSource.map(Box.init)
    source.withLock { $0 = box }
  }

  /// A full buffer of at least `count` bytes from the installed source, or nil.
  static func take(count: Int) -> [UInt8]? {
    guard count >= minimumCount, let box = source.withLock({ $0 }), let buffer = box.take(count),
      buffer.count >= count
    else {
      return nil
    }
    return buffer
  }
}
