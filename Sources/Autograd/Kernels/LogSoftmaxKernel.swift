import Foundation

/// `log_softmax` in the input's own precision and in PyTorch's CPU order (SoftMaxKernel.cpp), so float32 results
/// carry PyTorch's rounding (a float64 computation rounded once is more exact, but thousands of ulps away from
/// PyTorch when the sum of exponentials is close to 1). Along the last dim: max, then the exponentials summed in
/// vector lanes (8 for float32, 4 for float64) folded as AVX2's horizontal add, then `(x - max) - log(sum)`.
/// Along another dim: the same per position, summed in order. exp and log are correctly rounded here; PyTorch's
/// vectorised ones are within an ulp, so an element may still differ in its last bit.
enum LogSoftmaxKernel {
  /// Log-softmax of a floating tensor along `dim` as a fresh contiguous tensor of the same dtype.
  static func run(_ x: Tensor, dim: Int) -> Tensor {
    let source =
      x.isContiguous ? x : Kernels.tensor(Kernels.doubles(x), shape: x.shape, dtype: x.dtype)
    let out = Tensor(zerosOf: x.shape, dtype: x.dtype)
    let size = x.rank == 0 ? 1 : x.shape[dim]
    let inner = x.rank == 0 ? 1 : x.shape[(dim + 1)...].reduce(1, *)
    let outer = x.rank == 0 ? 1 : x.shape[..<dim].reduce(1, *)
    if x.dtype == .float32 {
      rows(
        source.storage.floats() + source.offset, out.storage.floats(), outer, size, inner, lanes: 8)
    } else {
      rows(
        source.storage.doubles() + source.offset, out.storage.doubles(), outer, size, inner,
        lanes: 4)
    }
    return out
  }

  private static func exp<T: BinaryFloatingPoint>(_ v: T) -> T { T(Foundation.exp(Double(v))) }
  private static func log<T: BinaryFloatingPoint>(_ v: T) -> T { T(Foundation.log(Double(v))) }

  /// NaN-propagating maximum (PyTorch's `vec::maximum`).
  private static func maximum<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> T {
    a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
  }

  private static func rows<T: BinaryFloatingPoint>(
    _ p: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ outer: Int, _ size: Int, _ inner: Int,
    lanes: Int
  ) {
    guard size > 0 else { return }
    for o in 0..<outer {
      for j in 0..<inner {
        let base = o * size * inner + j
        var m = p[base]
        for d in 1..<Swift.max(size, 1) { m = maximum(m, p[base + d * inner]) }
        let total: T
        if inner == 1 {
          total = laneSum(size, lanes: lanes) { exp(p[base + $0] - m) }
        } else {
          var s: T = 0
          for d in 0..<size { s += exp(p[base + d * inner] - m) }
          total = s
        }
        let l = log(total)
        for d in 0..<size {
          let i = base + d * inner
          out[i] = (p[i] - m) - l
        }
      }
    }
  }

  /// `vec::map_reduce_all` with `+`: lane-wise sums over whole vectors, the tail into its lanes, then the AVX2
  /// horizontal fold; fewer elements than a vector are added in order.
  private static func laneSum<T: BinaryFloatingPoint>(
    _ count: Int, lanes: Int, _ value: (Int) -> T
  ) -> T {
    if count < lanes {
      var s = value(0)
      for i in 1..<Swift.max(count, 1) { s += value(i) }
      return s
    }
    var acc = [T](repeating: 0, count: lanes)
    for l in 0..<lanes { acc[l] = value(l) }
    var d = lanes
    while d < count - count % lanes {
      for l in 0..<lanes { acc[l] += value(d + l) }
      d += lanes
    }
    for l in 0..<(count - d) { acc[l] += value(d + l) }
    if lanes == 8 {
      // permute2f128, then shuffle 0x4E, then shuffle 0xB1.
      let s0 = acc[0] + acc[4]
      let s1 = acc[1] + acc[5]
      let s2 = acc[2] + acc[6]
      let s3 = acc[3] + acc[7]
      return (s0 + s2) + (s1 + s3)
    }
    return (acc[0] + acc[2]) + (acc[1] + acc[3])
  }
}
