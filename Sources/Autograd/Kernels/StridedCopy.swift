import CKernels

extension Kernels {
  /// Copies `src` (broadcast to `dst.shape`, same dtype, another storage) into `dst` through the tiled C copy;
  /// returns false, writing nothing, when that copy cannot promise the element-by-element result (a destination
  /// that overlaps itself, a rank above its limit), so the caller keeps the generic loop.
  static func stridedCopy(_ src: Tensor, into dst: Tensor) -> Bool {
    guard src.dtype == dst.dtype, src.storage !== dst.storage else { return false }
    let size = dst.dtype.itemSize
    let shape = dst.shape
    let dstStrides = dst.strides
    let srcStrides = broadcastStrides(src, to: shape)
    let done = shape.withUnsafeBufferPointer { shapeBuffer in
      dstStrides.withUnsafeBufferPointer { dstBuffer in
        srcStrides.withUnsafeBufferPointer { srcBuffer in
          ck_copy_strided(
            size, Int32(clamping: shape.count), shapeBuffer.baseAddress,
            dst.storage.bytes + dst.offset * size, dstBuffer.baseAddress,
            UnsafeRawPointer(src.storage.bytes + src.offset * size), srcBuffer.baseAddress)
        }
      }
    }
    return done != 0
  }
}
