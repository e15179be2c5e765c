import CKernels
import Dispatch

extension Kernels {
  /// Copies `src` (broadcast to `dst.shape`, same dtype, another storage) into `dst` bit for bit through the C
  /// strided copy, on two threads when the copy is large. AccumulateGrad meets this on every backward of a linear
  /// layer: W's gradient arrives transposed (the TBackward of x^T·dh) and the accumulated grad is contiguous.
  static func copyStrided(_ src: Tensor, into dst: Tensor) {
    let rank = dst.rank
    let elem = dst.dtype.itemSize
    let shape = dst.shape
    let dstStrides = dst.strides
    let srcStrides = broadcastStrides(src, to: shape)
    let dstBase = dst.storage.bytes + dst.offset * elem
    let srcBase = UnsafeRawPointer(src.storage.bytes + src.offset * elem)
    // Two parts write disjoint elements only when no destination element repeats; a copy this large is
    // memory-bound, and the second core about doubles the bandwidth a tiled transpose gets.
    let repeats = (0..<rank).contains { shape[$0] > 1 && dstStrides[$0] == 0 }
    let parts = dst.numel >= 1 << 18 && !repeats ? 2 : 1
    let job = StridedCopyJob(
      elem: elem, shape: shape, dst: dstBase, dstStrides: dstStrides, src: srcBase,
      srcStrides: srcStrides)
    if parts == 1 {
      job.run(part: 0, of: 1)
    } else {
      DispatchQueue.concurrentPerform(iterations: parts) { job.run(part: $0, of: parts) }
    }
  }
}

/// One strided copy's arguments, shared by the threads that split it. Safe to share because the threads only read
/// these fields, the parts write disjoint destination elements (`copyStrided` checks the destination repeats none),
/// and the job does not outlive `concurrentPerform`, during which the caller keeps both storages alive.
private final class StridedCopyJob: @unchecked Sendable {
  let elem: Int
  let shape: [Int]
  let dst: UnsafeMutableRawPointer
  let dstStrides: [Int]
  let src: UnsafeRawPointer
  let srcStrides: [Int]

  init(
    elem: Int, shape: [Int], dst: UnsafeMutableRawPointer, dstStrides: [Int], src: UnsafeRawPointer,
    srcStrides: [Int]
  ) {
    self.elem = elem
    self.shape = shape
    self.dst = dst
    self.dstStrides = dstStrides
    self.src = src
    self.srcStrides = srcStrides
  }

  func run(part: Int, of parts: Int) {
    shape.withUnsafeBufferPointer { n in
      dstStrides.withUnsafeBufferPointer { ds in
        srcStrides.withUnsafeBufferPointer { ss in
          ck_copy_strided(
            elem, Int32(n.count), n.baseAddress, dst, ds.baseAddress, src, ss.baseAddress, part,
            parts)
        }
      }
    }
  }
}
