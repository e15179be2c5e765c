import Testing

@testable import Autograd

/// Errors found by the parity fuzzer (scripts/parity): codes and PyTorch 2.15's texts, printed by PyTorch.
@Suite struct ParityErrorTests {
  private func ones(_ shape: [Int], _ dtype: DType = .float32) throws -> Tensor {
    try Tensor(
      shape: shape, doubles: [Double](repeating: 1, count: shape.reduce(1, *)), dtype: dtype)
  }

  private func refusal(_ body: () throws -> Void) -> AutogradError? {
    do {
      try body()
      return nil
    } catch let e as AutogradError {
      return e
    } catch {
      return nil
    }
  }

  @Test func matrixProductRefusalsUsePyTorchsTexts() throws {
    let m = try ones([2, 3])
    #expect(
      refusal { _ = try op("mm", .tensor(m), .tensor(try ones([3]))) }
        == AutogradError(.shapeMismatch, "mm: mat2 must be a matrix, got 1-D tensor"))
    #expect(
      refusal { _ = try op("mm", .tensor(try ones([3])), .tensor(m)) }
        == AutogradError(.shapeMismatch, "mm: self must be a matrix, got 1-D tensor"))
    #expect(
      refusal { _ = try op("mv", .tensor(try ones([3])), .tensor(try ones([3]))) }
        == AutogradError(.shapeMismatch, "vector + matrix @ vector expected, got 1, 1, 1"))
    // Sizes are checked before dtypes in mv, dtypes before sizes in dot.
    #expect(
      refusal { _ = try op("matmul", .tensor(try ones([2, 2], .float64)), .tensor(try ones([3]))) }
        == AutogradError(.shapeMismatch, "size mismatch, got input (2), mat (2x2), vec (3)"))
    #expect(
      refusal { _ = try op("mv", .tensor(m), .tensor(try ones([3], .float64))) }
        == AutogradError(
          .dtypeMismatch,
          "addmv input tensors must have the same dtype, but got Double, Float, and Double"))
    #expect(
      refusal { _ = try op("dot", .tensor(try ones([3])), .tensor(try ones([4], .float64))) }
        == AutogradError(
          .dtypeMismatch,
          "dot : expected both vectors to have same dtype, but found Float and Double"))
    #expect(
      refusal { _ = try op("outer", .tensor(try ones([3])), .tensor(try ones([2, 2]))) }
        == AutogradError(.shapeMismatch, "outer: Expected 1-D argument vec2, but got 2-D"))
  }

  @Test func emptyReductionsNameTheirOpAndOnlyRefuseEmptyReducedDims() throws {
    #expect(
      refusal { _ = try op("argmax", .tensor(try ones([2, 0])), kwargs: ["dim": .int(1)]) }
        == AutogradError(
          .shapeMismatch, "argmax(): Expected reduction dim 1 to have non-zero size."))
    #expect(
      refusal { _ = try op("argmin", .tensor(try ones([0]))) }
        == AutogradError(
          .shapeMismatch,
          "argmin(): Expected reduction dim to be specified for input.numel() == 0."))
    #expect(
      refusal { _ = try op("amin", .tensor(try ones([2, 0, 3])), kwargs: ["dim": .int(1)]) }
        == AutogradError(.shapeMismatch, "amin(): Expected reduction dim 1 to have non-zero size."))
    // torch.ones(2, 0, 3).amin(0) -> tensor([], size=(0, 3))
    let kept = try op("amin", .tensor(try ones([2, 0, 3])), kwargs: ["dim": .int(0)])
    #expect(kept.shape == [0, 3])
  }

  @Test func logsumexpPromotesIntegersToFloat() throws {
    let x = try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .int64)
    let r = try op("logsumexp", .tensor(x), kwargs: ["dim": .int(0)])
    // torch.tensor([1,2,3]).logsumexp(0) -> tensor(3.4076)
    #expect(r.dtype == .float32 && approx(values(r), [3.4076059644443806]))
  }

  @Test func setitemDropsLeadingUnitDimsOfTheValueThenExpands() throws {
    let x = try Tensor(shape: [2], doubles: [0, 0])
    _ = try op("setitem", .tensor(x), .tensor(try ones([1, 2])), kwargs: ["index": .string("0:2")])
    #expect(values(x) == [1, 1])
    let y = try Tensor(shape: [2, 3], doubles: [0, 0, 0, 0, 0, 0])
    #expect(
      refusal {
        _ = try op(
          "setitem", .tensor(y), .tensor(try ones([3, 2])), kwargs: ["index": .string("0")])
      }
        == AutogradError(
          .shapeMismatch,
          "expand(torch.FloatTensor{[3, 2]}, size=[3]): the number of sizes provided (1) must be greater or equal to the number of dimensions in the tensor (2)"
        ))
    #expect(
      refusal {
        _ = try op("setitem", .tensor(y), .tensor(try ones([2])), kwargs: ["index": .string("0")])
      }
        == AutogradError(
          .shapeMismatch,
          "The expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0.  Target sizes: [3].  Tensor sizes: [2]"
        ))
  }

  @Test func autogradRefusalsAreUnprocessableNotMalformed() throws {
    let x = try ones([2])
    #expect(
      refusal { try x.retainGrad() }
        == AutogradError(.invalidOp, "can't retain_grad on Tensor that has requires_grad=False"))
    let i = try Tensor(shape: [2], doubles: [1, 2], dtype: .int64)
    #expect(
      refusal { try i.setRequiresGrad(true) }
        == AutogradError(
          .dtypeMismatch, "only Tensors of floating point dtype can require gradients"))
  }
}
