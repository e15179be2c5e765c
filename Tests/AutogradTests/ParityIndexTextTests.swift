import Testing

@testable import Autograd

/// Index and dim-list refusals with PyTorch 2.15's texts.
@Suite struct ParityIndexTextTests {
  private func refusal(_ name: String, _ args: OpArgument..., kwargs: [String: OpArgument] = [:])
    -> AutogradError?
  {
    do {
      _ = try Ops.call(name, args: args, kwargs: kwargs)
      return nil
    } catch {
      return error
    }
  }

  @Test func outOfBoundsIndexNamesItsPositionInTheIndex() throws {
    // c = torch.zeros(2, 3, 4); c[..., 9], c[None, None, 0, 9], c[0, :, 9]
    let c = try Tensor.zeros([2, 3, 4])
    let cases = [
      ("..., 9", "index 9 is out of bounds for dimension 1 with size 4"),
      ("None, None, 0, 9", "index 9 is out of bounds for dimension 3 with size 3"),
      ("0, :, 9", "index 9 is out of bounds for dimension 2 with size 4"),
      ("9", "index 9 is out of bounds for dimension 0 with size 2"),
    ]
    for (index, text) in cases {
      #expect(
        refusal("getitem", .tensor(c), kwargs: ["index": .string(index)])?.message == text,
        "\(index)")
    }
  }

  @Test func severalEllipsesAreAcceptedAsPyTorch215Does() throws {
    // x = torch.ones(2, 3): x[..., ...] (2, 3) AliasBackward0; x[..., 0, ...] (2,); x[..., None, ...] (2, 3, 1)
    let x = try Tensor.ones([2, 3], requiresGrad: true)
    func get(_ index: String) throws -> Tensor {
      try #require(try Ops.call("getitem", args: [.tensor(x), .string(index)]).tensor)
    }
    #expect(try get("..., ...").shape == [2, 3])
    #expect(try get("..., ...").gradFn?.name == "AliasBackward0")
    #expect(try get("..., 0, ...").shape == [2])
    #expect(try get("..., None, ...").shape == [2, 3, 1])
  }

  @Test func repeatedDimsOfASqueezeListAreRefused() throws {
    // torch.squeeze(torch.zeros(3), (0, 0)) -> dim 0 appears multiple times in the list of dims
    let x = try Tensor.zeros([3])
    #expect(
      refusal("squeeze", .tensor(x), kwargs: ["dim": .list([.int(0), .int(0)])])?.message
        == "dim 0 appears multiple times in the list of dims")
  }

  @Test func setitemOfAZeroDimTensorOverAllIsFillBackward3() throws {
    // z = torch.zeros(2, 2); s = torch.tensor(0.5, requires_grad=True); z[:] = s -> FillBackward3, s.grad 4
    let z = try Tensor.zeros([2, 2])
    let s = try Tensor(shape: [], doubles: [0.5], requiresGrad: true)
    _ = try Ops.call("setitem", args: [.tensor(z), .tensor(s), .string(":")])
    #expect(z.gradFn?.name == "FillBackward3")
    #expect(z.contiguousDoubles() == [0.5, 0.5, 0.5, 0.5])
    let total = try #require(try Ops.call("sum", args: [.tensor(z)]).tensor)
    _ = try total.backward()
    #expect(s.grad?.contiguousDoubles() == [4])
    // A 0-d target takes a 0-d value by copy_ (CopyBackwards).
    let one = try Tensor(shape: [], doubles: [1])
    _ = try Ops.call("setitem", args: [.tensor(one), .tensor(s), .string("...")])
    #expect(one.gradFn?.name == "CopyBackwards")
  }

  @Test func partialOverlapOfInputAndWrittenTensorIsRefused() throws {
    // y = torch.arange(5.); y[0:2].add_(y[1:3]) and x.t().add_(x) refuse; x.add_(x.detach()) is fine
    let text =
      "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
    let y = try Tensor(shape: [5], doubles: [0, 1, 2, 3, 4])
    let a = try #require(try Ops.call("getitem", args: [.tensor(y), .string("0:2")]).tensor)
    let b = try #require(try Ops.call("getitem", args: [.tensor(y), .string("1:3")]).tensor)
    #expect(refusal("add_", .tensor(a), .tensor(b))?.message == text)
    #expect(refusal("setitem", .tensor(y), .tensor(b), .string("0:2"))?.message == text)
    let x = try Tensor(shape: [2, 2], doubles: [0, 1, 2, 3])
    let xt = try #require(try Ops.call("t", args: [.tensor(x)]).tensor)
    #expect(refusal("add_", .tensor(xt), .tensor(x))?.message == text)
    #expect(refusal("add_", .tensor(x), .tensor(x.detach())) == nil)
    #expect(x.contiguousDoubles() == [0, 2, 4, 6])
    // t = torch.tensor([5]); t[...] = t.detach() (same shape: copied as it is); t[...] = t[0] (a fill): both fine,
    // but t.view(1, 1) as the value is expanded first and overlaps
    let t = try Tensor(shape: [1], doubles: [5], dtype: .int64)
    #expect(refusal("setitem", .tensor(t), .tensor(t.detach()), .string("...")) == nil)
    let element = try #require(try Ops.call("getitem", args: [.tensor(t), .string("0")]).tensor)
    #expect(refusal("setitem", .tensor(t), .tensor(element), .string("...")) == nil)
    let square = try #require(try Ops.call("view", args: [.tensor(t), .int(1), .int(1)]).tensor)
    #expect(refusal("setitem", .tensor(t), .tensor(square), .string("..."))?.message == text)
  }

  @Test func reshapeOfANonContiguousViewableTensorIsReshapeAlias() throws {
    // x = torch.ones(2, 3, requires_grad=True): x[:, :1].reshape(-1) ReshapeAliasBackward0,
    // x[0].reshape(3, 1) ViewBackward0, x.t().reshape(6) UnsafeViewBackward0
    let x = try Tensor.ones([2, 3], requiresGrad: true)
    func reshape(_ index: String, _ sizes: [Int]) throws -> String? {
      var t = x
      if index == "t" {
        t = try #require(try Ops.call("t", args: [.tensor(x)]).tensor)
      } else {
        t = try #require(try Ops.call("getitem", args: [.tensor(x), .string(index)]).tensor)
      }
      return try Ops.call("reshape", args: [.tensor(t)] + sizes.map { .int($0) }).tensor?.gradFn?
        .name
    }
    #expect(try reshape(":, :1", [-1]) == "ReshapeAliasBackward0")
    #expect(try reshape(":, 1", [2, 1]) == "ReshapeAliasBackward0")
    #expect(try reshape("0", [3, 1]) == "ViewBackward0")
    #expect(try reshape("t", [6]) == "UnsafeViewBackward0")
  }
}

