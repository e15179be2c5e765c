/// Matrix products: forward through the GEMM kernel, backward formulas and grad_fn names.
enum LinearAlgebra {
  static func sameDtype(_ a: Tensor, _ b: Tensor) throws(AutogradError) {
    guard a.dtype == b.dtype else {
      throw AutogradError(
        .dtypeMismatch,
        "expected m1 and m2 to have the same dtype, but got: \(a.dtype.cScalarName) != \(b.dtype.cScalarName)"
      )
    }
    if a.dtype == .bool { throw .invalidOp("\"addmm_impl_cpu_\" not implemented for 'Bool'") }
  }

  static func mm(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    guard a.rank == 2 else { throw .shape("mm: self must be a matrix, got \(a.rank)-D tensor") }
    guard b.rank == 2 else { throw .shape("mm: mat2 must be a matrix, got \(b.rank)-D tensor") }
    // PyTorch checks the shapes before the dtypes.
    guard a.shape[1] == b.shape[0] else {
      throw .shape(
        "mm: mat1 and mat2 shapes cannot be multiplied (\(a.shape[0])x\(a.shape[1]) and \(b.shape[0])x\(b.shape[1]))"
      )
    }
    try sameDtype(a, b)
    _ = try checkedCount([a.shape[0], b.shape[1]])
    // PyTorch's BLAS (MKL) makes a K = 1 product of two matrices the plain outer product, not a sum started from
    // +0, so a -0.0 product stays -0.0; a row or column vector result goes through gemv, which starts from +0.
    let outer = a.shape[1] == 1 && a.shape[0] > 1 && b.shape[1] > 1 && a.dtype.isFloatingPoint
    let out =
      outer
      ? Kernels.zip(a, b, shape: [a.shape[0], b.shape[1]], dtype: a.dtype) { $0 * $1 }
      : Kernels.matmul2D(a, b)
    let needA = a.requiresGrad
    let needB = b.requiresGrad
    let saving = (needA ? [b] : []) + (needB ? [a] : [])
    return Recorder.record("MmBackward0", out, inputs: [a, b], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let savedB = needA ? ctx.saved[0] : nil
      let savedA = needB ? ctx.saved[needA ? 1 : 0] : nil
      return [
        ctx.needs(0) ? try mm(g, Views.t(savedB!, grad: ctx.grad), grad: ctx.grad) : nil,
        ctx.needs(1) ? try mm(Views.t(savedA!, grad: ctx.grad), g, grad: ctx.grad) : nil,
      ]
    }
  }

  static func mv(_ a: Tensor, _ v: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    // PyTorch sizes the bias it allocates by the matrix's first dim before any check.
    if a.rank == 0 { throw .shape("Dimension specified as 0 but tensor has no dimensions") }
    guard a.rank == 2, v.rank == 1 else {
      // PyTorch's addmv check names the bias (1-D here) first.
      throw .shape("vector + matrix @ vector expected, got 1, \(a.rank), \(v.rank)")
    }
    guard a.shape[1] == v.shape[0] else {
      throw .shape(
        "size mismatch, got input (\(a.shape[0])), mat (\(a.shape[0])x\(a.shape[1])), vec (\(v.shape[0]))"
      )
    }
    guard a.dtype == v.dtype else {
      // The bias PyTorch allocates takes the vector's dtype, so it is named first and last.
      throw AutogradError(
        .dtypeMismatch,
        "addmv input tensors must have the same dtype, but got \(v.dtype.scalarTypeName), \(a.dtype.scalarTypeName), and \(v.dtype.scalarTypeName)"
      )
    }
    if a.dtype == .bool { throw .invalidOp("\"addmv_impl_cpu\" not implemented for 'Bool'") }
    let column = Tensor(
      storage: v.storage, shape: [v.shape[0], 1], strides: [v.strides[0], 1], offset: v.offset,
      versionCounter: v.versionCounter)
    let product = Kernels.matmul2D(a, column)
    let out = Tensor(
      storage: product.storage, shape: [a.shape[0]], strides: [1], offset: 0,
      versionCounter: product.versionCounter)
    let needA = a.requiresGrad
    let needV = v.requiresGrad
    let saving = (needA ? [v] : []) + (needV ? [a] : [])
    return Recorder.record("MvBackward0", out, inputs: [a, v], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let savedV = needA ? ctx.saved[0] : nil
      let savedA = needV ? ctx.saved[needA ? 1 : 0] : nil
      var result: [Tensor?] = [nil, nil]
      if ctx.needs(0) {
        // Outer product g ⊗ v.
        let gc = try Views.unsqueeze(g, 1, grad: ctx.grad)
        let vr = try Views.unsqueeze(savedV!, 0, grad: ctx.grad)
        result[0] = try mm(gc, vr, grad: ctx.grad)
      }
      if ctx.needs(1) { result[1] = try mv(Views.t(savedA!, grad: ctx.grad), g, grad: ctx.grad) }
      return result
    }
  }

