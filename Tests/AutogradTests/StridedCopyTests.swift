import Testing

@testable import Autograd

/// `Kernels.copy` of views whose elements are not one contiguous run: every element lands where row-major order of
/// the view puts it, bit for bit.
@Suite struct StridedCopyTests {
  /// A contiguous tensor holding 0, 1, 2, ... (exact in every dtype used here).
  private func iota(_ shape: [Int], dtype: DType = .float32) -> Tensor {
    let n = shape.reduce(1, *)
    return Kernels.tensor((0..<n).map(Double.init), shape: shape, dtype: dtype)
  }

  /// The view's elements in row-major order, computed from shape, strides and offset by hand.
  private func expected(_ base: Tensor, shape: [Int], strides: [Int], offset: Int) -> [Double] {
    let values = base.contiguousDoubles()
    var out: [Double] = []
    var index = [Int](repeating: 0, count: shape.count)
    let count = shape.reduce(1, *)
    for _ in 0..<count {
      var at = offset
      for d in 0..<shape.count { at += index[d] * strides[d] }
      out.append(values[at])
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        if index[d] < shape[d] { break }
        index[d] = 0
        d -= 1
      }
    }
    return out
  }

  private func check(_ base: Tensor, shape: [Int], strides: [Int], offset: Int) {
    let view = base.makeView(shape: shape, strides: strides, offset: offset)
    let copy = Kernels.contiguousCopy(view)
    #expect(copy.isContiguous)
    #expect(copy.shape == shape)
    #expect(
      copy.contiguousDoubles() == expected(base, shape: shape, strides: strides, offset: offset))
  }

  @Test func transposedFloatMatricesOfOddAndTileSizes() {
    for (rows, cols) in [(1, 1), (3, 5), (8, 8), (16, 24), (37, 53), (64, 33), (100, 7)] {
      let base = iota([cols, rows])
      check(base, shape: [rows, cols], strides: [1, rows], offset: 0)
    }
  }

  @Test func largeTransposedMatrixSplitAcrossThreads() {
    let base = iota([1000, 1000])
    let t = base.makeView(shape: [1000, 1000], strides: [1, 1000], offset: 0)
    let copy = Kernels.contiguousCopy(t)
    let p = copy.storage.floats()
    #expect(p[0] == 0)
    #expect(p[1] == 1000)
    #expect(p[999] == 999_000)
    #expect(p[1000] == 1)
    #expect(p[500 * 1000 + 499] == 499_500)
    #expect(p[999_999] == 999_999)
    #expect(
      copy.contiguousDoubles()
        == expected(base, shape: [1000, 1000], strides: [1, 1000], offset: 0))
  }

  @Test func slicedRowsAndColumnsWithSteps() {
    let base = iota([10, 12])
    // x[1:9:2, 3:11:3]
    check(base, shape: [4, 3], strides: [24, 3], offset: 15)
    // x[2:7, 4:9] (rows contiguous but not adjacent)
    check(base, shape: [5, 5], strides: [12, 1], offset: 28)
  }

  @Test func nonContiguous3DPermutationsAndDoubleAndInt64() {
    let base = iota([4, 5, 6])
    // permute(2, 0, 1), permute(1, 2, 0), and a transposed slice of the last two dims
    check(base, shape: [6, 4, 5], strides: [1, 30, 6], offset: 0)
    check(base, shape: [5, 6, 4], strides: [6, 1, 30], offset: 0)
    check(base, shape: [4, 3, 5], strides: [30, 2, 6], offset: 1)
    check(iota([4, 5, 6], dtype: .float64), shape: [6, 4, 5], strides: [1, 30, 6], offset: 0)
    check(iota([9, 11], dtype: .int64), shape: [11, 9], strides: [1, 11], offset: 0)
  }

  @Test func int64BeyondDoublePrecisionIsCopiedExactly() {
    let base = Tensor(zerosOf: [2, 2], dtype: .int64)
    let p = base.storage.int64s()
    p[0] = (1 << 53) + 1
    p[1] = -((1 << 62) + 3)
    p[2] = 7
    p[3] = Int64.max
    let copy = Kernels.contiguousCopy(base.makeView(shape: [2, 2], strides: [1, 2], offset: 0))
    let q = copy.storage.int64s()
    let got: [Int64] = [q[0], q[1], q[2], q[3]]
    let want: [Int64] = [9_007_199_254_740_993, 7, -4_611_686_018_427_387_907, Int64.max]
    #expect(got == want)
  }

  @Test func nanPayloadBitsSurviveATransposedCopy() {
    let base = Tensor(zerosOf: [8, 8], dtype: .float32)
    let bits: UInt32 = 0x7FC0_1234
    base.storage.floats()[3 * 8 + 5] = Float(bitPattern: bits)
    let copy = Kernels.contiguousCopy(base.makeView(shape: [8, 8], strides: [1, 8], offset: 0))
    #expect(copy.storage.floats()[5 * 8 + 3].bitPattern == bits)
  }

  @Test func broadcastSourceFillsEveryRow() {
    let row = iota([5])
    let out = Tensor(zerosOf: [3, 5], dtype: .float32)
    Kernels.copy(row, into: out)
    #expect(out.contiguousDoubles() == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
  }

  @Test func copyIntoATransposedDestination() {
    let src = iota([3, 4])
    let out = Tensor(zerosOf: [4, 3], dtype: .float32)
    Kernels.copy(src, into: out.makeView(shape: [3, 4], strides: [1, 3], offset: 0))
    #expect(out.contiguousDoubles() == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
  }
}
