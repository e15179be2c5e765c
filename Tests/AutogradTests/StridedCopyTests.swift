import CKernels
import Testing

@testable import Autograd

/// `Kernels.copy` through the tiled strided copy: every element lands where the element-by-element definition
/// puts it, bit for bit, for transposed, sliced, permuted and broadcast sources and strided destinations.
@Suite struct StridedCopyTests {
  /// A contiguous tensor whose element at linear index i holds i (exact in float32 below 2^24).
  private func iota(_ shape: [Int], _ dtype: DType) -> Tensor {
    let n = shape.reduce(1, *)
    return Kernels.tensor((0..<n).map(Double.init), shape: shape, dtype: dtype)
  }

  private func transposedCopy(rows: Int, cols: Int, dtype: DType) -> [Double] {
    let base = iota([cols, rows], dtype)
    let view = base.makeView(shape: [rows, cols], strides: [1, rows], offset: 0)
    let out = Kernels.contiguousCopy(view)
    #expect(out.isContiguous)
    return Kernels.doubles(out)
  }

  @Test(arguments: [(1000, 1000), (37, 53), (53, 37), (8, 8), (1, 9), (9, 1), (7, 3)])
  func transposedFloat32CopyPlacesEveryElement(rows: Int, cols: Int) {
    let values = transposedCopy(rows: rows, cols: cols, dtype: .float32)
    let expected = (0..<(rows * cols)).map { Double(($0 % cols) * rows + $0 / cols) }
    #expect(values == expected)
  }

  @Test(arguments: [(1000, 1000), (37, 53), (4, 4), (5, 3)])
  func transposedFloat64CopyPlacesEveryElement(rows: Int, cols: Int) {
    let values = transposedCopy(rows: rows, cols: cols, dtype: .float64)
    let expected = (0..<(rows * cols)).map { Double(($0 % cols) * rows + $0 / cols) }
    #expect(values == expected)
  }

  @Test func transposedCopyKeepsNaNPayloadsAndSignedZeros() {
    let rows = 37
    let cols = 53
    let f = Tensor(zerosOf: [cols, rows], dtype: .float32)
    let d = Tensor(zerosOf: [cols, rows], dtype: .float64)
    let pf = f.storage.floats()
    let pd = d.storage.doubles()
    for i in 0..<(rows * cols) {
      pf[i] = Float(bitPattern: 0x7F80_0001 + UInt32(i))
      pd[i] = Double(bitPattern: 0xFFF0_0000_0000_0001 + UInt64(i))
    }
    pf[5] = -0.0
    pd[5] = -0.0
    let outF = Kernels.contiguousCopy(
      f.makeView(shape: [rows, cols], strides: [1, rows], offset: 0))
    let outD = Kernels.contiguousCopy(
      d.makeView(shape: [rows, cols], strides: [1, rows], offset: 0))
    var same = true
    for r in 0..<rows {
      for c in 0..<cols {
        let source = c * rows + r
        same = same && outF.storage.floats()[r * cols + c].bitPattern == pf[source].bitPattern
        same = same && outD.storage.doubles()[r * cols + c].bitPattern == pd[source].bitPattern
      }
    }
    #expect(same)
    #expect(outF.storage.floats()[5 % rows * cols + 5 / rows].bitPattern == 0x8000_0000)
  }

  /// x[:, ::2, 1:9:2] of a [4, 6, 10] tensor: rows copied element by element from a strided source.
  @Test(arguments: [DType.float32, .float64])
  func slicedThreeDimensionalCopy(dtype: DType) {
    let base = iota([4, 6, 10], dtype)
    let view = base.makeView(shape: [4, 3, 4], strides: [60, 20, 2], offset: 1)
    var expected: [Double] = []
    for i in 0..<4 {
      for j in 0..<3 { for k in 0..<4 { expected.append(Double(i * 60 + j * 20 + 1 + k * 2)) } }
    }
    #expect(Kernels.doubles(Kernels.contiguousCopy(view)) == expected)
  }

  /// permute(2, 0, 1) of a [5, 7, 9] tensor and the same of a sliced one: the source is dense along a dim other
  /// than the destination's innermost, so the copy goes in tiles.
  @Test(arguments: [DType.float32, .float64])
  func permutedThreeDimensionalCopy(dtype: DType) {
    let base = iota([5, 7, 19], dtype)
    let permuted = base.makeView(shape: [19, 5, 7], strides: [1, 133, 19], offset: 0)
    var expected: [Double] = []
    for i in 0..<19 {
      for j in 0..<5 { for k in 0..<7 { expected.append(Double(i + j * 133 + k * 19)) } }
    }
    #expect(Kernels.doubles(Kernels.contiguousCopy(permuted)) == expected)
    // Every other row of the last dim, then permuted: no dim of the source is dense.
    let sliced = base.makeView(shape: [10, 5, 7], strides: [2, 133, 19], offset: 0)
    var expectedSliced: [Double] = []
    for i in 0..<10 {
      for j in 0..<5 { for k in 0..<7 { expectedSliced.append(Double(2 * i + j * 133 + k * 19)) } }
    }
    #expect(Kernels.doubles(Kernels.contiguousCopy(sliced)) == expectedSliced)
  }

  /// Large enough to be split into blocks of rows across cores; the source is dense along the middle dim.
  @Test func largePermutedCopySplitAcrossCores() {
    let base = iota([30, 40, 300], .float32)
    let permuted = base.makeView(shape: [300, 30, 40], strides: [1, 12000, 300], offset: 0)
    var expected: [Double] = []
    expected.reserveCapacity(360_000)
    for i in 0..<300 {
      for j in 0..<30 { for k in 0..<40 { expected.append(Double(i + j * 12000 + k * 300)) } }
    }
    #expect(Kernels.doubles(Kernels.contiguousCopy(permuted)) == expected)
  }

  @Test func copyIntoTransposedDestinationAndFromBroadcastSource() {
    let src = iota([6, 11], .float32)
    let target = Tensor(zerosOf: [11, 6], dtype: .float32)
    Kernels.copy(src, into: target.makeView(shape: [6, 11], strides: [1, 6], offset: 0))
    let expected = (0..<66).map { Double(($0 % 6) * 11 + $0 / 6) }
    #expect(Kernels.doubles(target) == expected)

    let row = iota([1, 5], .float64)
    let filled = Tensor(zerosOf: [3, 5], dtype: .float64)
    Kernels.copy(row, into: filled)
    #expect(Kernels.doubles(filled) == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
  }

  @Test func overlappingDestinationIsLeftToTheCaller() {
    var shape = [3, 4]
    var dstStrides = [0, 1]
    var srcStrides = [4, 1]
    var dst = [Float](repeating: 0, count: 4)
    let src = (0..<12).map(Float.init)
    let done = ck_copy_strided(4, 2, &shape, &dst, &dstStrides, src, &srcStrides)
    #expect(done == 0)
    #expect(dst == [0, 0, 0, 0])
  }
}