  static func dot(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    guard a.rank == 1, b.rank == 1 else {
      throw .shape("1D tensors expected, but got \(a.rank)D and \(b.rank)D tensors")
    }
    // PyTorch checks the dtypes before the lengths.
    guard a.dtype == b.dtype else {
      throw AutogradError(
        .dtypeMismatch,
        "dot : expected both vectors to have same dtype, but found \(a.dtype.scalarTypeName) and \(b.dtype.scalarTypeName)"
      )
    }
    if a.dtype == .bool { throw .invalidOp("\"dot\" not implemented for 'Bool'") }
    guard a.shape[0] == b.shape[0] else {
      throw .shape(
        "inconsistent tensor size, expected tensor [\(a.shape[0])] and src [\(b.shape[0])] to have the same number of elements, but got \(a.shape[0]) and \(b.shape[0]) elements respectively"
      )
    }
    let row = Tensor(
      storage: a.storage, shape: [1, a.shape[0]], strides: [0, a.strides[0]], offset: a.offset,
      versionCounter: a.versionCounter)
    let column = Tensor(
      storage: b.storage, shape: [b.shape[0], 1], strides: [b.strides[0], 0], offset: b.offset,
      versionCounter: b.versionCounter)
    let product = Kernels.matmul2D(row, column)
    let out = Tensor(
      storage: product.storage, shape: [], strides: [], offset: 0,
      versionCounter: product.versionCounter)
    let needA = a.requiresGrad
    let needB = b.requiresGrad
    let saving = (needA ? [b] : []) + (needB ? [a] : [])
    return Recorder.record("DotBackward0", out, inputs: [a, b], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let savedB = needA ? ctx.saved[0] : nil
      let savedA = needB ? ctx.saved[needA ? 1 : 0] : nil
      return [
        ctx.needs(0) ? try F.mul(g, savedB!, ctx.grad) : nil,
        ctx.needs(1) ? try F.mul(g, savedA!, ctx.grad) : nil,
      ]
    }
  }

