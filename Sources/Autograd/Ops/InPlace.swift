/// In-place ops: PyTorch's leaf/view rules, version bumps, grad_fn rebase and CopySlices for views.
///
/// An in-place op is its out-of-place op applied to a snapshot that stands for the old value (same autograd
/// identity, copied data), whose result is written back; the result's node becomes the tensor's grad_fn, or,
/// through a view, is wrapped in a CopySlices on the base.
enum InPlace {
  static let overlapError = AutogradError.invalidOp(
    "unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation."
  )

  private static let noGradViewAdvice =
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked)."

  static let partialOverlapError = AutogradError.invalidOp(
    "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single memory location. Please clone() the tensor before performing the operation."
  )

  /// PyTorch's get_overlap_status for two dense tensors of one storage: the same memory with other strides
  /// (`x.t().add_(x)`), or intersecting ranges, is a partial overlap; tensors that are not dense are "too hard"
  /// to tell and pass.
  static func partiallyOverlaps(_ a: Tensor, _ b: Tensor) -> Bool {
    guard a !== b, a.numel > 0, b.numel > 0, a.storage === b.storage, isDense(a), isDense(b) else {
      return false
    }
    let (aBegin, aEnd) = (a.offset, a.offset + a.numel)
    let (bBegin, bEnd) = (b.offset, b.offset + b.numel)
    if aBegin == bBegin && aEnd == bEnd { return a.strides != b.strides }
    return aBegin < bEnd && bBegin < aEnd
  }

  /// Non-overlapping and dense: the strides, sorted, are those of some permutation of a contiguous layout.
  private static func isDense(_ t: Tensor) -> Bool {
    let dims = t.shape.indices.filter { t.shape[$0] != 1 }.sorted { t.strides[$0] < t.strides[$1] }
    var expected = 1
    for d in dims {
      guard t.strides[d] == expected else { return false }
      expected *= t.shape[d]
    }
    return true
  }

  static func apply(
    _ t: Tensor, others: [Tensor], grad: Bool, refusesSelfOverlap: Bool = true,
    compute: (Tensor, Bool) throws(AutogradError) -> Tensor
  ) throws(AutogradError) -> Tensor {
    if grad {
      if t.viewMadeInNoGrad {
        throw .invalidOp(
          "A view was created in no_grad mode and is being modified inplace with grad mode enabled. \(noGradViewAdvice)"
        )
      }
      if t.viewOfNoGradView, t.requiresGrad, let node = t.gradFn {
        throw .invalidOp(
          "Output \(t.outputNr) of \(node.forwardOpName) is a view of a view which was created in no_grad mode and is being modified inplace with grad mode enabled. \(noGradViewAdvice)"
        )
      }
      if let base = t.viewBase {
        // PyTorch's check_inplace: a view that requires grad of a leaf base (a base without grad counts too).
        if t.requiresGrad && base.gradFn == nil { throw AutogradError.viewOfLeafInplace }
      } else if t.requiresGrad && t.gradFn == nil {
        throw AutogradError.leafInplace
      }
    }
    // fill_ reads its value before writing: no overlap to refuse there.
    for other in others where refusesSelfOverlap && partiallyOverlaps(t, other) {
      throw partialOverlapError
    }
    // An expanded view overlaps itself, unless it has no elements at all; fill_ (and zero_) write one value
    // and PyTorch lets them.
    for (s, st) in zip(t.shape, t.strides)
    where refusesSelfOverlap && st == 0 && s > 1 && t.numel > 0 {
      throw overlapError
    }
    let recording = grad && (t.requiresGrad || others.contains { $0.requiresGrad })
    if recording, let base = t.viewBase, !base.isContiguous {
      throw .invalidOp(
        "in-place operation through a view of a non-contiguous tensor is not supported")
    }
    let snapshot: Tensor
    if recording {
      snapshot = Kernels.contiguousCopy(t)
      snapshot.requiresGradStorage = t.requiresGrad
      snapshot.gradFnStorage = t.gradFn
      snapshot.outputNr = t.outputNr
    } else {
      snapshot = Views.detach(t)
    }
    let result = try compute(snapshot, recording)
    guard result.shape == t.shape else {
      throw .shape(
        "output with shape \(shapeText(t.shape)) doesn't match the broadcast shape \(shapeText(result.shape))"
      )
    }
    if result.dtype.category > t.dtype.category {
      throw AutogradError(
        .dtypeMismatch,
        "result type \(result.dtype.scalarTypeName) can't be cast to the desired output type \(t.dtype.scalarTypeName)"
      )
    }
    let journal = MutationJournal.current
    journal?.recordStorage(t)
    journal?.recordMeta(t)
    Kernels.copy(result, into: t)
    t.versionCounter.value += 1
    guard recording, let node = result.gradFnStorage else {
      // PyTorch regenerates a view's grad_fn (AsStridedBackward0) after any in-place change, tracked or not;
      // a view made under no_grad would raise there instead, so it keeps the state it had.
      if t.viewMadeInNoGrad { t.viewGradFnVersion = t.versionCounter.value }
      return t
    }
    // An op that saved its result (exp_, sigmoid_, ...) now saves `t` itself, so later in-place changes
    // to `t` are caught as in PyTorch.
    for i in node.saved.indices where node.saved[i].isOutput && t.dtype == result.dtype {
      node.saved[i] = SavedTensor(
        tensor: t.detachedAlias(), savedVersion: t.versionCounter.value, isOutput: true,
        shape: t.shape)
    }
    if let base = t.viewBase {
      journal?.recordMeta(base)
      let copySlices = try makeCopySlices(base: base, view: t, wrapping: node)
      base.gradFnStorage = copySlices
      base.outputNr = 0
      base.requiresGradStorage = true
      // The view's own grad_fn is regenerated from the base (AsStridedBackward0).
      t.viewGradFnVersion = -1
      t.refreshViewGradFn()
    } else {
      let old = t.gradFnStorage
      t.gradFnStorage = node
      t.outputNr = 0
      t.requiresGradStorage = true
      if t.retainsGradStorage, old !== node { node.retainedTensors.append(WeakTensor(tensor: t)) }
      t.viewGradFnVersion = t.versionCounter.value
    }
    return t
  }

  /// The base's new node: its gradient outside the view passes through, inside it goes through `node`.
  private static func makeCopySlices(base: Tensor, view: Tensor, wrapping node: Node)
    throws(AutogradError) -> Node
  {
    let geometry = ViewGeometry(
      shape: view.shape, strides: view.strides, offset: view.offset - base.offset)
    let baseShape = base.shape
    let viewShape = view.shape
    let viewDtype = view.dtype
    // Mask of the base elements outside the view (1) and inside it (0).
    let outside = Tensor(zerosOf: baseShape, dtype: base.dtype)
    Kernels.fill(outside, 1)
    Kernels.fill(
      outside.makeView(shape: geometry.shape, strides: geometry.strides, offset: geometry.offset), 0
    )
    let edges: [Edge?] = [base.gradientEdge()] + node.edges.dropFirst()
    let meta: [InputMeta?] =
      [InputMeta(shape: baseShape, dtype: base.dtype)] + node.inputMeta.dropFirst()
    let copySlices = Node(
      name: "CopySlices", edges: edges, inputMeta: meta, saved: [], backward: nil)
    copySlices.wrapped = node
    // PyTorch's CopySlices copies the view's gradient into the same geometry of a buffer: through an expanded
    // view (an element written more than once) that copy refuses, so the backward fails there.
    let viewOverlaps =
      view.numel > 0 && zip(view.shape, view.strides).contains { $0 > 1 && $1 == 0 }
    copySlices.backwardFn = { [unowned copySlices] g, ctx throws(AutogradError) in
      guard !copySlices.released, let inner = copySlices.wrapped, let fn = inner.backwardFn else {
        throw AutogradError.backwardTwice
      }
      if viewOverlaps { throw overlapError }
      let saved = try inner.unpackSaved()
      let region = try Views.asStrided(g, geometry, grad: ctx.grad)
      let innerNeeds = [true] + ctx.needs.dropFirst()
      var grads = try fn(region, BackwardContext(saved: saved, needs: innerNeeds, grad: ctx.grad))
      while grads.count < inner.edges.count { grads.append(nil) }
      var selfGrad = grads[0] ?? Kernels.tensor([0], shape: [], dtype: g.dtype)
      if selfGrad.shape != viewShape {
        selfGrad = try Reductions.sumTo(selfGrad, viewShape, grad: ctx.grad)
      }
      if selfGrad.dtype != viewDtype {
        selfGrad = try Elementwise.cast(selfGrad, to: viewDtype, grad: ctx.grad)
      }
      // PyTorch copies the view's gradient over a clone of `g`: exact zeros there before the copy, even for a
      // NaN or negative `g`.
      let kept = try F.gate(g, outside, ctx.grad)
      let placed = try Views.embed(
        Views.expand(selfGrad, viewShape, grad: ctx.grad), into: baseShape, geometry: geometry,
        name: "AsStridedScatterBackward0", grad: ctx.grad)
      return [try F.add(kept, placed, ctx.grad)] + grads.dropFirst()
    }
    return copySlices
  }

  // MARK: The in-place ops

  static func binary(
    _ op: String, _ t: Tensor, _ other: Tensor, alpha: Double = 1, mode: String? = nil, grad: Bool
  )
    throws(AutogradError)
    -> Tensor
  {
    try apply(t, others: [other], grad: grad) { old, rec throws(AutogradError) in
      switch op {
      case "add_": return try Elementwise.add(old, other, alpha: alpha, grad: rec)
      case "sub_": return try Elementwise.sub(old, other, alpha: alpha, grad: rec)
      case "mul_": return try Elementwise.mul(old, other, grad: rec)
      case "div_" where mode != nil:
        return try Elementwise.divRounding(old, other, mode: mode ?? "", grad: rec)
      case "div_": return try Elementwise.div(old, other, grad: rec)
      case "pow_":
        if other.isWrappedNumber {
          return try Elementwise.pow(
            old, scalar: other.item(), exponentIsInt: other.dtype == .int64, grad: rec)
        }
        return try Elementwise.pow(old, other, grad: rec)
      default: throw .invalidOp("unknown in-place op \(op)")
      }
    }
  }

  static func unary(_ op: String, _ t: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    try apply(t, others: [], grad: grad) { old, rec throws(AutogradError) in
      try Elementwise.unary(op, old, grad: rec)
    }
  }

  static func zero(_ t: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    try fill(t, Tensor.scalar(0), name: "ZeroBackward0", grad: grad)
  }

  /// `fill_(value)`: a number (`FillBackward2`) or a 0-d tensor (`FillBackward3`, gradient summed into it).
  static func fill(_ t: Tensor, _ value: Tensor, name: String? = nil, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    guard value.rank == 0 else {
      throw .shape(
        "fill_ only supports 0-dimension value tensor but got tensor with \(value.rank) dimensions."
      )
    }
    let byNumber = value.isWrappedNumber
    if byNumber { try t.dtype.checkFits(value.item()) }
    // fill_ with a number writes one value and may go through overlapping memory; with a tensor it is PyTorch's
    // copy_ of that tensor, which refuses it (after cloning a value that shares the target's memory).
    let value =
      !byNumber && value.storage === t.storage ? try Views.clone(value, grad: grad) : value
    return try apply(t, others: byNumber ? [] : [value], grad: grad, refusesSelfOverlap: !byNumber)
    {
      old, rec throws(AutogradError) in
      let v = try value.item()
      let out = Kernels.map(old, dtype: old.dtype) { _ in v }
      let nodeName = name ?? (byNumber ? "FillBackward2" : "FillBackward3")
      let inputs: [Tensor?] = byNumber ? [old] : [old, value]
      return Recorder.record(nodeName, out, inputs: inputs, grad: rec) {
        g, ctx throws(AutogradError) in
        let zeros = F.zeros(like: g)  // zeros_like(grad): no NaN or -0.0 from the gradient
        return byNumber ? [zeros] : [zeros, try Reductions.sum(g, dims: nil, grad: ctx.grad)]
      }
    }
  }

  /// `copy_(src)` (`CopyBackwards`): src broadcasts to the destination and is cast to its dtype.
  static func copy(_ t: Tensor, _ src: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    _ = try Elementwise.broadcastShapes(t.shape, src.shape)
    let shape = t.shape
    return try apply(t, others: [src], grad: grad) { old, rec throws(AutogradError) in
      let out = Tensor(zerosOf: shape, dtype: old.dtype)
      guard try Elementwise.broadcastShapes(shape, src.shape) == shape else {
        throw .shape(
          "output with shape \(shapeText(shape)) doesn't match the broadcast shape \(shapeText(try Elementwise.broadcastShapes(shape, src.shape)))"
        )
      }
      Kernels.copy(src, into: out)
      return Recorder.record("CopyBackwards", out, inputs: [old, src], grad: rec) {
        g, ctx throws(AutogradError) in
        [ctx.needs(0) ? F.zeros(like: g) : nil, g]
      }
    }
  }
}
