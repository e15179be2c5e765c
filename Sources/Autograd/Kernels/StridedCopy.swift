import CKernels
import Dispatch

extension Kernels {
  /// Copies `src` (broadcast to `dst.shape`, same dtype, another storage) into `dst` through the tiled C copy;
  /// returns false, writing nothing, when that copy cannot promise the element-by-element result (a destination
  /// that overlaps itself, a rank above its limit), so the caller keeps the generic loop.
  static func stridedCopy(_ src: Tensor, into dst: Tensor) -> Bool {
    guard src.dtype == dst.dtype, src.storage !== dst.storage else { return false }
    let size = dst.dtype.itemSize
    let job = StridedCopyJob(
      size: size, shape: dst.shape, dstStrides: dst.strides,
      srcStrides: broadcastStrides(src, to: dst.shape),
      dst: dst.storage.bytes + dst.offset * size,
      src: UnsafeRawPointer(src.storage.bytes + src.offset * size))
    let rows = dst.shape.first ?? 1
    let blockRows = 64
    // A fresh destination's pages fault in as the copy first writes them, most of a large copy's time; blocks of
    // rows let both cores take those faults. Only a contiguous destination within the C copy's rank limit (16) is
    // split: no block can be refused after another has written, and no block's writes land on another's.
    if dst.isContiguous && dst.shape.count <= 16 && dst.numel >= 1 << 18 && rows >= 4 * blockRows {
      DispatchQueue.concurrentPerform(iterations: (rows + blockRows - 1) / blockRows) { block in
        let lo = block * blockRows
        _ = job.run(rows: lo..<Swift.min(rows, lo + blockRows))
      }
      return true
    }
    return job.run(rows: 0..<rows)
  }
}

/// One `ck_copy_strided` call, runnable on a range of the outermost dim. `@unchecked Sendable` because it holds
/// raw pointers: each concurrent `run` writes a disjoint range of rows of a destination nobody else touches
/// meanwhile, reads a source nobody mutates meanwhile, and none outlives the copy that made the job.
private final class StridedCopyJob: @unchecked Sendable {
  let size: Int
  let shape: [Int]
  let dstStrides: [Int]
  let srcStrides: [Int]
  let dst: UnsafeMutableRawPointer
  let src: UnsafeRawPointer

  init(
    size: Int, shape: [Int], dstStrides: [Int], srcStrides: [Int], dst: UnsafeMutableRawPointer,
    src: UnsafeRawPointer
  ) {
    self.size = size
    self.shape = shape
    self.dstStrides = dstStrides
    self.srcStrides = srcStrides
    self.dst = dst
    self.src = src
  }

  /// Copies rows `rows` of the outermost dim (all of a 0-d tensor); false when the C copy refuses.
  func run(rows: Range<Int>) -> Bool {
    var part = shape
    var dstStart = dst
    var srcStart = src
    if !part.isEmpty {
      part[0] = rows.count
      dstStart += rows.lowerBound * dstStrides[0] * size
      srcStart += rows.lowerBound * srcStrides[0] * size
    }
    let done = part.withUnsafeBufferPointer { shapeBuffer in
      dstStrides.withUnsafeBufferPointer { dstBuffer in
        srcStrides.withUnsafeBufferPointer { srcBuffer in
          ck_copy_strided(
            size, Int32(clamping: part.count), shapeBuffer.baseAddress, dstStart,
            dstBuffer.baseAddress,
            srcStart, srcBuffer.baseAddress)
        }
      }
    }
    return done != 0
  }
}