  /// `torch.matmul`, decomposed into the primitives PyTorch uses (so the grad_fn chain matches).
  static func matmul(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    switch (a.rank, b.rank) {
    case (0, _), (_, 0):
      throw .shape(
        "both arguments to matmul need to be at least 1D, but they are \(a.rank)D and \(b.rank)D")
    case (1, 1):
      return try dot(a, b, grad: grad)
    case (2, 1):
      return try mv(a, b, grad: grad)
    case (2, 2):
      return try mm(a, b, grad: grad)
    case (1, 2):
      let row = try Views.unsqueeze(a, 0, grad: grad)
      let product = try mm(row, b, grad: grad)
      // PyTorch squeezes in place here (`squeeze_(0)`), which bumps the result's version.
      product.versionCounter.value += 1
      return try Views.squeeze(product, dims: [0], name: "SqueezeBackward4", grad: grad)
    case (_, 2) where a.rank > 2:
      // Fold the batch dims into rows: view -> mm -> _unsafe_view.
      let k = a.shape[a.rank - 1]
      let rows = a.numel / Swift.max(k, 1)
      let folded = try Views.reshape(a, [k == 0 ? 0 : rows, k], grad: grad)
      let product = try mm(folded, b, grad: grad)
      return try Views.unsafeView(product, Array(a.shape.dropLast()) + [b.shape[1]], grad: grad)
    case (_, 1) where a.rank > 2 && shouldFold(a, b):
      // PyTorch folds the batch dims into rows: reshape -> mv -> _unsafe_view (UnsafeViewBackward0).
      let k = a.shape[a.rank - 1]
      let folded = try Views.reshape(a, [k == 0 ? 0 : a.numel / Swift.max(k, 1), k], grad: grad)
      return try Views.unsafeView(mv(folded, b, grad: grad), Array(a.shape.dropLast()), grad: grad)
    case (1, _) where b.rank > 2 && a.requiresGrad:
      // (Measured on PyTorch 2.15: folded when the vector requires grad; a requiring batch goes through bmm.)
      // v @ B: B's last two dims swapped and folded into rows, then mv (UnsafeViewBackward0 -> MvBackward0).
      let bt = try Views.transpose(b, -1, -2, grad: grad)
      let k = bt.shape[bt.rank - 1]
      let folded = try Views.reshape(bt, [k == 0 ? 0 : bt.numel / Swift.max(k, 1), k], grad: grad)
      return try Views.unsafeView(mv(folded, a, grad: grad), Array(bt.shape.dropLast()), grad: grad)
    case (2, _) where b.rank > 2 && a.requiresGrad:
      // W @ X with W requiring grad, as PyTorch folds it: (X.mT folded) mm W.t(), unsafe view, mT, contiguous
      // (CloneBackward0 -> TransposeBackward0 -> UnsafeViewBackward0 -> MmBackward0).
      let bt = try Views.transpose(b, -1, -2, grad: grad)
      let k = bt.shape[bt.rank - 1]
      let folded = try Views.reshape(bt, [k == 0 ? 0 : bt.numel / Swift.max(k, 1), k], grad: grad)
      let at = try Views.t(a, grad: grad)
      let product = try mm(folded, at, grad: grad)
      let shape = Array(bt.shape.dropLast()) + [at.shape[1]]
      let back = try Views.transpose(
        Views.unsafeView(product, shape, grad: grad), -1, -2, grad: grad)
      return try Views.contiguous(back, grad: grad)
    case (_, 1) where a.rank > 2:
      let column = try Views.unsqueeze(b, 1, grad: grad)
      let product = try matmul(a, column, grad: grad)
      return try Views.squeeze(product, dims: [-1], name: "SqueezeBackward4", grad: grad)
    case (1, _):
      let row = try Views.unsqueeze(a, 0, grad: grad)
      return try batched(row, b, dropRowDim: true, grad: grad)
    default:
      return try batched(a, b, grad: grad)
    }
  }

  /// PyTorch's `should_fold` for a tensor `big` of 3+ dims against a 1-D `small`: fold when `small` requires
  /// grad, when `big` is empty, or when `big`'s leading dims are contiguous among themselves.
  private static func shouldFold(_ big: Tensor, _ small: Tensor) -> Bool {
    if small.requiresGrad || big.numel == 0 { return true }
    for i in 0..<(big.rank - 2) where big.strides[i] != big.strides[i + 1] * big.shape[i + 1] {
      return false
    }
    return true
  }

