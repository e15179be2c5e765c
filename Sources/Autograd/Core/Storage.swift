import CKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Blocks up to this many bytes come from malloc (16-byte aligned), larger ones from `ck_alloc`.
private let smallBlock = 256

/// A flat allocation of elements of one dtype (64-byte aligned past `smallBlock` bytes). Views share one storage.
///
/// A storage is also the version counter of the tensor created with it: one object instead of two for every
/// fresh tensor. Views and `detach()` keep using it; `.data` gets a counter of its own.
final class Storage: VersionCounter {
  let dtype: DType
  let count: Int
  let bytes: UnsafeMutableRawPointer
  /// What was asked of malloc or `ck_alloc` (`ck_free` needs it back) (at least 1, so an empty tensor still owns a block).
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
    let wanted = max(byteCount, 1)
    // Small blocks (a training step's scalars and small gradients) take plain malloc: aligned_alloc's memalign
    // path costs several times more, and a few dozen bytes gain nothing from cache-line alignment.
    let raw =
      overflow || byteCount < 0 ? nil : wanted <= smallBlock ? malloc(wanted) : ck_alloc(wanted)
    guard let block = raw else {
      fatalError("tensor storage of \(count) x \(dtype.itemSize) bytes is not available")
    }
    allocatedBytes = wanted
    bytes = block
    if zeroed { bytes.initializeMemory(as: UInt8.self, repeating: 0, count: allocatedBytes) }
  }

  deinit {
    if allocatedBytes <= smallBlock { free(bytes) } else { ck_free(bytes, allocatedBytes) }
  }

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
class VersionCounter {
  final var value = 0
}
