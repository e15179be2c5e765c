import Testing

@testable import Autograd

private func T(_ t: Tensor) -> OpArgument { .tensor(t) }

@Suite struct BackwardSemanticsTests {
  @Test func gradientsAccumulateAcrossCallsAndPaths() throws {
    let x = try Tensor(shape: [3], doubles: [1, 2, 3], requiresGrad: true)
    try op("sum", T(op("mul", T(x), T(x)))).backward()
    #expect(values(x.grad) == [2, 4, 6])
    try op("sum", T(op("mul", T(x), T(x)))).backward()
    #expect(values(x.grad) == [4, 8, 12])
    let s = try Tensor(shape: [], doubles: [2], requiresGrad: true)
    let y = try op("mul", T(s), T(s))
    try op("add", T(y), T(y)).backward()
    #expect(values(s.grad) == [8])
  }

  @Test func zeroAndClearGrad() throws {
    let x = try Tensor.ones([3], requiresGrad: true)
    #expect(throws: AutogradError.self) { try x.zeroGrad() }
    try op("sum", T(x)).backward()
    let held = x.grad
    try x.zeroGrad()
    #expect(values(x.grad) == [0, 0, 0] && x.grad === held)
    x.clearGrad()
    #expect(x.grad == nil)
    try op("sum", T(x)).backward()
    #expect(values(x.grad) == [1, 1, 1])
  }

  @Test func retainGraphAllowsASecondPass() throws {
    let x = try Tensor(shape: [3], doubles: [1, 2, 3], requiresGrad: true)
    let y = try op("sum", T(op("mul", T(x), T(x))))
    try y.backward(retainGraph: true)
    try y.backward()
    #expect(values(x.grad) == [4, 8, 12])
    #expect(throws: AutogradError.backwardTwice) { try y.backward() }
    #expect(values(x.grad) == [4, 8, 12])
  }

