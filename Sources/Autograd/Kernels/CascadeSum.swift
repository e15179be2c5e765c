import Foundation

/// PyTorch's CPU `sum` (aten/src/ATen/native/cpu/SumKernel.cpp, `cascade_sum`) reproduced operation by operation,
/// so float32 and float64 sums of contiguous tensors come out bit for bit as PyTorch's on an AVX2 build: float32
/// accumulates in float32 (8 lanes), float64 in float64 (4 lanes), each lane in a four-level cascade, with
/// PyTorch's order of partial sums. Full reductions of more than 32768 elements are split into one chunk per
/// core and the chunk sums added in order, as PyTorch's two-pass parallel reduction does.
enum CascadeSum {
  /// PyTorch's `at::internal::GRAIN_SIZE`.
  static let grainSize = 32768

  /// The number of chunks PyTorch's `parallel_for` makes of a full reduction (its thread count).
  static let threads = Swift.max(1, ProcessInfo.processInfo.activeProcessorCount)

  /// Sums `x` over `dims`, keeping them as size 1; nil for layouts this does not reproduce (the caller then uses
  /// the general reduction): a non-contiguous input, an int64 one, or reduced dims that are not one contiguous run
  /// once size-1 dims are ignored.
  static func sum(_ x: Tensor, dims: Set<Int>) -> Tensor? {
    guard x.isContiguous, x.dtype.isFloatingPoint else { return nil }
    var keepShape = x.shape
    for d in dims { keepShape[d] = 1 }
    // Coalesce into [outer, reduced, inner]; size-1 dims do not count.
    var outer = 1
    var reduced = 1
    var inner = 1
    var phase = 0  // 0: before the reduced run, 1: inside it, 2: after it
    for (d, size) in x.shape.enumerated() where size != 1 {
      let isReduced = dims.contains(d)
      switch (phase, isReduced) {
      case (0, false): outer *= size
      case (0, true), (1, true):
        phase = 1
        reduced *= size
      case (1, false), (2, false):
        phase = 2
        inner *= size
      default: return nil
      }
    }
    if phase == 0 {
      // Nothing of size > 1 is reduced: the sum is the input itself.
      inner = outer
      outer = 1
    }
    let out = Tensor(zerosOf: keepShape, dtype: x.dtype)
    if x.dtype == .float32 {
      run(x.storage.floats() + x.offset, out.storage.floats(), outer, reduced, inner, lanes: 8)
    } else {
      run(x.storage.doubles() + x.offset, out.storage.doubles(), outer, reduced, inner, lanes: 4)
    }
    return out
  }

  /// The sum of every element of a contiguous floating tensor, bit for bit `sum(x, dims: all)`'s single value,
  /// without a result tensor; nil otherwise.
  static func total(_ x: Tensor) -> Double? {
    guard x.isContiguous, x.dtype.isFloatingPoint else { return nil }
    let n = x.numel
    if x.dtype == .float32 {
      var result: Float = 0
      run(x.storage.floats() + x.offset, &result, 1, n, 1, lanes: 8)
      return Double(result)
    }
    var result: Double = 0
    run(x.storage.doubles() + x.offset, &result, 1, n, 1, lanes: 4)
    return result
  }

  private static func run<T: BinaryFloatingPoint>(
    _ p: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ outer: Int, _ reduced: Int,
    _ inner: Int,
    lanes: Int
  ) {
    if inner == 1 {
      // parallel_for's task count: at most one per thread, none smaller than the grain.
      let chunks = Swift.min(threads, (reduced + grainSize - 1) / grainSize)
      if outer == 1 && reduced >= grainSize && chunks > 1 {
        // Two-pass reduction: one chunk per task, then the chunk results added in order.
        let chunk = (reduced + chunks - 1) / chunks
        var total: T = 0
        var start = 0
        while start < reduced {
          let n = Swift.min(chunk, reduced - start)
          total += innerSum(p + start, count: n, lanes: lanes)
          start += n
        }
        out[0] = total
        return
      }
      for o in 0..<outer { out[o] = innerSum(p + o * reduced, count: reduced, lanes: lanes) }
      return
    }
    for o in 0..<outer {
      let base = p + o * reduced * inner
      // Columns are the `inner` outputs; each sums `reduced` elements `inner` apart.
      let cascaded: Int
      if inner >= lanes {
        cascaded = inner / (4 * lanes) * (4 * lanes)  // vectorized_outer_sum's multi_row_sum blocks
      } else {
        cascaded = inner / 4 * 4  // scalar_outer_sum's blocks of four columns
      }
      for j in 0..<inner {
        out[o * inner + j] =
          j < cascaded
          ? cascade(base + j, stride: inner, count: reduced)
          : rowSum(base + j, stride: inner, count: reduced)
      }
    }
  }

