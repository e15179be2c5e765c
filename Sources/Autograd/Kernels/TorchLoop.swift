import CKernels
import Foundation

/// float32 kernels that reproduce PyTorch's AVX2 CPU loops bit for bit (Sources/CKernels/vecmath.c).
///
/// Which arithmetic an element gets depends on where PyTorch's loop puts it: TensorIterator hands a tensor of at
/// least `grain` elements to `at::parallel_for`, which cuts it into one piece per thread, and every piece runs its own
/// inner loop, a vector body over whole blocks of 16 and a scalar tail after it. The pieces here are PyTorch's; how
/// this process then spreads the work over its cores does not matter, because vector lanes are independent.
enum TorchLoop {
  /// `at::get_num_threads()`: PyTorch runs one intra-op thread per core.
  static let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
  /// `at::internal::GRAIN_SIZE`, the smallest tensor TensorIterator splits among threads.
  static let grain = 32768
  /// Elements per iteration of `vectorized_loop` (two AVX2 vectors of 8 floats).
  static let block = 16

  /// The pieces `at::parallel_for(0, n, grain)` gives its threads (ParallelOpenMP.h).
  static func pieces(_ n: Int, threads: Int = threads) -> [Range<Int>] {
    if n < grain || threads <= 1 { return [0..<n] }
    let count = Swift.min(threads, (n + grain - 1) / grain)
    let size = (n + count - 1) / count
    return stride(from: 0, to: n, by: size).map { $0..<Swift.min(n, $0 + size) }
  }

  /// Calls `body(start, count, vectorCount)` for spans covering `0..<n`, where the first `vectorCount` elements of
  /// each span are ones PyTorch computes in a vector body and the rest ones it computes in a scalar tail.
  /// `allVector`: a kernel without a scalar tail (oneDNN's), which any split of the work gives the same results.
  /// `block` is 8 for doubles (two vectors of 4).
  static func run(
    _ n: Int, block: Int = block, allVector: Bool = false, _ body: (Int, Int, Int) -> Void
  ) {
    if allVector {
      Kernels.parallelRanges(n) { r in body(r.lowerBound, r.count, r.count) }
      return
    }
    let pieces = pieces(n)
    Kernels.parallelRanges(n) { r in
      for p in pieces where p.overlaps(r) {
        let lo = Swift.max(r.lowerBound, p.lowerBound)
        let hi = Swift.min(r.upperBound, p.upperBound)
        let tail = p.upperBound - p.count % block
        body(lo, hi - lo, Swift.max(0, Swift.min(hi, tail) - lo))
      }
    }
  }

  /// Whether this CPU runs the kernels (AVX2 with FMA); elsewhere callers keep their portable formulas.
  static let available: Bool = ck_vm_sigmoid_f32(nil, nil, 0, 0) != 0

  /// A unary kernel over a float32 tensor, or nil when the kernels cannot run here or `x` is not float32.
  static func unary(
    _ x: Tensor, allVector: Bool = false,
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
  ) -> Tensor? {
    guard available, x.dtype == .float32 else { return nil }
    let src = x.isContiguous ? x : Kernels.contiguousCopy(x)
    let out = Kernels.uninitialized(x.shape, dtype: .float32, like: src)
    let px = UnsafePointer(src.storage.floats() + src.offset)
    let po = out.storage.floats()
    run(out.numel, allVector: allVector) { start, count, vec in
      kernel(px + start, po + start, count, vec)
    }
    return out
  }

  /// A binary kernel over two float32 tensors of one shape, or nil (shapes or dtypes differ, no AVX2).
  static func binary(
    _ a: Tensor, _ b: Tensor, allVector: Bool = false,
    _ kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) ->
      Void
  ) -> Tensor? {
    guard available, a.dtype == .float32, b.dtype == .float32, a.shape == b.shape else {
      return nil
    }
    let sa = a.isContiguous ? a : Kernels.contiguousCopy(a)
    let sb = b.isContiguous ? b : Kernels.contiguousCopy(b)
    let out = Kernels.uninitialized(a.shape, dtype: .float32, like: sa)
    let pa = UnsafePointer(sa.storage.floats() + sa.offset)
    let pb = UnsafePointer(sb.storage.floats() + sb.offset)
    let po = out.storage.floats()
    run(out.numel, allVector: allVector) { start, count, vec in
      kernel(pa + start, pb + start, po + start, count, vec)
    }
    return out
  }

  /// A unary kernel over a float64 tensor (vector blocks of 8), or nil.
  static func unary64(
    _ x: Tensor, _ kernel: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int, Int) -> Void
  ) -> Tensor? {
    guard available, x.dtype == .float64 else { return nil }
    let src = x.isContiguous ? x : Kernels.contiguousCopy(x)
    let out = Kernels.uninitialized(x.shape, dtype: .float64, like: src)
    if out.numel == 0 { return out }
    let px = UnsafePointer(src.storage.doubles() + src.offset)
    let po = out.storage.doubles()
    run(out.numel, block: 8) { start, count, vec in kernel(px + start, po + start, count, vec) }
    return out
  }
}