  @Test func graphsThatSavedNothingRunAgain() throws {
    let a = try Tensor.ones([2], requiresGrad: true)
    let y = try op("sum", T(op("add", T(a), .int(1))))
    try y.backward()
    try y.backward()
    #expect(values(a.grad) == [2, 2])
    let c = try Tensor.ones([2], requiresGrad: true)
    let m = try op("mul", T(c), T(c))
    try op("sum", T(m)).backward()
    #expect(throws: AutogradError.backwardTwice) {
      try op("sum", T(op("mul", T(m), .int(2)))).backward()
    }
  }

  @Test func multiplyingByANumberSavesItSoASecondPassFails() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    let y = try op("sum", T(op("mul", T(x), .int(2))))
    try y.backward()
    #expect(throws: AutogradError.backwardTwice) { try y.backward() }
    let z = try op("sum", T(op("div", T(x), .int(2))))
    try z.backward()
    #expect(throws: AutogradError.backwardTwice) { try z.backward() }
    #expect(values(x.grad) == [2.5, 2.5])
  }

  @Test func implicitGradientNeedsOneElement() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let y = try op("mul", T(x), .int(2))
    #expect(
      throws: AutogradError(
        .implicitGradNonScalar, "grad can be implicitly created only for scalar outputs")
    ) {
      try y.backward()
    }
    let x1 = try Tensor.ones([1], requiresGrad: true)
    try op("mul", T(x1), .int(3)).backward()
    #expect(values(x1.grad) == [3])
    let x2 = try Tensor.ones([1, 1], requiresGrad: true)
    try op("mul", T(x2), .int(3)).backward()
    #expect(values(x2.grad) == [3] && x2.grad?.shape == [1, 1])
  }

  @Test func gradientShapeIsCheckedFirst() throws {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let y = try op("mul", T(x), .int(2))
    #expect(
      throws: AutogradError(
        .shapeMismatch,
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2, 2])."
      )
    ) { try y.backward(gradient: Tensor.ones([3])) }
    #expect(
      throws: AutogradError(
        .shapeMismatch,
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has a shape of torch.Size([2])."
      )
    ) { try Tensor.ones([2]).backward(gradient: Tensor.ones([3])) }
    #expect(
      throws: AutogradError(
        .noGradFn, "element 0 of tensors does not require grad and does not have a grad_fn")
    ) { try Tensor.ones([2]).backward(gradient: Tensor.ones([2])) }
    try y.backward(gradient: Tensor.ones([2, 2], dtype: .float64))
    #expect(x.grad?.dtype == .float32 && values(x.grad) == [2, 2, 2, 2])
  }

  @Test func broadcastGradientsSumToInputShapes() throws {
    let a = try Tensor.ones([2, 3], requiresGrad: true)
    let b = try Tensor(shape: [3], doubles: [1, 2, 3], requiresGrad: true)
    let c = try Tensor.ones([2, 1], requiresGrad: true)
    let s = try Tensor.ones([], requiresGrad: true)
    let y = try op("add", T(op("add", T(op("mul", T(a), T(b))), T(c))), T(s))
    try y.backward(gradient: Tensor.ones([2, 3]))
    #expect(values(a.grad) == [1, 2, 3, 1, 2, 3])
    #expect(values(b.grad) == [2, 2, 2] && b.grad?.shape == [3])
    #expect(values(c.grad) == [3, 3] && c.grad?.shape == [2, 1])
    #expect(values(s.grad) == [6] && s.grad?.shape == [])
    let v = try Tensor(shape: [2], doubles: [1, 2], requiresGrad: true)
    try op("sum", T(op("expand", T(v), .int(3), .int(2)))).backward()
    #expect(values(v.grad) == [3, 3])
  }

  @Test func createGraphGivesSecondDerivatives() throws {
    let x = try Tensor(shape: [], doubles: [3], requiresGrad: true)
    let y = try op("pow", T(x), .int(3))
    let g = try Gradients.grad(outputs: [y], inputs: [x], createGraph: true)
    #expect(values(g[0]) == [27] && g[0]?.gradFn?.name == "MulBackward0")
    let g2 = try Gradients.grad(outputs: [g[0]!], inputs: [x])
    #expect(values(g2[0]) == [18] && g2[0]?.gradFn == nil)
    #expect(x.grad == nil)

    let x2 = try Tensor(shape: [], doubles: [3], requiresGrad: true)
    let y2 = try op("pow", T(x2), .int(3))
    try y2.backward(createGraph: true)
    #expect(values(x2.grad) == [27] && x2.grad?.gradFn?.name == "CopyBackwards")
    #expect(x2.grad?.gradFn?.nextNodes.first.map { $0 == nil } == true)
    #expect(x2.grad?.gradFn?.nextNodes.last??.name == "MulBackward0")
  }

  /// x = [0.5, -1.5, 0.7] (float64), w = [0.3, -2.0, 1.1]; g = grad((f(x) * w).sum(), x, create_graph=True),
  /// h = grad((g * w).sum(), x): PyTorch's node for g, its next functions, and the values of g and h.
  @Test(arguments: [
    (
      "tanh", "TanhBackwardBackward0", "TanhBackward0",
      [0.2359343198897782, -0.3614132778472972, 0.6982135489807045],
      [-0.06541757832452284, 1.3085303891501918, -0.9283510952112192]
    ),
    (
      "sigmoid", "SigmoidBackwardBackward0", "SigmoidBackward0",
      [0.07050111366047834, -0.2982929041406657, 0.24388416062241997],
      [-0.005180111536708868, 0.37892085113901075, -0.09024033401281363]
    ),
    ("relu", "ThresholdBackwardBackward0", "ReluBackward0", [0.3, 0.0, 1.1], [0.0, 0.0, 0.0]),
    (
      "softmax", "SoftmaxBackwardDataBackward0", "SoftmaxBackward0",
      [-0.11988213482861686, -0.14830139348225446, 0.26818352831087144],
      [-0.20189616891596882, 0.3510853799502491, -0.14918921103428026]
    ),
    (
      "log_softmax", "LogSoftmaxBackwardDataBackward0", "LogSoftmaxBackward0",
      [0.5545891776942651, -1.9655451015277703, 1.410955923833505],
      [-0.07192928089717013, -0.08898083608935267, 0.16091011698652283]
    ),
  ])
  func createGraphRecordsPyTorchsBackwardOfBackwardNodes(
    op name: String, node: String, next: String, first: [Double], second: [Double]
  ) throws {
    let x = try Tensor(shape: [3], doubles: [0.5, -1.5, 0.7], dtype: .float64, requiresGrad: true)
    let w = try Tensor(shape: [3], doubles: [0.3, -2.0, 1.1], dtype: .float64)
    let y = try name.hasSuffix("softmax") ? op(name, T(x), .int(0)) : op(name, T(x))
    let g = try Gradients.grad(
      outputs: [op("sum", T(op("mul", T(y), T(w))))], inputs: [x], createGraph: true)[0]
    #expect(g?.gradFn?.name == node && g?.requiresGrad == true)
    #expect(g?.gradFn?.nextNodes.map { $0?.name } == [nil, next])
    #expect(approx(values(g), first, tol: 1e-15))
    let h = try Gradients.grad(
      outputs: [op("sum", T(op("mul", T(#require(g)), T(w))))], inputs: [x])
    #expect(approx(values(h[0]), second, tol: 1e-15))
  }

  @Test func absGradientRequiresGradUnderCreateGraph() throws {
    // torch: grad((x.abs() * w).sum(), x, create_graph=True) -> [0.3, 2.0, 1.1], MulBackward0, requires grad
    let x = try Tensor(shape: [3], doubles: [0.5, -1.5, 0.7], dtype: .float64, requiresGrad: true)
    let w = try Tensor(shape: [3], doubles: [0.3, -2.0, 1.1], dtype: .float64)
    let g = try Gradients.grad(
      outputs: [op("sum", T(op("mul", T(op("abs", T(x))), T(w))))], inputs: [x], createGraph: true)[
        0]
    #expect(values(g) == [0.3, 2.0, 1.1] && g?.gradFn?.name == "MulBackward0")
  }

  @Test func gradDoesNotTouchDotGrad() throws {
    let x = try Tensor(shape: [2], doubles: [1, 2], requiresGrad: true)
    let y = try op("sum", T(op("mul", T(x), T(x))))
    let g = try Gradients.grad(outputs: [y], inputs: [x], retainGraph: true)
    #expect(values(g[0]) == [2, 4] && x.grad == nil)
    let g2 = try Gradients.grad(
      outputs: [y], inputs: [x], gradOutputs: [Tensor.scalar(2, dtype: .float32)])
    #expect(values(g2[0]) == [4, 8])
    let several = try Gradients.grad(
      outputs: [op("sum", T(x)), op("sum", T(op("mul", T(x), .int(2))))], inputs: [x])
    #expect(values(several[0]) == [3, 3])
  }

  @Test func gradErrors() throws {
    let a = try Tensor.ones([2], requiresGrad: true)
    let b = try Tensor.ones([2], requiresGrad: true)
    let out = try op("sum", T(op("mul", T(a), .int(2))))
    #expect(
      throws: AutogradError(
        .invalidOp,
        "The differentiated Tensor at index 1 appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
      )
    ) { try Gradients.grad(outputs: [out], inputs: [a, b], retainGraph: true) }
    let unused = try Gradients.grad(
      outputs: [out], inputs: [a, b], retainGraph: true, allowUnused: true)
    #expect(values(unused[0]) == [2, 2] && unused[1] == nil)
    #expect(
      throws: AutogradError(.noGradFn, "One of the differentiated Tensors does not require grad")
    ) {
      try Gradients.grad(outputs: [out], inputs: [Tensor.ones([2])])
    }
  }

  @Test func jacobianHasOutputTimesInputShape() throws {
    let x = try Tensor(shape: [3], doubles: [1, 2, 3], requiresGrad: true)
    let unused = try Tensor.ones([2], requiresGrad: true)
    let y = try op("pow", T(x), .int(2))
    let j = try Gradients.jacobian(output: y, inputs: [x, unused])
    #expect(j[0].shape == [3, 3] && values(j[0]) == [2, 0, 0, 0, 4, 0, 0, 0, 6])
    #expect(j[1].shape == [3, 2] && values(j[1]) == [0, 0, 0, 0, 0, 0])
    #expect(x.grad == nil)
    let m = try Tensor(shape: [2, 3], doubles: [1, 2, 3, 4, 5, 6], requiresGrad: true)
    let jm = try Gradients.jacobian(output: op("mul", T(m), .int(2)), inputs: [m])
    #expect(jm[0].shape == [2, 3, 2, 3])
  }

  @Test func retainGradKeepsNonLeafGradients() throws {
    let x = try Tensor(shape: [2], doubles: [1, 2], requiresGrad: true)
    let y = try op("mul", T(x), .int(3))
    try y.retainGrad()
    #expect(y.retainsGrad)
    try op("sum", T(op("pow", T(y), .int(2)))).backward()
    #expect(values(y.grad) == [6, 12] && values(x.grad) == [18, 36])
    try x.retainGrad()
    #expect(!x.retainsGrad)
    #expect(
      throws: AutogradError(
        .invalidOp, "can't retain_grad on Tensor that has requires_grad=False")
    ) {
      try Tensor.ones([1]).retainGrad()
    }
  }

  @Test func requiresGradOnIntegersIsRefused() throws {
    #expect(
      throws: AutogradError(
        .dtypeMismatch, "Only Tensors of floating point and complex dtype can require gradients")
    ) { try Tensor(shape: [3], doubles: [1, 2, 3], dtype: .int64, requiresGrad: true) }
    #expect(
      throws: AutogradError(
        .dtypeMismatch, "Only Tensors of floating point and complex dtype can require gradients")
    ) { try Tensor.ones([3], dtype: .int64, requiresGrad: true) }
  }

  @Test func subgradientConventions() throws {
    let x = try Tensor(shape: [3], doubles: [-1, 0, 2], requiresGrad: true)
    try op("sum", T(op("relu", T(x)))).backward()
    #expect(values(x.grad) == [0, 0, 1])
    x.clearGrad()
    try op("sum", T(op("abs", T(x)))).backward()
    #expect(values(x.grad) == [-1, 0, 1])
    x.clearGrad()
    try op("sum", T(op("log", T(x)))).backward()
    #expect(values(x.grad) == [-1, .infinity, 0.5])
    let z = try Tensor(shape: [1], doubles: [0], requiresGrad: true)
    try op("sum", T(op("sqrt", T(z)))).backward()
    #expect(values(z.grad) == [.infinity])
    let m = try Tensor(shape: [3], doubles: [1, 3, 3], requiresGrad: true)
    try op("max", T(m)).backward()
    #expect(values(m.grad) == [0, 0.5, 0.5])
    let md = try Tensor(shape: [1, 3], doubles: [1, 3, 3], requiresGrad: true)
    let r = try op("max", T(md), kwargs: ["dim": .int(1)])
    #expect(r.gradFn?.name == "MaxBackward0")
    try op("sum", T(r)).backward()
    #expect(values(md.grad) == [0, 1, 0])
    let a = try Tensor(shape: [2], doubles: [0, -1], requiresGrad: true)
    let b = try Tensor(shape: [2], doubles: [2, 2], requiresGrad: true)
    try op("sum", T(op("pow", T(a), T(b)))).backward()
    #expect(values(a.grad) == [0, -2])
    #expect(values(b.grad)[0] == 0 && values(b.grad)[1].isNaN)
  }

  @Test func handyNumbers() throws {
    let x = try Tensor(shape: [1, 3], doubles: [1, 2, 3], requiresGrad: true)
    let s = try op("softmax", T(x), .int(1))
    #expect(approx(values(s), [0.0900, 0.2447, 0.6652]))
    try op("getitem", T(s), kwargs: ["index": .string("0, 0")]).backward()
    #expect(approx(values(x.grad), [0.0819, -0.0220, -0.0599]))
    let logits = try Tensor(shape: [2, 3], doubles: [1, 2, 3, 1, 0, -1], requiresGrad: true)
    let ce = try op(
      "cross_entropy", T(logits), T(Tensor(shape: [2], doubles: [2, 0], dtype: .int64)))
    #expect(
      ce.gradFn?.name == "NllLossBackward0"
        && ce.gradFn?.nextNodes[0]?.name == "LogSoftmaxBackward0")
    #expect(approx(values(ce), [0.4076]))
    try ce.backward()
    #expect(approx(values(logits.grad), [0.0450, 0.1224, -0.1674, -0.1674, 0.1224, 0.0450]))
    let p = try Tensor(shape: [3], doubles: [1, 2, 3], requiresGrad: true)
    let mse = try op("mse_loss", T(p), T(Tensor(shape: [3], doubles: [0, 2, 5])))
    #expect(approx(values(mse), [1.6667]))
    try mse.backward()
    #expect(approx(values(p.grad), [0.6667, 0, -1.3333]))
    let A = try Tensor(shape: [2, 2], doubles: [1, 2, 3, 4], requiresGrad: true)
    let B = try Tensor(shape: [2, 2], doubles: [5, 6, 7, 8], requiresGrad: true)
    try op("sum", T(op("matmul", T(A), T(B)))).backward()
    #expect(values(A.grad) == [11, 15, 11, 15] && values(B.grad) == [4, 4, 6, 6])
    let c = try Tensor.ones([2, 4], requiresGrad: true)
    try op("sum", T(op("mean", T(c), kwargs: ["dim": .int(1)]))).backward()
    #expect(values(c.grad) == [Double](repeating: 0.25, count: 8))
  }

  @Test func failedBackwardChangesNothing() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    let w = try Tensor.ones([2], requiresGrad: true)
    let a = try op("mul", T(x), T(x))
    let b = try op("mul", T(w), .int(1))
    let c = try op("mul", T(b), T(b))
    _ = try op("add_", T(b), .int(1))
    let y = try op("add", T(op("sum", T(a))), T(op("sum", T(c))))
    #expect(throws: AutogradError.self) { try y.backward() }
    #expect(x.grad == nil && w.grad == nil)
    #expect(a.gradFn?.savedValues.allSatisfy { !$0.freed } == true)
  }
}