  /// c10's `CeilLog2`.
  private static func ceilLog2(_ x: Int) -> Int {
    x <= 2 ? 1 : (Int.bitWidth - (x - 1).leadingZeroBitCount)
  }

  /// `multi_row_sum`: `columns` running sums over `rows` rows, column `c` of row `r` at
  /// `base[r * rowStride + c * columnStride]`, each kept in a four-level cascade.
  private static func multiRowSum<T: BinaryFloatingPoint>(
    _ base: UnsafePointer<T>, rowStride: Int, columnStride: Int, columns: Int, rows: Int,
    into result: UnsafeMutablePointer<T>
  ) {
    let levels = 4
    let levelPower = Swift.max(4, ceilLog2(rows) / levels)
    let levelStep = 1 << levelPower
    let levelMask = levelStep - 1
    withUnsafeTemporaryAllocation(of: T.self, capacity: levels * columns) { accBuffer in
      guard let acc = accBuffer.baseAddress else { return }
      acc.initialize(repeating: 0, count: levels * columns)
      var i = 0
      while i + levelStep <= rows {
        for _ in 0..<levelStep {
          let row = base + i * rowStride
          for k in 0..<columns { acc[k] += row[k * columnStride] }
          i += 1
        }
        for j in 1..<levels {
          for k in 0..<columns {
            acc[j * columns + k] += acc[(j - 1) * columns + k]
            acc[(j - 1) * columns + k] = 0
          }
          let mask = levelMask << (j * levelPower)
          if i & mask != 0 { break }
        }
      }
      while i < rows {
        let row = base + i * rowStride
        for k in 0..<columns { acc[k] += row[k * columnStride] }
        i += 1
      }
      for j in 1..<levels {
        for k in 0..<columns { acc[k] += acc[j * columns + k] }
      }
      for k in 0..<columns { result[k] = acc[k] }
    }
  }

  /// `multi_row_sum` with one column: the sum of `count` elements `stride` apart.
  private static func cascade<T: BinaryFloatingPoint>(
    _ p: UnsafePointer<T>, stride: Int, count: Int
  ) -> T {
    var result: T = 0
    multiRowSum(p, rowStride: stride, columnStride: 0, columns: 1, rows: count, into: &result)
    return result
  }

  /// Scalar `row_sum`: four interleaved cascades, the leftover elements, then the four partial sums.
  private static func rowSum<T: BinaryFloatingPoint>(
    _ p: UnsafePointer<T>, stride: Int, count: Int
  ) -> T {
    let ilp = 4
    let sizeIlp = count / ilp
    return withUnsafeTemporaryAllocation(of: T.self, capacity: ilp) { partialBuffer -> T in
      guard let partial = partialBuffer.baseAddress else { return 0 }
      multiRowSum(
        p, rowStride: stride * ilp, columnStride: stride, columns: ilp, rows: sizeIlp, into: partial
      )
      var i = sizeIlp * ilp
      while i < count {
        partial[0] += p[i * stride]
        i += 1
      }
      for k in 1..<ilp { partial[0] += partial[k] }
      return partial[0]
    }
  }

  /// `vectorized_inner_sum` of one contiguous row (or the scalar `row_sum` when it is shorter than a vector).
  private static func innerSum<T: BinaryFloatingPoint>(
    _ p: UnsafePointer<T>, count: Int, lanes: Int
  ) -> T {
    let vectors = count / lanes
    if vectors == 0 { return rowSum(p, stride: 1, count: count) }
    let ilp = 4
    let sizeIlp = vectors / ilp
    return withUnsafeTemporaryAllocation(of: T.self, capacity: ilp * lanes) { partialBuffer -> T in
      guard let partial = partialBuffer.baseAddress else { return 0 }
      // Vector k of a row of four is columns k*lanes ..< (k+1)*lanes.
      multiRowSum(
        p, rowStride: ilp * lanes, columnStride: 1, columns: ilp * lanes, rows: sizeIlp,
        into: partial)
      var v = sizeIlp * ilp
      while v < vectors {
        for l in 0..<lanes { partial[l] += p[v * lanes + l] }
        v += 1
      }
      for k in 1..<ilp {
        for l in 0..<lanes { partial[l] += partial[k * lanes + l] }
      }
      var total: T = 0
      var i = vectors * lanes
      while i < count {
        total += p[i]
        i += 1
      }
      for l in 0..<lanes { total += partial[l] }
      return total
    }
  }
}
