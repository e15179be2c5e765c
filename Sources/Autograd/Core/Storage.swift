/// A flat, 64-byte aligned allocation of elements of one dtype. Views share one storage.
final class Storage {
  let dtype: DType
  let count: Int
  let bytes: UnsafeMutableRawPointer

  init(dtype: DType, count: Int) {
    self.dtype = dtype
    self.count = count
    // Zero-filled so a fresh tensor never exposes stale memory.
    let byteCount = max(count * dtype.itemSize, 1)
    bytes = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    bytes.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
  }

  deinit { bytes.deallocate() }

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
