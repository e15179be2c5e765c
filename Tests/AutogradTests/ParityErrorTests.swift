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
      refusal { _ = try op("min", .tensor(try ones([0]))) }
        == AutogradError(
          .shapeMismatch,
          "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        ))
    #expect(
      refusal { _ = try op("argmin", .tensor(try ones([0]))) }
        == AutogradError(
          .shapeMismatch,
          "argmin(): Expected reduction dim to be specified for input.numel() == 0."))
    #expect(
      refusal { _ = try op("amin", .tensor(try ones([2, 0])), kwargs: ["dim": .int(-1)]) }
        == AutogradError(.shapeMismatch, "amin(): Expected reduction dim -1 to have non-zero size.")
    )
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

  @Test func logsumexpTakesPyTorchsFloat32StepsNotAFloat64Pass() throws {
    let a = try Tensor(shape: [2, 3], doubles: [0.3, -1.2, 5.5, 2.25, 0.001, -7.0])
    let r = try op("logsumexp", .tensor(a), kwargs: ["dim": .int(1)])
    // torch: a.logsumexp(1) -> bits 0x40b03717, 0x40166cc5; one float64 pass rounds the second to 0x40166cc6.
    #expect(values(r).map { Float($0).bitPattern } == [0x40b0_3717, 0x4016_6cc5])
    // torch: tensor([1.5, 7.0]).log_softmax(-1).logsumexp(0) -> tensor(0.)
    let shifted = try op(
      "log_softmax", .tensor(try Tensor(shape: [2], doubles: [1.5, 7.0])), kwargs: ["dim": .int(-1)]
    )
    #expect(values(try op("logsumexp", .tensor(shifted), kwargs: ["dim": .int(0)])) == [0])
  }

  @Test func numbersADTypeCannotHoldAreRefusedAsPyTorchsCheckedConvert() throws {
    // torch: zeros(2, dtype=int64).fill_(1e20) / fill_(nan), full((2,), 1e300), x[..., 0] = 1e20 (int64)
    let longs = try Tensor(shape: [2], doubles: [0, 0], dtype: .int64)
    let overflowLong = AutogradError.invalidOp(
      "value cannot be converted to type int64_t without overflow")
    #expect(refusal { _ = try op("fill_", .tensor(longs), .double(1e20)) } == overflowLong)
    #expect(refusal { _ = try op("fill_", .tensor(longs), .double(.nan)) } == overflowLong)
    #expect(
      refusal {
        _ = try op("setitem", .tensor(longs), .double(1e20), kwargs: ["index": .string("..., 0")])
      } == overflowLong)
    #expect(
      refusal { _ = try Tensor.full([2], value: 1e300) }
        == .invalidOp("value cannot be converted to type float without overflow"))
    #expect(values(longs) == [0, 0])
    // In range they truncate; infinities fill floating tensors.
    _ = try op("fill_", .tensor(longs), .double(-3.7))
    #expect(values(longs) == [-3, -3])
    #expect(values(try Tensor.full([1], value: .infinity)) == [.infinity])
  }

  @Test func castingWhatInt64CannotHoldGivesItsMinimumAsOnX86() throws {
    let x = try Tensor(shape: [6], doubles: [.nan, 1e30, -1e30, .infinity, 3.7, -3.7])
    // torch: x.to(torch.int64) -> [-9223372036854775808 x 4, 3, -3]
    let longs = try op("to", .tensor(x), .string("int64"))
    let minimum = Double(Int64.min)
    #expect(longs.dtype == .int64 && values(longs) == [minimum, minimum, minimum, minimum, 3, -3])
  }

  @Test func setitemFillsWithANumberButCopiesATensorIntoOverlappingMemory() throws {
    let overlap = AutogradError.invalidOp(
      "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
    )
    let base = try Tensor(shape: [1], doubles: [0.5])
    let wide = try op("expand", .tensor(base), .int(2), .int(3), grad: false)
    // torch: wide[-1] = 1.5 fills every element (they are one); wide[...] = torch.tensor(-1.0) refuses.
    _ = try op(
      "setitem", .tensor(wide), .double(1.5), kwargs: ["index": .string("-1")], grad: false)
    #expect(values(base) == [1.5])
    #expect(
      refusal {
        _ = try op(
          "setitem", .tensor(wide), .tensor(try Tensor(shape: [], doubles: [-1])),
          kwargs: ["index": .string("...")], grad: false)
      } == overlap)
    #expect(
      refusal {
        _ = try op(
          "fill_", .tensor(wide), .tensor(try Tensor(shape: [], doubles: [2])), grad: false)
      }
        == overlap)
    // A value sharing the target's memory is cloned first: y.fill_(y[1]).
    let y = try Tensor(shape: [3], doubles: [1, 2, 3])
    _ = try op(
      "fill_", .tensor(y), .tensor(try op("getitem", .tensor(y), kwargs: ["index": .string("1")])))
    #expect(values(y) == [2, 2, 2])
  }

  @Test func extraPositionalArgumentsUsePyTorchsSingularAndPlural() throws {
    let x = try ones([2])
    // torch.clone(x, 1.0) / torch.add(x, x, x, x)
    #expect(
      refusal { _ = try op("clone", .tensor(x), .double(1)) }
        == AutogradError(.invalidArgument, "clone() takes 1 positional argument but 2 were given"))
    #expect(
      refusal { _ = try op("add", .tensor(x), .tensor(x), .tensor(x), .tensor(x)) }
        == AutogradError(.invalidArgument, "add() takes 2 positional arguments but 4 were given"))
  }

  @Test func mseLossAgainstABoolTargetDifferentiates() throws {
    // torch: mse_loss(x, bool target) -> 18.493074417114258; x.grad [4.0, -1.6666667461395264, -2.424800157546997]
    let x = try Tensor(shape: [3], doubles: [7.0, -2.5, -2.6372], requiresGrad: true)
    let target = try Tensor(shape: [3], doubles: [1, 0, 1], dtype: .bool)
    let loss = try op("mse_loss", .tensor(x), .tensor(target))
    try loss.backward()
    #expect(values(loss) == [18.493074417114258])
    #expect(values(x.grad) == [4.0, -1.6666667461395264, -2.424800157546997])
  }

  @Test func expandReportsTheRightmostMismatchAndCopySlicesRefusesAnExpandedView() throws {
    // torch.zeros(2, 3).expand(2, 3, 1): PyTorch checks from the last dim.
    #expect(
      refusal { _ = try op("expand", .tensor(try ones([2, 3])), .int(2), .int(3), .int(1)) }
        == .shape(
          "The expanded size of the tensor (1) must match the existing size (3) at non-singleton dimension 2.  Target sizes: [2, 3, 1].  Tensor sizes: [2, 3]"
        ))
    // x = ones(3, requires_grad); v = (x * 1)[1].expand(2); v.fill_(1.5): allowed, but its backward copies the
    // gradient through the expanded view, which PyTorch refuses.
    let x = try Tensor(shape: [3], doubles: [1, 1, 1], requiresGrad: true)
    let v = try op(
      "expand",
      .tensor(
        try op(
          "getitem", .tensor(try op("mul", .tensor(x), .int(1))), kwargs: ["index": .string("1")])),
      .int(2))
    _ = try op("fill_", .tensor(v), .double(1.5))
    #expect(
      refusal { try op("sum", .tensor(v)).backward() }
        == .invalidOp(
          "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
        ))
  }

  @Test func integerPowersOfNegativeExponentsArePyTorchsPowi() throws {
    let base = try Tensor(shape: [7], doubles: [0, 2, -3, 1, -1, -1, 5], dtype: .int64)
    let exponent = try Tensor(shape: [7], doubles: [-1, -1, -2, -5, -3, -2, 2], dtype: .int64)
    // torch: base ** exponent -> [0, 0, 0, 1, -1, 1, 25]
    #expect(values(try op("pow", .tensor(base), .tensor(exponent))) == [0, 0, 0, 1, -1, 1, 25])
  }

  @Test func tensorPowerGradientsCutWithWhereAsPyTorch() throws {
    let a = try Tensor(shape: [6], doubles: [0, 2, -1, 3, 0, 1.5], requiresGrad: true)
    let b = try Tensor(shape: [6], doubles: [0, 0, 2, -0.5, 1.5, 2.5], requiresGrad: true)
    let y = try op("pow", .tensor(a), .tensor(b))
    try y.backward(
      gradient: try Tensor(shape: [6], doubles: [.infinity, .nan, 1, 2, .infinity, -1]))
    // torch: a.grad [0, 0, -2, -0.19245009124279022, nan, -4.5927934646606445]
    //        b.grad [nan, nan, nan, 1.2685681581497192, nan, -1.117330551147461]
    let ga = values(a.grad)
    #expect(
      Array(ga[0..<4]) == [0, 0, -2, -0.19245009124279022] && ga[4].isNaN
        && ga[5] == -4.5927934646606445)
    let gb = values(b.grad)
    #expect(gb[0].isNaN && gb[1].isNaN && gb[2].isNaN && gb[4].isNaN)
    // The last within an ulp: PyTorch's float32 log is MKL's (scripts/parity/README.md).
    #expect(gb[3] == 1.2685681581497192 && approx([gb[5]], [-1.117330551147461], tol: 2e-7))
    // create_graph: self's gradient is WhereBackward0, the exponent's MulBackward0.
    let x = try Tensor(shape: [2], doubles: [0.5, 2], dtype: .float64, requiresGrad: true)
    let e = try Tensor(shape: [2], doubles: [1.5, 3], dtype: .float64, requiresGrad: true)
    let g = try Gradients.grad(
      outputs: [op("sum", .tensor(op("pow", .tensor(x), .tensor(e))))], inputs: [x, e],
      createGraph: true)
    #expect(g.map { $0?.gradFn?.name } == ["WhereBackward0", "MulBackward0"])
  }

  @Test func aRecordedSumRefusesAnIntegerDtype() throws {
    let x = try Tensor(shape: [2], doubles: [1.5, 2], requiresGrad: true)
    // torch: x.sum(dtype=torch.int64) with grad -> RuntimeError; under no_grad -> tensor(3)
    #expect(
      refusal { _ = try op("sum", .tensor(x), kwargs: ["dtype": .string("int64")]) }
        == AutogradError(.dtypeMismatch, "Autograd not support dtype: Long"))
    let untracked = try op("sum", .tensor(x), kwargs: ["dtype": .string("int64")], grad: false)
    #expect(untracked.dtype == .int64 && values(untracked) == [3])
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

  @Test func indexingA0DTensorAndCrossEntropyTargetsUsePyTorchsTexts() throws {
    #expect(
      refusal {
        _ = try op("getitem", .tensor(try ones([])), kwargs: ["index": .string("0")])
      }
        == AutogradError(
          .shapeMismatch,
          "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        ))
    let pair = try Tensor(shape: [2], doubles: [0, 1], dtype: .int64)
    #expect(
      refusal { _ = try op("cross_entropy", .tensor(try ones([3])), .tensor(pair)) }
        == AutogradError(
          .shapeMismatch, "For 1D input, 1D target must have size 1, but got target size: 2"))
    let row = try Tensor(shape: [1, 2], doubles: [0, 1], dtype: .int64)
    #expect(
      refusal { _ = try op("cross_entropy", .tensor(try ones([2, 3])), .tensor(row)) }
        == AutogradError(
          .shapeMismatch, "Expected input batch_size (2) to match target batch_size (1)."))
  }

  @Test func maximumTakesTensorsOnlyAndLogsumexpNeedsDim() throws {
    #expect(
      refusal { _ = try op("maximum", .tensor(try ones([2])), .int(2)) }
        == AutogradError(
          .invalidOp, "maximum(): argument 'other' (position 2) must be Tensor, not int"))
    #expect(
      refusal { _ = try op("minimum", .double(2.5), .tensor(try ones([2]))) }
        == AutogradError(
          .invalidOp, "minimum(): argument 'input' (position 1) must be Tensor, not float"))
    #expect(
      refusal { _ = try op("logsumexp", .tensor(try ones([2]))) }
        == AutogradError(
          .invalidArgument, "logsumexp() missing 1 required positional arguments: \"dim\""))
  }

  @Test func zeroDimIndexingAndIntegerActivationsUsePyTorchsTexts() throws {
    let s = try ones([])
    #expect(
      refusal { _ = try op("getitem", .tensor(s), kwargs: ["index": .string(":")]) }
        == AutogradError(.shapeMismatch, "slice() cannot be applied to a 0-dim tensor."))
    #expect(
      refusal { _ = try op("getitem", .tensor(s), kwargs: ["index": .string("..., 0")]) }
        == AutogradError(.shapeMismatch, "too many indices for tensor of dimension 0"))
    let i = try Tensor(shape: [2], doubles: [1, 2], dtype: .int64)
    #expect(
      refusal { _ = try op("silu", .tensor(i)) }
        == AutogradError(.invalidOp, "\"silu_cpu\" not implemented for 'Long'"))
    #expect(
      refusal { _ = try op("gelu", .tensor(i)) }
        == AutogradError(.invalidOp, "\"GeluKernelImpl\" not implemented for 'Long'"))
  }

  @Test func aFreedGraphFailsAsFreedBeforeAnyVersionCheck() throws {
    let x = try Tensor(shape: [2], doubles: [1, 1], dtype: .float64, requiresGrad: true)
    let s = try op("sum", .tensor(try op("mul", .tensor(x), .tensor(x))))
    try s.backward()
    _ = try op("mul_", .tensor(x), .int(2), grad: false)
    // PyTorch: "Trying to backward through the graph a second time ...", not the in-place error.
    #expect(refusal { try s.backward() } == AutogradError.backwardTwice)
  }

  @Test func crossEntropyTargetsShapedLikeTheInputAreProbabilities() throws {
    let i = try Tensor(shape: [3], doubles: [1, 0, 2], dtype: .int64)
    #expect(
      refusal { _ = try op("cross_entropy", .tensor(try ones([3])), .tensor(i)) }
        == AutogradError(
          .dtypeMismatch,
          "Expected floating point type for target with class probabilities, got Long"))
    #expect(
      refusal { _ = try op("pow", .tensor(i), .int(-1)) }
        == AutogradError(.invalidOp, "Integers to negative integer powers are not allowed."))
    #expect(
      refusal { _ = try op("getitem", .tensor(try ones([])), kwargs: ["index": .string("-1")]) }
        == AutogradError(.shapeMismatch, "index -1 is out of bounds for dimension 0 with size 0"))
  }

  @Test func matrixProductsCheckSizesBeforeDtypes() throws {
    #expect(
      refusal { _ = try op("mm", .tensor(try ones([2, 3])), .tensor(try ones([2, 3], .float64))) }
        == AutogradError(
          .shapeMismatch, "mm: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"))
    #expect(
      refusal {
        _ = try op("matmul", .tensor(try ones([2, 2, 3])), .tensor(try ones([2, 3, 2], .float64)))
      } == AutogradError(.dtypeMismatch, "expected scalar type Float but found Double"))
    #expect(
      refusal {
        _ = try op("matmul", .tensor(try ones([3, 2, 2, 3])), .tensor(try ones([2, 2, 2])))
      }
        == AutogradError(
          .shapeMismatch,
          "Expected size for first two dimensions of batch2 tensor to be: [6, 3] but got: [6, 2]."))
  }

  @Test func int64ArangeTruncatesStartAndStep() throws {
    // torch.arange(1, 4, 0.5, dtype=torch.int64) -> tensor([1, 1, 1, 1, 1, 1])
    let a = try Tensor.arange(start: 1, end: 4, step: 0.5, dtype: .int64)
    #expect(values(a) == [1, 1, 1, 1, 1, 1])
    // torch.arange(0.5, 4, 0.7, dtype=torch.int64) -> tensor([0, 0, 0, 0, 0])
    #expect(
      values(try Tensor.arange(start: 0.5, end: 4, step: 0.7, dtype: .int64)) == [0, 0, 0, 0, 0])
  }

  @Test func setitemFitsTheValueBeforeTheLeafCheck() throws {
    let x = try ones([2, 3])
    x.requiresGradStorage = true
    #expect(
      refusal {
        _ = try op(
          "setitem", .tensor(x), .tensor(try ones([2, 3])), kwargs: ["index": .string("-1, 0")])
      }
        == AutogradError(
          .shapeMismatch,
          "expand(torch.FloatTensor{[2, 3]}, size=[]): the number of sizes provided (0) must be greater or equal to the number of dimensions in the tensor (2)"
        ))
  }
}
