import Synchronization

/// Where a large tensor's text gets its buffer when the writer needs a new one. The server installs its pool of
/// multi-megabyte buffers here at startup (TensorJSON knows nothing of HTTP), so a 1,000,000-element gradient's
/// text is written into memory that is already mapped instead of faulting in 15-20 MB of fresh pages per answer.
package enum TensorTextBuffers {
  /// Returns a buffer of at least the given count whose bytes may be stale (count == capacity), or nil.
  package typealias Source = @Sendable (Int) -> [UInt8]?

  private static let source = Mutex<Source?>(nil)

  package static func install(_ newSource: Source?) {
    source.withLock { $0 = newSource }
  }

  /// A full buffer of at least `count` bytes from the installed source, or nil.
  static func take(count: Int) -> [UInt8]? {
    guard let source = source.withLock({ $0 }), let buffer = source(count), buffer.count >= count
    else {
      return nil
    }
    return buffer
  }
}