/// fill_ and zero_ write one value: PyTorch lets them through an expanded view; add_ is refused.
@Suite struct ParityExpandedFillTests {
  @Test func fillAndZeroWorkOnAnExpandedView() throws {
    // e = torch.zeros(1, 2).expand(3, 2); e.fill_(1.5); e.zero_(); e[0] = 2. -> all 2; e.add_(1) refused
    let e = try #require(
      try Ops.call("expand", args: [.tensor(try Tensor.zeros([1, 2])), .int(3), .int(2)]).tensor)
    _ = try Ops.call("fill_", args: [.tensor(e), .double(1.5)])
    #expect(e.contiguousDoubles() == [Double](repeating: 1.5, count: 6))
    _ = try Ops.call("zero_", args: [.tensor(e)])
    _ = try Ops.call("setitem", args: [.tensor(e), .double(2), .string("0")])
    #expect(e.contiguousDoubles() == [Double](repeating: 2, count: 6))
    #expect(throws: InPlace.overlapError) { try Ops.call("add_", args: [.tensor(e), .int(1)]) }
  }
}

/// matmul of a 3-D tensor and a vector, as PyTorch 2.15 folds it (reshape -> mv -> _unsafe_view).
@Suite struct ParityMatmulFoldTests {
  @Test func batchTimesVectorFoldsIntoMv() throws {
    // a = torch.ones(2, 3, 4, requires_grad=True); v = torch.tensor([1., 2., 3., 4.])
    // (a @ v).grad_fn UnsafeViewBackward0 -> MvBackward0; values 10; a @ torch.ones(5) refused
    let a = try Tensor.ones([2, 3, 4], requiresGrad: true)
    let v = try Tensor(shape: [4], doubles: [1, 2, 3, 4])
    let r = try #require(try Ops.call("matmul", args: [.tensor(a), .tensor(v)]).tensor)
    #expect(r.shape == [2, 3])
    #expect(r.gradFn?.name == "UnsafeViewBackward0")
    #expect(r.gradFn?.nextNodes.first??.name == "MvBackward0")
    #expect(r.contiguousDoubles() == [Double](repeating: 10, count: 6))
    do {
      _ = try Ops.call("matmul", args: [.tensor(a), .tensor(try Tensor.ones([5]))])
      Issue.record("expected a refusal")
    } catch {
      #expect(error.message == "size mismatch, got input (6), mat (6x4), vec (5)")
    }
    // torch.mv(torch.tensor(2.), v): the matrix's first dim is read before any check
    do {
      _ = try Ops.call("mv", args: [.tensor(try Tensor(shape: [], doubles: [2])), .tensor(v)])
      Issue.record("expected a refusal")
    } catch {
      #expect(error.message == "Dimension specified as 0 but tensor has no dimensions")
    }
  }
}

