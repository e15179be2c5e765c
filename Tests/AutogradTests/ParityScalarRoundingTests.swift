import Testing

@testable import Autograd

/// A Python number (or float64 0-d tensor) meeting a float32 tensor is cast to float32 before the op, as PyTorch's
/// TensorIterator casts every input to the common dtype; `alpha` is one fused multiply-add. Expected values are
/// PyTorch 2.15's (`tolist()` of the float32 results).
@Suite struct ParityScalarRoundingTests {
  private func call(_ name: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:])
    throws
    -> Tensor
  {
    try #require(try Ops.call(name, args: args, kwargs: kwargs).tensor)
  }

  private let values = [0.1, 0.2, 0.3, 1.1, 2.7, -3.3]

  @Test func float32DividedByANumberDividesByItsFloat32Rounding() throws {
    // x / 0.1 and x / 3.3: true float32 division by Float(n), not x * (1/n), not a float64 division.
    let x = try Tensor(shape: [6], doubles: values, requiresGrad: true)
    #expect(
      try call("div", .tensor(x), .double(0.1)).contiguousDoubles() == [1, 2, 3, 11, 27, -33])
    #expect(
      try call("div", .tensor(x), .double(3.3)).contiguousDoubles() == [
        0.03030303120613098, 0.06060606241226196, 0.09090909361839294, 0.3333333432674408,
        0.8181818723678589, -1.0,
      ])
    // (x / 0.3).sum().backward(): grad / Float(0.3)
    _ = try call("sum", .tensor(try call("div", .tensor(x), .double(0.3)))).backward()
    #expect(x.grad?.contiguousDoubles() == [Double](repeating: 3.3333332538604736, count: 6))
  }

  @Test func float32MinusANumberOrAFloat64ScalarTensorSubtractsInFloat32() throws {
    let x = try Tensor(shape: [6], doubles: values)
    let expected = [
      0.0, 0.10000000149011612, 0.20000001788139343, 1.0, 2.6000001430511475, -3.3999998569488525,
    ]
    #expect(try call("sub", .tensor(x), .double(0.1)).contiguousDoubles() == expected)
    let s = try Tensor(shape: [], doubles: [0.1], dtype: .float64)
    #expect(try call("sub", .tensor(x), .tensor(s)).contiguousDoubles() == expected)
    #expect(
      try call("mul", .tensor(x), .tensor(s)).contiguousDoubles() == [
        0.010000000707805157, 0.020000001415610313, 0.030000001192092896, 0.11000000685453415,
        0.27000001072883606, -0.33000001311302185,
      ])
  }

  @Test func float32ComparedWithANumberComparesInFloat32() throws {
    let x = try Tensor(shape: [6], doubles: values)
    #expect(
      try call("eq", .tensor(x), .double(0.1)).contiguousDoubles() == [1, 0, 0, 0, 0, 0])
    #expect(
      try call("lt", .tensor(x), .double(0.3)).contiguousDoubles() == [1, 1, 0, 0, 0, 1])
  }

  @Test func alphaIsOneFusedMultiplyAddInFloat32() throws {
    let a = try Tensor(shape: [4], doubles: [0.2, 0.2, 0.2, 0.2])
    let b = try Tensor(shape: [4], doubles: [0.3, 0.3, 0.3, 0.3])
    #expect(
      try call("sub", .tensor(a), .tensor(b), kwargs: ["alpha": .double(0.7)]).contiguousDoubles()
        == [Double](repeating: -0.010000001639127731, count: 4))
    #expect(
      try call("add", .tensor(a), .tensor(b), kwargs: ["alpha": .double(0.7)]).contiguousDoubles()
        == [Double](repeating: 0.4099999964237213, count: 4))
    // torch.sub(w, x, alpha=0.7).sum().backward(): x.grad == -Float(0.7)
    let x = try Tensor(shape: [4], doubles: [0.2, 0.2, 0.2, 0.2], requiresGrad: true)
    let w = try Tensor(shape: [4], doubles: [0.5, 0.5, 0.5, 0.5], requiresGrad: true)
    let d = try call("sub", .tensor(w), .tensor(x), kwargs: ["alpha": .double(0.7)])
    _ = try call("sum", .tensor(d)).backward()
    #expect(x.grad?.contiguousDoubles() == [Double](repeating: -0.699999988079071, count: 4))
  }

  @Test func powerKernelSpecialCasesAsPyTorch() throws {
    // x = torch.tensor([-inf, -0.0, 3.3, 7.77, 1e-3]); x ** 3, x ** -2, x ** 0.5
    let x = try Tensor(shape: [5], doubles: [-.infinity, -0.0, 3.3, 7.77, 1e-3])
    let cube = try call("pow", .tensor(x), .int(3)).contiguousDoubles()
    #expect(
      cube == [-.infinity, -0.0, 35.93699645996094, 469.097412109375, 1.0000001937626735e-09])
    #expect(cube[1].sign == .minus)
    #expect(
      try call("pow", .tensor(x), .int(-2)).contiguousDoubles() == [
        0, .infinity, 0.09182737022638321, 0.016563722863793373, 999999.875,
      ])
    let root = try call("pow", .tensor(x), .double(0.5)).contiguousDoubles()
    #expect(root[0].isNaN)  // sqrt(-inf), where pow(-inf, 0.5) would be inf
    #expect(root[1] == 0 && root[1].sign == .minus)
    let d = try Tensor(shape: [3], doubles: [3.3, 7.77, 1e-3], dtype: .float64)
    #expect(
      try call("pow", .tensor(d), .int(3)).contiguousDoubles() == [
        35.937, 469.0974329999999, 1e-09,
      ])
  }
}
