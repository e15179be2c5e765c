import CKernels

/// A flat, 64-byte aligned allocation of elements of one dtype. Views share one storage.
final class Storage {
  let dtype: DType
  let count: Int
  let bytes: UnsafeMutableRawPointer
  /// What was asked of `ck_alloc`, which `ck_free` needs back (at least 1, so an empty tensor still owns a block).
  private let allocatedBytes: Int

  /// A zero-filled storage, so a fresh tensor never exposes stale memory.
  convenience init(dtype: DType, count: Int) {
    self.init(dtype: dtype, count: count, zeroed: true)
  }

  /// `zeroed: false` leaves the contents undefined: only for results a kernel overwrites entirely before anyone
  /// reads them. Zero-filling a fresh multi-megabyte result costs more than the op that then overwrites it.
  init(dtype: DType, count: Int, zeroed: Bool) {
    self.dtype = dtype
    self.count = count
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
    guard !overflow, byteCount >= 0, let block = ck_alloc(max(byteCount, 1)) else {
      fatalError("tensor storage of \(count) x \(dtype.itemSize) bytes is not available")
    }
    allocatedBytes = max(byteCount, 1)
    bytes = block
    if zeroed { bytes.initializeMemory(as: UInt8.self, repeating: 0, count: allocatedBytes) }
  }

  deinit { ck_free(bytes, allocatedBytes) }

  var byteCount: Int { count * dtype.itemSize }

  func floats() -> UnsafeMutablePointer<Float> { bytes.assumingMemoryBound(to: Float.self) }
  func doubles() -> UnsafeMutablePointer<Double> { bytes.assumingMemoryBound(to: Double.self) }
  func int64s() -> UnsafeMutablePointer<Int64> { bytes.assumingMemoryBound(to: Int64.self) }

  @inline(__always) func load(_ i: Int) -> Double {
    switch dtype {
    case .float32: Double(floats()[i])
    case .float64: doubles()[i]
    case .int64: Double(int64s()[i])
    }
  }

  @inline(__always) func store(_ i: Int, _ v: Double) {
    switch dtype {
    case .float32: floats()[i] = Float(v)
    case .float64: doubles()[i] = v
    case .int64: int64s()[i] = v.isFinite ? Int64(exactly: v.rounded(.towardZero)) ?? 0 : 0
    }
  }
}

/// The in-place version counter shared by a tensor, its views and its `detach()` results.
final class VersionCounter {
  var value = 0
}
