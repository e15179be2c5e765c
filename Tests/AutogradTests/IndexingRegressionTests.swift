import Testing

@testable import Autograd

/// Inputs found by fuzzing (`Fuzz/IndexString/regressions`) that once trapped the process.
@Suite struct IndexingRegressionTests {
  @Test func hugeSliceStepSelectsOneElementInsteadOfOverflowing() throws {
    // torch.arange(6.).view(2, 3)[::6001600666677019240] -> tensor([[0., 1., 2.]])
    let x = try op("view", .tensor(Tensor.arange(start: 0, end: 6, step: 1, dtype: .float32)), .int(2), .int(3))
    let y = try op("getitem", .tensor(x), kwargs: ["index": .string("::6001600666677019240")])
    #expect(y.shape == [1, 3])
    #expect(values(y) == [0, 1, 2])
    let z = try op(
      "getitem", .tensor(x), kwargs: ["index": .string("1:+1000013185777571:+6001600666677019240")])
    #expect(z.shape == [1, 3])
    #expect(values(z) == [3, 4, 5])
  }

  @Test func hugeSliceStepBackwardReachesTheSelectedRow() throws {
    let x = try Tensor.ones([2, 3], requiresGrad: true)
    let y = try op("getitem", .tensor(x), kwargs: ["index": .string("1::9223372036854775807")])
    try op("sum", .tensor(y)).backward()
    #expect(values(x.grad) == [0, 0, 0, 1, 1, 1])
  }
}
