import Testing

@testable import Autograd

/// Sums and means in PyTorch's own accumulation order (expected values printed by PyTorch 2.15 on CPU, AVX2).
@Suite struct ParityReductionTests {
  /// `torch.arange(n, dtype) / 7 - shift`: values both engines compute exactly alike (one rounding each).
  private func ramp(_ n: Int, shift: Double, dtype: DType, shape: [Int]? = nil) throws -> Tensor {
    let values: [Double] =
      dtype == .float32
      ? (0..<n).map { Double(Float($0) / 7 - Float(shift)) }
      : (0..<n).map { Double($0) / 7 - shift }
    return try Tensor(shape: shape ?? [n], doubles: values, dtype: dtype)
  }

  @Test func float32SumAccumulatesInFloat32InPyTorchsCascadeOrder() throws {
    let x = try ramp(1031, shift: 343, dtype: .float32)
    // torch: (torch.arange(1031.)/7-343).sum() -> -277780.875 (a float64 accumulation gives -277780.857...)
    #expect(values(try op("sum", .tensor(x))) == [-277780.875])
    #expect(values(try op("mean", .tensor(x))) == [-269.4285888671875])
  }

  @Test func aSizeOneDimWithAnyStrideStillTakesTheCascadeOrder() throws {
    let x = try Tensor(
      shape: [2, 3, 4],
      doubles: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        + [1.0, -4.30405, -1.194269912, 1.5, -0.923072371, 2.0, -3.92, 1.35]
        + [65504.0, -2.26938, 3.141984536, -0.8557])
    let view = try op("getitem", .tensor(x), kwargs: ["index": .string("None, 1")])
    #expect(view.shape == [1, 3, 4] && view.isContiguous)
    // torch: x[None, 1].mean() -> bits 0x45aa9259 (5458.2935); a float64 accumulation gives 5458.2939
    #expect(values(try op("mean", .tensor(view))).map { Float($0).bitPattern } == [0x45aa_9259])
  }

  @Test func shortFloat32SumUsesPyTorchsFourWayPartialSums() throws {
    let z = try Tensor(
      shape: [5], doubles: (0..<5).map { Double(Float($0) / 7 + 1000) }, dtype: .float32)
    #expect(values(try op("sum", .tensor(z))) == [5001.4287109375])
  }

  @Test func float32ColumnAndRowSumsMatchPyTorch() throws {
    let y = try ramp(3700, shift: 500, dtype: .float32, shape: [100, 37])
    let columns = values(try op("sum", .tensor(y), kwargs: ["dim": .int(0)]))
    #expect(
      [columns[0], columns[31], columns[32], columns[36]] == [
        -23835.71484375, -23392.859375, -23378.57421875, -23321.427734375,
      ])
    let rows = values(try op("sum", .tensor(y), kwargs: ["dim": .int(1)]))
    #expect([rows[0], rows[99]] == [-18404.857421875, 956.7142944335938])
  }

  @Test func float64SumUsesFourLanes() throws {
    let x = try ramp(1031, shift: 343, dtype: .float64)
    #expect(values(try op("sum", .tensor(x))) == [-277780.85714285716])
    #expect(values(try op("mean", .tensor(x))) == [-269.42857142857144])
  }
}