  /// Batched matmul with broadcast batch dims: expand, fold into [B, n, k] views, bmm, unfold.
  static func batched(_ a: Tensor, _ b: Tensor, dropRowDim: Bool = false, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    let (n, k) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
    let (k2, m) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
    let batch = try Elementwise.broadcastShapes(
      Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)))
    let count = batch.reduce(1, *)
    // As PyTorch's bmm on the folded operands: sizes first, then dtypes.
    guard k == k2 else {
      throw .shape(
        "Expected size for first two dimensions of batch2 tensor to be: [\(count), \(k)] but got: [\(count), \(k2)]."
      )
    }
    try bmmDtypes(a, b)
    var ea = a
    if Array(a.shape.dropLast(2)) != batch { ea = try Views.expand(a, batch + [n, k], grad: grad) }
    var eb = b
    if Array(b.shape.dropLast(2)) != batch { eb = try Views.expand(b, batch + [k, m], grad: grad) }
    let fa = try Views.reshape(ea, [count, n, k], grad: grad)
    let fb = try Views.reshape(eb, [count, k, m], grad: grad)
    // A vector first argument has no row dim in PyTorch's output shape: the unsafe view drops it (no squeeze).
    let shape = dropRowDim ? batch + [m] : batch + [n, m]
    return try Views.unsafeView(bmm(fa, fb, grad: grad), shape, grad: grad)
  }

  static func bmm(_ a: Tensor, _ b: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    guard a.rank == 3, b.rank == 3 else { throw .shape("batch1 must be a 3D tensor") }
    guard a.shape[0] == b.shape[0], a.shape[2] == b.shape[1] else {
      throw .shape(
        "Expected size for first two dimensions of batch2 tensor to be: [\(a.shape[0]), \(a.shape[2])] but got: [\(b.shape[0]), \(b.shape[1])]."
      )
    }
    try bmmDtypes(a, b)
    let (count, n, m) = (a.shape[0], a.shape[1], b.shape[2])
    _ = try checkedCount([count, n, m])
    let out = Tensor(zerosOf: [count, n, m], dtype: a.dtype)
    for i in 0..<count {
      let sa = a.makeView(
        shape: [n, a.shape[2]], strides: [a.strides[1], a.strides[2]],
        offset: a.offset + i * a.strides[0])
      let sb = b.makeView(
        shape: [b.shape[1], m], strides: [b.strides[1], b.strides[2]],
        offset: b.offset + i * b.strides[0])
      let product = Kernels.matmul2D(sa, sb)
      Kernels.copy(product, into: out.makeView(shape: [n, m], strides: [m, 1], offset: i * n * m))
    }
    let result = Tensor(
      storage: out.storage, shape: out.shape, strides: out.strides, offset: 0,
      versionCounter: out.versionCounter)
    let needA = a.requiresGrad
    let needB = b.requiresGrad
    let saving = (needA ? [b] : []) + (needB ? [a] : [])
    return Recorder.record("BmmBackward0", result, inputs: [a, b], saving: saving, grad: grad) {
      g, ctx throws(AutogradError) in
      let savedB = needA ? ctx.saved[0] : nil
      let savedA = needB ? ctx.saved[needA ? 1 : 0] : nil
      return [
        ctx.needs(0)
          ? try bmm(g, Views.transpose(savedB!, 1, 2, grad: ctx.grad), grad: ctx.grad) : nil,
        ctx.needs(1)
          ? try bmm(Views.transpose(savedA!, 1, 2, grad: ctx.grad), g, grad: ctx.grad) : nil,
      ]
    }
  }
}

extension LinearAlgebra {
  /// bmm's dtype check (`expected scalar type Float but found Double`).
  static func bmmDtypes(_ a: Tensor, _ b: Tensor) throws(AutogradError) {
    guard a.dtype == b.dtype else {
      throw AutogradError(
        .dtypeMismatch,
        "expected scalar type \(a.dtype.scalarTypeName) but found \(b.dtype.scalarTypeName)")
    }
    if a.dtype == .bool { throw .invalidOp("\"bmm\" not implemented for 'Bool'") }
  }
}
