import Testing

@testable import TensorJSON

private func written(_ v: Float) -> String {
  withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberFormatting.maxLength) { buffer in
    guard let p = buffer.baseAddress else { return "" }
    let n = NumberFormatting.write(v, to: p)
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }
}

private func reference(_ v: Float) -> String {
  withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberFormatting.maxLength) { buffer in
    guard let p = buffer.baseAddress else { return "" }
    let n = NumberFormatting.writeReference(v, to: p)
    return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
  }
}

@Suite("float32 formatting")
struct Float32FormattingTests {
  @Test func writesGradientSizedValuesInPythonsExponentForm() {
    // Expected: Python's repr layout of the shortest float32 digits (numpy's str for these values).
    #expect(written(1.8279192e-05) == "1.8279192e-05")
    #expect(written(-9.425416e-05) == "-9.425416e-05")
    #expect(written(9.999999e-05) == "9.999999e-05")
    #expect(written(0.00022891087) == "0.00022891087")
    #expect(written(1.5e-05) == "1.5e-05")
    #expect(written(-1.25e-07) == "-1.25e-07")
    #expect(written(7e-10) == "7e-10")
    #expect(written(-3e-45) == "-3e-45")
    #expect(written(Float(bitPattern: 1)) == "1e-45")
    #expect(written(2.5e+20) == "2.5e+20")
    #expect(written(4.2e+17) == "4.2e+17")
    #expect(written(1e+38) == "1e+38")
  }

  @Test func placesThePointAtTheLayoutBoundaries() {
    #expect(written(0.0001) == "0.0001")
    #expect(written(0.00012345678) == "0.00012345678")
    #expect(written(9999999000000000.0) == "9999999000000000.0")
    #expect(written(1e16) == "1e+16")
    #expect(written(1234567.9) == "1234567.9")
    #expect(written(12345678.0) == "12345678.0")
    #expect(written(-100.0) == "-100.0")
    #expect(written(0.5) == "0.5")
    #expect(written(-0.0) == "-0.0")
  }

  /// Values that the writer's one-multiplication path leaves to Dragonbox's exact steps: the remainder equal to the
  /// interval's width, a zero remainder, and a distance to the middle that is a multiple of ten. Expected: numpy's
  /// shortest float32 digits (`str(np.float32)`) in Python's repr layout (`repr(float(...))`).
  @Test func writesValuesSettledByDragonboxsExactSteps() {
    let cases: [(UInt32, String)] = [
      (1_772_061_714, "2.4105361e+25"), (1_159_186_453, "2428.5051"), (588_078_784, "7.663689e-18"),
      (1_184_660_884, "20030.79"), (1_284_788_198, "77758260.0"), (1_301_773_319, "317685980.0"),
      (856_265_607, "3.2031974e-08"), (793_699_580, "1.8816942e-10"),
      (525_208_466, "4.3631768e-20"),
    ]
    for (bits, text) in cases {
      #expect(written(Float(bitPattern: bits)) == text)
      #expect(written(Float(bitPattern: bits | 1 << 31)) == "-" + text)
    }
  }

  /// The exhaustive comparison over all 2^32 bit patterns is `TensorJSONBench --verify-float32-exhaustive` (minutes);
  /// here every 4099th pattern, every power of two and the values around each layout boundary.
  @Test func matchesTheReferenceWriterOnSampledBitPatterns() {
    var mismatches = 0
    var bits: UInt32 = 0
    func check(_ v: Float) {
      if written(v) != reference(v) {
        mismatches += 1
        if mismatches <= 5 { Issue.record("\(v.bitPattern): \(written(v)) vs \(reference(v))") }
      }
    }
    while true {
      check(Float(bitPattern: bits))
      let (next, overflow) = bits.addingReportingOverflow(4099)
      if overflow { break }
      bits = next
    }
    for exponent in -149...127 {
      let power = Float(sign: .plus, exponent: exponent, significand: 1)
      for v in [power, power.nextUp, power.nextDown, -power] { check(v) }
    }
    for boundary: Float in [1e-5, 1e-4, 1e15, 1e16, 1, 10, 1e8, 16_777_216] {
      var v = boundary
      for _ in 0..<64 { v = v.nextDown }
      for _ in 0..<128 {
        check(v)
        v = v.nextUp
      }
    }
    #expect(mismatches == 0)
  }
}
