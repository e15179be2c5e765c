/// The autograd entry points: `backward`, `grad` and `jacobian`.
public enum Gradients {
  /// `output.backward(gradient, retain_graph, create_graph)`. Returns the leaves whose `.grad` it updated.
  /// All-or-nothing: a failure leaves every `.grad` and saved value as it was.
  @discardableResult
  public static func backward(
    _ output: Tensor, gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false
  ) throws(AutogradError) -> [Tensor] {
    let root = try makeRoot(output, gradient, index: 0)
    let outcome = try Engine.run(
      roots: [root], inputs: nil, retainGraph: retainGraph ?? createGraph, createGraph: createGraph)
    return outcome.updatedLeaves
  }

  /// `output.backward(gradient, retain_graph, create_graph, inputs=inputs)`: accumulates into the `.grad` of
  /// `inputs` only (non-leaves too, as PyTorch does); an input the graph does not reach keeps its `.grad`.
  @discardableResult
  public static func backward(
    _ output: Tensor, gradient: Tensor? = nil, inputs: [Tensor], retainGraph: Bool? = nil,
    createGraph: Bool = false
  ) throws(AutogradError) -> [Tensor] {
    guard !inputs.isEmpty else {
      throw .invalidOp("`inputs` argument to `backward()` cannot be empty.")
    }
    let root = try makeRoot(output, gradient, index: 0)
    for t in inputs where !t.requiresGrad {
      throw .invalidOp("can't retain_grad on Tensor that has requires_grad=False")
    }
    let outcome = try Engine.run(
      roots: [root], inputs: inputs, retainGraph: retainGraph ?? createGraph,
      createGraph: createGraph)
    var updated: [Tensor] = []
    for (input, captured) in zip(inputs, outcome.captured) {
      guard var g = captured, !updated.contains(where: { $0 === input }) else { continue }
      if g.shape != input.shape { g = try Reductions.sumTo(g, input.shape, grad: createGraph) }
      try Engine.accumulateGrad(into: input, g, createGraph: createGraph)
      updated.append(input)
    }
    return updated
  }

  /// `torch.autograd.grad`: gradients of `outputs` with respect to `inputs`, never touching `.grad`.
  public static func grad(
    outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor?]? = nil, retainGraph: Bool? = nil,
    createGraph: Bool = false, allowUnused: Bool = false
  ) throws(AutogradError) -> [Tensor?] {
    if let gradOutputs, gradOutputs.count != outputs.count {
      throw .argument(
        "grad requires one grad_output per output: got \(gradOutputs.count) grad_outputs and \(outputs.count) outputs"
      )
    }
    var roots: [Engine.Root] = []
    for (i, out) in outputs.enumerated() {
      roots.append(try makeRoot(out, gradOutputs?[i] ?? nil, index: i))
    }
    for t in inputs where !t.requiresGrad {
      throw AutogradError(.noGradFn, "One of the differentiated Tensors does not require grad")
    }
    let outcome = try Engine.run(
      roots: roots, inputs: inputs, retainGraph: retainGraph ?? createGraph,
      createGraph: createGraph)
    var results: [Tensor?] = []
    for (i, g) in outcome.captured.enumerated() {
      guard let g else {
        if allowUnused {
          results.append(nil)
          continue
        }
        throw AutogradError(
          .invalidOp,
          "The differentiated Tensor at index \(i) appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior."
        )
      }
      var value = g
      if value.shape != inputs[i].shape {
        value = try Reductions.sumTo(value, inputs[i].shape, grad: createGraph)
      }
      if value.dtype != inputs[i].dtype {
        value = try Elementwise.cast(value, to: inputs[i].dtype, grad: createGraph)
      }
      results.append(
        createGraph
          ? value : Views.detach(value.isContiguous ? value : Kernels.contiguousCopy(value)))
    }
    return results
  }

  /// The full Jacobian of `output` with respect to each input (shape `output.shape + input.shape`), one
  /// backward pass per output element; unused inputs give zeros; `.grad` is untouched.
  public static func jacobian(output: Tensor, inputs: [Tensor]) throws(AutogradError) -> [Tensor] {
    let m = output.numel
    var rows: [[Double]] = inputs.map { [Double](repeating: 0, count: m * $0.numel) }
    if output.requiresGrad, m > 0, !inputs.isEmpty {
      let differentiable = inputs.enumerated().filter { $0.element.requiresGrad }
      for i in 0..<m {
        var onehot = [Double](repeating: 0, count: m)
        onehot[i] = 1
        let weight = Kernels.tensor(onehot, shape: output.shape, dtype: output.dtype)
        let grads = try grad(
          outputs: [output], inputs: differentiable.map(\.element), gradOutputs: [weight],
          retainGraph: true,
          allowUnused: true)
        for (k, entry) in differentiable.enumerated() {
          guard let g = grads[k] else { continue }
          let values = Kernels.doubles(g)
          let n = entry.element.numel
          for j in 0..<n { rows[entry.offset][i * n + j] = values[j] }
        }
      }
    }
    return inputs.enumerated().map { k, input in
      Kernels.tensor(rows[k], shape: output.shape + input.shape, dtype: input.dtype)
    }
  }

  private static func makeRoot(_ output: Tensor, _ gradient: Tensor?, index: Int)
    throws(AutogradError) -> Engine.Root
  {
    if let gradient, gradient.shape != output.shape {
      throw .shape(
        "Mismatch in shape: grad_output[\(index)] has a shape of torch.Size(\(shapeText(gradient.shape))) and output[\(index)] has a shape of torch.Size(\(shapeText(output.shape)))."
      )
    }
    guard let edge = output.gradientEdge() else {
      throw AutogradError(
        .noGradFn, "element \(index) of tensors does not require grad and does not have a grad_fn")
    }
    var weight: Tensor
    if let gradient {
      weight = gradient
    } else {
      guard output.numel == 1 else {
        throw AutogradError(
          .implicitGradNonScalar, "grad can be implicitly created only for scalar outputs")
      }
      weight = try Tensor.ones(output.shape, dtype: output.dtype)
    }
    if weight.dtype != output.dtype {
      weight = try Elementwise.cast(Views.detach(weight), to: output.dtype, grad: false)
    }
    return Engine.Root(edge: edge, gradient: weight)
  }
}

