import CKernels

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Storages of up to this many bytes keep their elements inside the storage object itself (one allocation per
/// fresh small tensor instead of two); larger ones take a separate block.
private let inlineBytes = 64

/// Separate blocks up to this many bytes come from malloc (16-byte aligned), larger ones from `ck_alloc` (64-byte
/// aligned, huge pages past 4 MiB): aligned_alloc's memalign path costs several times more than malloc, and a few
/// hundred bytes gain nothing from cache-line alignment.
private let smallBlock = 256

/// What a storage or version counter object keeps in front of its inline elements.
struct StorageHeader {
  var version = 0
  let dtype: DType
  let count: Int
  /// The separate block holding the elements, nil when they sit inline.
  let block: UnsafeMutableRawPointer?
  let blockBytes: Int
}

/// The in-place version counter shared by a tensor, its views and its `detach()` results.
///
/// A `ManagedBuffer`, so that `Storage` (a subclass) can keep small tensors' elements inline; header fields are
/// read through its pointer accessors, which cost no run-time exclusivity check.
class VersionCounter: ManagedBuffer<StorageHeader, UInt64> {
  /// A counter of its own, for `.data`: no elements.
  static func make() -> VersionCounter {
    let object = create(minimumCapacity: 0) { _ in
      StorageHeader(dtype: .float32, count: 0, block: nil, blockBytes: 0)
    }
    return unsafeDowncast(object, to: VersionCounter.self)
  }

  final var value: Int {
    get { withUnsafeMutablePointerToHeader { $0.pointee.version } }
    set { withUnsafeMutablePointerToHeader { $0.pointee.version = newValue } }
  }
}

/// A flat allocation of elements of one dtype. Views share one storage.
///
/// A storage is also the version counter of the tensor created with it: one object instead of two for every
/// fresh tensor. Views and `detach()` keep using it; `.data` gets a counter of its own.
final class Storage: VersionCounter {
  /// A zero-filled storage, so a fresh tensor never exposes stale memory.
  static func make(dtype: DType, count: Int) -> Storage {
    make(dtype: dtype, count: count, zeroed: true)
  }

  /// `zeroed: false` leaves the contents undefined: only for results a kernel overwrites entirely before anyone
  /// reads them. Zero-filling a fresh multi-megabyte result costs more than the op that then overwrites it.
  static func make(dtype: DType, count: Int, zeroed: Bool) -> Storage {
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.itemSize)
    guard !overflow, byteCount >= 0 else {
      fatalError("tensor storage of \(count) x \(dtype.itemSize) bytes is not available")
    }
    if byteCount <= inlineBytes {
      let words = (byteCount + 7) / 8
      let object = create(minimumCapacity: words) { _ in
        StorageHeader(dtype: dtype, count: count, block: nil, blockBytes: 0)
      }
      let storage = unsafeDowncast(object, to: Storage.self)
      if zeroed {
        storage.withUnsafeMutablePointerToElements { $0.initialize(repeating: 0, count: words) }
      }
      return storage
    }
    // At least 1 byte, so the block is a real allocation.
    let wanted = max(byteCount, 1)
    guard let block = wanted <= smallBlock ? malloc(wanted) : ck_alloc(wanted) else {
      fatalError("tensor storage of \(count) x \(dtype.itemSize) bytes is not available")
    }
    if zeroed { block.initializeMemory(as: UInt8.self, repeating: 0, count: wanted) }
    let object = create(minimumCapacity: 0) { _ in
      StorageHeader(dtype: dtype, count: count, block: block, blockBytes: wanted)
    }
    return unsafeDowncast(object, to: Storage.self)
  }

  deinit {
    let (block, bytes) = withUnsafeMutablePointerToHeader {
      ($0.pointee.block, $0.pointee.blockBytes)
    }
    guard let block else { return }
    if bytes <= smallBlock { free(block) } else { ck_free(block, bytes) }
  }

  var dtype: DType { withUnsafeMutablePointerToHeader { $0.pointee.dtype } }
  var count: Int { withUnsafeMutablePointerToHeader { $0.pointee.count } }

  /// The first element. Inline elements live as long as this object, which every tensor reading them holds.
  var bytes: UnsafeMutableRawPointer {
    if let block = withUnsafeMutablePointerToHeader({ $0.pointee.block }) { return block }
    return withUnsafeMutablePointerToElements { UnsafeMutableRawPointer($0) }
  }

  var byteCount: Int { count * dtype.itemSize }

  func floats() -> UnsafeMutablePointer<Float> { bytes.assumingMemoryBound(to: Float.self) }
  func doubles() -> UnsafeMutablePointer<Double> { bytes.assumingMemoryBound(to: Double.self) }
  func int64s() -> UnsafeMutablePointer<Int64> { bytes.assumingMemoryBound(to: Int64.self) }

  @inline(__always) func load(_ i: Int) -> Double {
    switch dtype {
    case .float32: Double(floats()[i])
    case .float64: doubles()[i]
    case .int64, .bool: Double(int64s()[i])
    }
  }

  @inline(__always) func store(_ i: Int, _ v: Double) {
    switch dtype {
    case .float32: floats()[i] = Float(v)
    case .float64: doubles()[i] = v
    // A value int64 cannot hold (NaN, infinities, out of range) becomes int64's minimum, as x86's conversion
    // instruction gives PyTorch.
    case .int64: int64s()[i] = Int64(exactly: v.rounded(.towardZero)) ?? .min
    // PyTorch's cast to bool: any nonzero value, NaN included, is True.
    case .bool: int64s()[i] = v != 0 ? 1 : 0
    }
  }
}
