import Testing

@testable import TensorJSON

/// Values of every kind the writer spells differently: long and short digits, integers, tiny and huge exponents,
/// signed zeros, NaN and infinities.
private func mixedFloats(_ count: Int) -> [Float] {
  var generator = SplitMix(seed: 0x5EED)
  let specials: [Float] = [
    0, -0.0, .nan, .infinity, -.infinity, 27, .leastNonzeroMagnitude, 3.4028235e+38, 1e-5, 0.1,
  ]
  return (0..<count).map { k in
    if k % 97 == 0 { return specials[(k / 97) % specials.count] }
    return Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
  }
}

private struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

private func written<Element>(
  _ values: [Element], shape: [Int], threads: Int,
  _ write: (inout JSONWriter, UnsafeBufferPointer<Element>, [Int], Int) -> Void
) -> [UInt8] {
  var writer = JSONWriter()
  writer.beginObject()
  writer.key("data")
  values.withUnsafeBufferPointer { write(&writer, $0, shape, threads) }
  writer.key("after")
  writer.int(1)
  writer.endObject()
  return writer.bytes
}

@Suite("Parallel tensor writer")
struct ParallelTensorWriterTests {
  @Test(arguments: [[1000, 70], [70_000], [3, 30_000], [2, 3, 12_000], [7, 10_000]])
  func float32RowsOnSeveralThreadsGiveTheSameBytes(shape: [Int]) {
    let values = mixedFloats(shape.reduce(1, *))
    let write = { (w: inout JSONWriter, v: UnsafeBufferPointer<Float>, s: [Int], t: Int) in
      w.writeTensor(v, shape: s, threads: t)
    }
    let single = written(values, shape: shape, threads: 1, write)
    #expect(written(values, shape: shape, threads: 2, write) == single)
    #expect(written(values, shape: shape, threads: 3, write) == single)
  }

  /// Regions are placed by a sample of each part's values: a first half that is short exactly where it is sampled
  /// and long elsewhere overruns its region, and the array is written again on one thread.
  @Test func aMisleadingSampleStillGivesTheSameBytes() {
    let shape = [1000, 70]
    let half = 500 * 70
    var values = mixedFloats(shape.reduce(1, *)).map { $0.isFinite ? $0 : 1.2345678e-20 }
    for k in 0..<half { values[k] = -1.2345678e-20 }
    for k in 0..<128 { values[k * half / 128] = 0 }
    let write = { (w: inout JSONWriter, v: UnsafeBufferPointer<Float>, s: [Int], t: Int) in
      w.writeTensor(v, shape: s, threads: t)
    }
    let single = written(values, shape: shape, threads: 1, write)
    #expect(written(values, shape: shape, threads: 2, write) == single)
    // And the other way round: long where sampled, short elsewhere (regions larger than needed).
    var sparse = [Float](repeating: 0, count: shape.reduce(1, *))
    for k in 0..<128 { sparse[k * half / 128] = -1.2345678e-20 }
    #expect(
      written(sparse, shape: shape, threads: 2, write)
        == written(sparse, shape: shape, threads: 1, write))
  }

  @Test func float64RowsOnTwoThreadsGiveTheSameBytes() {
    let values = mixedFloats(80_000).map { Double($0) * 1.000_000_1 }
    let write = { (w: inout JSONWriter, v: UnsafeBufferPointer<Double>, s: [Int], t: Int) in
      w.writeTensor(v, shape: s, threads: t)
    }
    #expect(
      written(values, shape: [400, 200], threads: 2, write)
        == written(values, shape: [400, 200], threads: 1, write))
  }

  @Test func smallTensorsAndShortOuterDimensionsStayOnOneThread() {
    // Fewer rows than threads, and fewer values than the threshold, take the sequential path: same bytes.
    let values = mixedFloats(70_000)
    let write = { (w: inout JSONWriter, v: UnsafeBufferPointer<Float>, s: [Int], t: Int) in
      w.writeTensor(v, shape: s, threads: t)
    }
    #expect(
      written(values, shape: [1, 70_000], threads: 2, write)
        == written(values, shape: [1, 70_000], threads: 1, write))
    let small = Array(values.prefix(100))
    #expect(
      written(small, shape: [10, 10], threads: 2, write)
        == written(small, shape: [10, 10], threads: 1, write))
  }
}
