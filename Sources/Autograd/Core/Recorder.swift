/// Attaches backward nodes to op results. Every op goes through `record`, so the rules for when a result
/// requires grad live in one place.
enum Recorder {
  /// Records `name` for `output` when grad mode is on and any input requires grad; otherwise returns the
  /// output untracked. `saving` tensors are checked against their version at backward; with `savingOutput`
  /// the output itself is saved last.
  @discardableResult
  static func record(
    _ name: String, _ output: Tensor, inputs: [Tensor?], saving: [Tensor] = [],
    savingOutput: Bool = false,
    grad: Bool, backward: @escaping BackwardFn
  ) -> Tensor {
    guard grad, output.dtype.isFloatingPoint, inputs.contains(where: { $0?.requiresGrad == true })
    else {
      if !grad, output.viewBase != nil, inputs.contains(where: { $0?.requiresGrad == true }) {
        output.viewMadeInNoGrad = true
        // PyTorch: a view made under no_grad of a tensor that requires grad still requires grad, as a leaf.
        output.requiresGradStorage = true
      }
      return output
    }
    var saved = saving.map {
      SavedTensor(
        tensor: $0, savedVersion: $0.versionCounter.value, isOutput: false, shape: $0.shape)
    }
    if savingOutput {
      saved.append(
        SavedTensor(
          tensor: output.detachedAlias(), savedVersion: output.versionCounter.value, isOutput: true,
          shape: output.shape))
    }
    var edges: [Edge?] = []
    edges.reserveCapacity(inputs.count)
    for input in inputs {
      guard let input, var edge = input.gradientEdge() else {
        edges.append(nil)
        continue
      }
      edge.meta = InputMeta(shape: input.shape, dtype: input.dtype)
      edges.append(edge)
    }
    let node = Node(name: name, edges: edges, saved: saved, backward: backward)
    output.gradFnStorage = node
    output.outputNr = 0
    output.requiresGradStorage = true
    return output
  }

  /// `record` for an op with one tensor input followed by a Python number (`x + 2`): the number takes no edge,
  /// and no `inputs` array is built per call.
  @discardableResult
  static func record(
    _ name: String, _ output: Tensor, input: Tensor, grad: Bool, backward: @escaping BackwardFn
  ) -> Tensor {
    guard grad, output.dtype.isFloatingPoint, input.requiresGrad else { return output }
    attach(name, to: output, edges: [edge(of: input), nil], saved: [], backward: backward)
    return output
  }

  /// `record` for an op with exactly one input that saves nothing (`x.mean()`), without an `inputs` array.
  /// Not for views: the no-grad view rule of the general `record` is not applied here.
  @discardableResult
  static func record(
    _ name: String, _ output: Tensor, only input: Tensor, grad: Bool,
    backward: @escaping BackwardFn
  ) -> Tensor {
    guard grad, output.dtype.isFloatingPoint, input.requiresGrad else { return output }
    attach(name, to: output, edges: [edge(of: input)], saved: [], backward: backward)
    return output
  }

  /// `record` for a binary op (`x * y`) whose saved values the op built itself, without the `inputs` and
  /// `saving` arrays. Not for views (see `record(_:_:only:grad:backward:)`).
  @discardableResult
  static func record(
    _ name: String, _ output: Tensor, _ a: Tensor, _ b: Tensor, saved: [SavedTensor], grad: Bool,
    backward: @escaping BackwardFn
  ) -> Tensor {
    guard grad, output.dtype.isFloatingPoint, a.requiresGrad || b.requiresGrad else {
      return output
    }
    attach(name, to: output, edges: [edge(of: a), edge(of: b)], saved: saved, backward: backward)
    return output
  }

  private static func edge(of input: Tensor) -> Edge? {
    guard var edge = input.gradientEdge() else { return nil }
    edge.meta = InputMeta(shape: input.shape, dtype: input.dtype)
    return edge
  }

  private static func attach(
    _ name: String, to output: Tensor, edges: [Edge?], saved: [SavedTensor],
    backward: @escaping BackwardFn
  ) {
    output.gradFnStorage = Node(name: name, edges: edges, saved: saved, backward: backward)
    output.outputNr = 0
    output.requiresGradStorage = true
  }

  /// Whether an op on these inputs would be recorded.
  static func wouldRecord(_ inputs: [Tensor?], grad: Bool) -> Bool {
    grad && inputs.contains(where: { $0?.requiresGrad == true })
  }
}

extension Tensor {
  /// Shares storage and version counter, carries no autograd state (the saved-output form).
  func detachedAlias() -> Tensor {
    Tensor(
      storage: storage, shape: shape, strides: strides, offset: offset,
      versionCounter: versionCounter)
  }

  /// A view of this tensor with new geometry; autograd views remember their root base.
  func makeView(shape: [Int], strides: [Int], offset: Int) -> Tensor {
    let view = Tensor(
      storage: storage, shape: shape, strides: strides, offset: offset,
      versionCounter: versionCounter,
      viewBase: viewBase ?? self)
    view.viewOfNoGradView = viewMadeInNoGrad || viewOfNoGradView
    return view
  }

  /// Regenerates a view's grad_fn as AsStridedBackward0 after its base was changed in place (PyTorch's lazy
  /// view regeneration), so gradients through old views stay correct.
  func refreshViewGradFn() {
    guard let base = viewBase, viewGradFnVersion != versionCounter.value else { return }
    viewGradFnVersion = versionCounter.value
    guard base.requiresGradStorage, base.gradFnStorage != nil || base.requiresGradStorage else {
      return
    }
    let geometry = ViewGeometry(shape: shape, strides: strides, offset: offset - base.offset)
    let baseShape = base.shape
    let baseAlias = base
    guard base.isContiguous else { return }
    let node = Node(
      name: "AsStridedBackward0", edges: [baseAlias.gradientEdge()],
      inputMeta: [InputMeta(shape: baseShape, dtype: base.dtype)], saved: [],
      backward: { g, ctx throws(AutogradError) in
        [
          try Views.embed(
            g, into: baseShape, geometry: geometry, name: "AsStridedBackwardBackward0",
            grad: ctx.grad)
        ]
      })
    gradFnStorage = node
    outputNr = 0
    requiresGradStorage = true
  }
}

/// Where a view's elements sit inside a contiguous tensor of its base's shape.
struct ViewGeometry {
  let shape: [Int]
  let strides: [Int]
  let offset: Int
}
