import Testing

@testable import Autograd

/// log_softmax in float32 as PyTorch computes it (expected values printed by PyTorch 2.15).
@Suite struct ParitySoftmaxTests {
  @Test func float32LogSoftmaxKeepsPyTorchsFloat32Rounding() throws {
    // torch.arange(4099.)/0.1 - 1366, log_softmax(0): the sum of exponentials is 1.0000454 in float32.
    let values = (0..<4099).map { Double(Float($0) / Float(0.1) - 1366) }
    let x = try Tensor(shape: [4099], doubles: values)
    let y = values_(try op("log_softmax", .tensor(x), kwargs: ["dim": .int(0)]))
    #expect(y[4098] == -4.541770613286644e-05)
    #expect(y[4097] == -10.000045776367188)
    #expect(y[0] == -40980.0)
  }

  @Test func logSoftmaxAlongTheFirstDimMatchesPyTorch() throws {
    let x = try Tensor(shape: [2, 3], doubles: [1, 2, 3, 1, 0, -1])
    let y = values_(try op("log_softmax", .tensor(x), kwargs: ["dim": .int(0)]))
    #expect(
      y == [
        -0.6931471824645996, -0.12692804634571075, -0.018149960786104202,
        -0.6931471824645996, -2.1269280910491943, -4.0181498527526855,
      ])
  }

  @Test func anInfiniteInputMakesTheSliceNaN() throws {
    let x = try Tensor(shape: [2], doubles: [1, .infinity])
    #expect(values_(try op("softmax", .tensor(x), kwargs: ["dim": .int(0)])).allSatisfy(\.isNaN))
    #expect(
      values_(try op("log_softmax", .tensor(x), kwargs: ["dim": .int(0)])).allSatisfy(\.isNaN))
  }

  @Test func float32MseLossRoundsLikePyTorch() throws {
    // a = arange(100)/7 - 5, b = arange(100)/3, both [10, 10]; mse_loss(a, b) and its gradient, from PyTorch.
    let a = try Tensor(
      shape: [10, 10], doubles: (0..<100).map { Double(Float($0) / 7 - 5) }, requiresGrad: true)
    let b = try Tensor(shape: [10, 10], doubles: (0..<100).map { Double(Float($0) / 3) })
    let l = try op("mse_loss", .tensor(a), .tensor(b))
    #expect(values_(l) == [238.4149627685547])
    try l.backward()
    let g = values_(try #require(a.grad))
    #expect(g[1] == -0.10380952805280685 && g[99] == -0.477142870426178)
  }

  private func values_(_ t: Tensor) -> [Double] { values(t) }
}
