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
  /// `rowLength`: the inner loop TensorIterator runs when only rows of that many elements are contiguous (a
  /// slice of rows); each row, or the part of it inside one thread's piece, then has its own vector body and tail.
  static func run(
    _ n: Int, block: Int = block, rowLength: Int? = nil, allVector: Bool = false,
    _ body: (Int, Int, Int) -> Void
  ) {
    if allVector {
      Kernels.parallelRanges(n) { r in body(r.lowerBound, r.count, r.count) }
      return
    }
    let pieces = pieces(n)
    let row = Swift.max(1, rowLength ?? n)
    Kernels.parallelRanges(n) { r in
      for p in pieces where p.overlaps(r) {
        // The inner loops of this piece: the piece cut at row boundaries.
        var start = p.lowerBound
        if let rowLength, rowLength > 0, start < r.lowerBound {
          start = Swift.max(start, r.lowerBound / rowLength * rowLength)
        }
        while start < Swift.min(p.upperBound, r.upperBound) {
          let end = Swift.min(p.upperBound, (start / row + 1) * row)
          let lo = Swift.max(r.lowerBound, start)
          let hi = Swift.min(r.upperBound, end)
          if lo < hi {
            let tail = end - (end - start) % block
            body(lo, hi - lo, Swift.max(0, Swift.min(hi, tail) - lo))
          }
          start = end
        }
      }
    }
  }

  /// How TensorIterator walks a non-contiguous input (after dropping size-1 dims, ordering dims by stride and
  /// merging the ones that nest).
  enum Walk: Equatable {
    /// A permutation of a contiguous block: one loop in memory order, `base` the first element's offset.
    case memoryOrder(base: Int)
    /// Logical order with contiguous rows of this many elements.
    case rows(Int)
    /// No contiguous inner loop: every element through the scalar code.
    case scalar
    /// An order this engine does not model (overlapping or mixed strides).
    case unknown
  }

  static func walk(shape: [Int], strides: [Int], offset: Int) -> Walk {
    let dims = zip(shape, strides).filter { $0.0 > 1 }
    if dims.isEmpty || dims.contains(where: { $0.1 <= 0 }) { return .unknown }
    let ascending = dims.sorted { $0.1 < $1.1 }
    var dense = ascending[0].1 == 1
    for k in 1..<ascending.count where ascending[k].1 != ascending[k - 1].1 * ascending[k - 1].0 {
      dense = false
    }
    if dense { return .memoryOrder(base: offset) }
    // Strides decreasing in logical order: TensorIterator keeps the logical order.
    for k in 1..<dims.count where dims[k].1 >= dims[k - 1].1 { return .unknown }
    guard let last = dims.last, last.1 == 1 else { return .scalar }
    var row = last.0
    var k = dims.count - 2
    while k >= 0 && dims[k].1 == dims[k + 1].1 * dims[k + 1].0 {
      row *= dims[k].0
      k -= 1
    }
    return .rows(row)
  }

  /// Whether this CPU runs the kernels (AVX2 with FMA); elsewhere callers keep their portable formulas.
  static let available: Bool = ck_vm_sigmoid_f32(nil, nil, 0, 0) != 0

  /// A unary kernel over a float32 tensor, or nil when the kernels cannot run here or `x` is not float32.
  static func unary(
    _ x: Tensor, allVector: Bool = false,
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
  ) -> Tensor? {
    guard available, x.dtype == .float32 else { return nil }
    if !x.isContiguous && !allVector && x.numel > 1 {
      switch walk(shape: x.shape, strides: x.strides, offset: x.offset) {
      case .memoryOrder(let base):
        // PyTorch's values in memory order, then each placed at its logical position.
        let block = Kernels.uninitialized([x.numel], dtype: .float32)
        let pb = block.storage.floats()
        let pm = UnsafePointer(x.storage.floats() + base)
        run(x.numel) { start, count, vec in kernel(pm + start, pb + start, count, vec) }
        let out = Kernels.uninitialized(x.shape, dtype: .float32)
        let po = out.storage.floats()
        Kernels.forEach(shape: x.shape, strides: x.strides, offset: 0) { i, off in po[i] = pb[off] }
        return out
      case .rows(let row):
        return unaryContiguous(Kernels.contiguousCopy(x), rowLength: row, kernel)
      case .scalar:
        return unaryContiguous(Kernels.contiguousCopy(x), rowLength: 1, kernel)
      case .unknown:
        break
      }
    }
    let src = x.isContiguous ? x : Kernels.contiguousCopy(x)
    return unaryContiguous(src, allVector: allVector, kernel)
  }

  private static func unaryContiguous(
    _ src: Tensor, rowLength: Int? = nil, allVector: Bool = false,
    _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
  ) -> Tensor {
    let out = Kernels.uninitialized(src.shape, dtype: .float32, like: src)
    let px = UnsafePointer(src.storage.floats() + src.offset)
    let po = out.storage.floats()
    run(out.numel, rowLength: rowLength, allVector: allVector) { start, count, vec in
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

  /// A binary kernel over two float64 tensors of one shape (vector blocks of 8), or nil.
  static func binary64(
    _ a: Tensor, _ b: Tensor,
    _ kernel: (UnsafePointer<Double>, UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int, Int)
      -> Void
  ) -> Tensor? {
    guard available, a.dtype == .float64, b.dtype == .float64, a.shape == b.shape else {
      return nil
    }
    let sa = a.isContiguous ? a : Kernels.contiguousCopy(a)
    let sb = b.isContiguous ? b : Kernels.contiguousCopy(b)
    let out = Kernels.uninitialized(a.shape, dtype: .float64, like: sa)
    let pa = UnsafePointer(sa.storage.doubles() + sa.offset)
    let pb = UnsafePointer(sb.storage.doubles() + sb.offset)
    let po = out.storage.doubles()
    run(out.numel, block: 8) { start, count, vec in
      kernel(pa + start, pb + start, po + start, count, vec)
    }
    return out
  }
}