/// W @ X for a requiring 2-D W and a 3-D X, folded as PyTorch 2.15 does.
@Suite struct ParityMatmulTransposedFoldTests {
  @Test func matrixTimesBatchFoldsThroughMm() throws {
    // W = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True); X = torch.ones(3, 2, 4); W @ X
    // chain CloneBackward0 -> TransposeBackward0 -> UnsafeViewBackward0 -> MmBackward0; (W @ X).sum() grads 12
    let w = try Tensor(shape: [2, 2], doubles: [1, 2, 3, 4], requiresGrad: true)
    let r = try #require(
      try Ops.call("matmul", args: [.tensor(w), .tensor(try Tensor.ones([3, 2, 4]))]).tensor)
    #expect(r.shape == [3, 2, 4])
    var names: [String] = []
    var node = r.gradFn
    while let n = node, names.count < 4 {
      names.append(n.name)
      node = n.nextNodes.first ?? nil
    }
    #expect(
      names == ["CloneBackward0", "TransposeBackward0", "UnsafeViewBackward0", "MmBackward0"])
    #expect(Array(r.contiguousDoubles().prefix(8)) == [3, 3, 3, 3, 7, 7, 7, 7])
    _ = try #require(try Ops.call("sum", args: [.tensor(r)]).tensor).backward()
    #expect(w.grad?.contiguousDoubles() == [12, 12, 12, 12])
  }
}

/// A plain vector @ a requiring batch goes through bmm, and the unsafe view drops the row dim (no squeeze).
@Suite struct ParityMatmulVectorBatchTests {
  @Test func vectorTimesRequiringBatchIsUnsafeViewOfBmm() throws {
    // v = torch.tensor([1., 2., 3., 4.]); b = torch.ones(2, 4, 3, requires_grad=True); v @ b
    let v = try Tensor(shape: [4], doubles: [1, 2, 3, 4])
    let b = try Tensor.ones([2, 4, 3], requiresGrad: true)
    let r = try #require(try Ops.call("matmul", args: [.tensor(v), .tensor(b)]).tensor)
    #expect(r.shape == [2, 3])
    #expect(r.gradFn?.name == "UnsafeViewBackward0")
    #expect(r.gradFn?.nextNodes.first??.name == "BmmBackward0")
    #expect(r.contiguousDoubles() == [Double](repeating: 10, count: 6))
    #expect(r.version == 0)
  }
}

/// cross_entropy of a 0-d input, in PyTorch 2.15's order of checks.
@Suite struct ParityCrossEntropyScalarTests {
  @Test func zeroDimInputRefusals() throws {
    let s = try Tensor(shape: [], doubles: [2])
    func message(_ target: Tensor) -> String? {
      do {
        _ = try Ops.call("cross_entropy", args: [.tensor(s), .tensor(target)])
        return nil
      } catch {
        return error.message
      }
    }
    // F.cross_entropy(tensor(2.), tensor(1.)) / tensor(1) / tensor([1])
    #expect(
      message(try Tensor(shape: [], doubles: [1]))
        == "Dimension specified as 1 but tensor has no dimensions")
    #expect(
      message(try Tensor(shape: [], doubles: [1], dtype: .int64))
        == "Expected floating point type for target with class probabilities, got Long")
    #expect(
      message(try Tensor(shape: [1], doubles: [1], dtype: .int64))
        == "Dimension out of range (expected to be in range of [-1, 0], but got 1)")
  }
}