extension Tensor {
  /// `self.backward(gradient, retain_graph, create_graph)`; see `Gradients.backward`.
  @discardableResult
  public func backward(gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false)
    throws(AutogradError) -> [Tensor]
  {
    try Gradients.backward(
      self, gradient: gradient, retainGraph: retainGraph, createGraph: createGraph)
  }

  /// `x.detach()`: same storage and version counter, no history.
  public func detach() -> Tensor { Views.detach(self) }

  /// `x.data`: same storage, its own version counter (changes through it are invisible to autograd).
  public var data: Tensor {
    Tensor(
      storage: storage, shape: shape, strides: strides, offset: offset,
      versionCounter: VersionCounter.make())
  }

  /// `x.data = values` / `x.data *= k` done by the caller: replaces the values untracked, no version bump.
  public func setData(_ values: Tensor) throws(AutogradError) {
    guard values.shape == shape || values.numel == numel else {
      throw .shape(
        "setData: expected values of shape \(shapeText(shape)), got \(shapeText(values.shape))")
    }
    let source =
      values.shape == shape
      ? values : Kernels.tensor(Kernels.doubles(values), shape: shape, dtype: values.dtype)
    let version = versionCounter.value
    MutationJournal.current?.recordStorage(self)
    Kernels.copy(source, into: self)
    versionCounter.value = version
  }

  /// `x.retain_grad()`: a non-leaf keeps its `.grad` after backward; a no-op on leaves.
  public func retainGrad() throws(AutogradError) {
    guard requiresGrad else {
      throw .invalidOp("can't retain_grad on Tensor that has requires_grad=False")
    }
    guard let node = gradFn, !retainsGradStorage else { return }
    MutationJournal.current?.recordMeta(self)
    retainsGradStorage = true
    node.retainedTensors.append(WeakTensor(tensor: self))
  }

  /// `x.grad.zero_()`.
  public func zeroGrad() throws(AutogradError) {
    guard let g = gradStorage else { throw .argument("'NoneType' object has no attribute 'zero_'") }
    MutationJournal.current?.recordStorage(g)
    Kernels.fill(g, 0)
    g.versionCounter.value += 1
  }

  /// `x.grad = None`.
  public func clearGrad() {
    MutationJournal.current?.recordMeta(self)
    gradStorage = nil
  }

  /// `x.requires_grad_(flag)`.
  public func setRequiresGrad(_ flag: Bool) throws(AutogradError) {
    if flag && !dtype.isFloatingPoint {
      throw AutogradError(
        .dtypeMismatch, "only Tensors of floating point dtype can require gradients")
    }
    if !flag && gradFn != nil {
      throw .invalidOp(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
      )
    }
    MutationJournal.current?.recordMeta(self)
    requiresGradStorage = flag
  }

  /// `x.grad = g` (shape must match).
  public func setGrad(_ g: Tensor?) throws(AutogradError) {
    if let g, g.shape != shape {
      throw .shape(
        "attempting to assign a gradient of size '\(shapeText(g.shape))' to a tensor of size '\(shapeText(shape))'. Please ensure that the gradient and the tensor are the same size"
      )
    }
    MutationJournal.current?.recordMeta(self)
    gradStorage = g
  }
}
