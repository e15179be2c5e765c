import Testing

@testable import Autograd

@Suite struct DeepGraphTests {
  @Test func hundredThousandOpChainRunsBackwardAndIsFreed() throws {
    let x = try Tensor.ones([1], requiresGrad: true)
    var y = x
    for _ in 0..<100_000 {
      y = try op("mul", .tensor(y), .double(1.0))
    }
    try y.backward()
    #expect(values(x.grad) == [1])
    // Releasing the last reference tears the whole chain down without recursing.
    y = x
    #expect(x.grad != nil)
  }

  @Test func longChainOfSavedValuesIsFreedIteratively() throws {
    let x = try Tensor.ones([1], requiresGrad: true)
    var y = try op("mul", .tensor(x), .int(1))
    for _ in 0..<100_000 {
      y = try op("mul", .tensor(y), .tensor(x))
    }
    y = x
    #expect(y === x)
  }
}

@Suite struct MemoryTests {
  @Test func millionFloat32ElementsCostFourMegabytes() throws {
    let t = try Tensor.zeros([1_000_000])
    #expect(t.storageByteCount == 4_000_000)
  }
}
