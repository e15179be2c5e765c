/// View ops (share storage with their input) and copies that reshape: forward geometry, backward and name.
enum Views {
  static func normalizeDim(_ dim: Int, rank: Int) throws(AutogradError) -> Int {
    let r = Swift.max(rank, 1)
    guard dim >= -r, dim < r else { throw AutogradError.dimOutOfRange(dim, rank: rank) }
    return dim < 0 ? dim + r : dim
  }

  /// Resolves one `-1` in a requested shape against `count` elements.
  static func inferShape(_ requested: [Int], count: Int) throws(AutogradError) -> [Int] {
    var shape = requested
    var inferred: Int?
    var known = 1
    for (i, s) in requested.enumerated() {
      if s == -1 {
        guard inferred == nil else { throw .shape("only one dimension can be inferred") }
        inferred = i
      } else if s < 0 {
        throw .shape("invalid shape dimension \(s)")
      } else {
        let (r, o) = known.multipliedReportingOverflow(by: s)
        guard !o else {
          throw .shape("shape '\(shapeText(requested))' is invalid for input of size \(count)")
        }
        known = r
      }
    }
    if let i = inferred {
      guard known != 0, count % known == 0 else {
        throw .shape("shape '\(shapeText(requested))' is invalid for input of size \(count)")
      }
      shape[i] = count / known
    } else if known != count {
      throw .shape("shape '\(shapeText(requested))' is invalid for input of size \(count)")
    }
    return shape
  }

  /// PyTorch's `computeStride`: strides that view `x` at `shape` without copying, or nil.
  static func viewStrides(_ x: Tensor, _ shape: [Int]) -> [Int]? {
    if x.isContiguous { return contiguousStrides(shape) }
    if x.numel == 0 { return contiguousStrides(shape) }
    let oldShape = x.shape
    let oldStrides = x.strides
    var newStrides = [Int](repeating: 0, count: shape.count)
    var viewD = shape.count - 1
    var chunkBaseStride = oldStrides.last ?? 1
    var tensorNumel = 1
    var viewNumel = 1
    var tensorD = oldShape.count - 1
    while tensorD >= 0 {
      tensorNumel *= oldShape[tensorD]
      if tensorD == 0
        || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride)
      {
        while viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] == 1) {
          newStrides[viewD] = viewNumel * chunkBaseStride
          viewNumel *= shape[viewD]
          viewD -= 1
        }
        if viewNumel != tensorNumel { return nil }
        if tensorD > 0 {
          chunkBaseStride = oldStrides[tensorD - 1]
          tensorNumel = 1
          viewNumel = 1
        }
      }
      tensorD -= 1
    }
    if viewD != -1 { return nil }
    return newStrides
  }

  static func view(
    _ x: Tensor, _ requested: [Int], name: String = "ViewBackward0", grad: Bool
  ) throws(AutogradError) -> Tensor {
    let shape = try inferShape(requested, count: x.numel)
    guard let strides = viewStrides(x, shape) else {
      throw .shape(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."
      )
    }
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset)
    let inputShape = x.shape
    return Recorder.record(name, out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try reshape(g, inputShape, grad: ctx.grad)]
    }
  }

  /// A view when the strides allow one, else a copy (`UnsafeViewBackward0 -> CloneBackward0`).
  static func reshape(_ x: Tensor, _ requested: [Int], grad: Bool) throws(AutogradError) -> Tensor {
    let shape = try inferShape(requested, count: x.numel)
    // PyTorch: a contiguous input is viewed (ViewBackward0); another one whose strides allow a view gets
    // `_reshape_alias` (ReshapeAliasBackward0, a view too); else a copy.
    if isContiguousIgnoringUnitDims(x) { return try view(x, shape, grad: grad) }
    if viewStrides(x, shape) != nil {
      return try view(x, shape, name: "ReshapeAliasBackward0", grad: grad)
    }
    return try unsafeView(clone(x, grad: grad), shape, grad: grad)
  }

  /// PyTorch's `is_contiguous`: row-major strides, where size-1 dims may have any stride.
  static func isContiguousIgnoringUnitDims(_ x: Tensor) -> Bool {
    var expected = 1
    for d in x.shape.indices.reversed() where x.shape[d] != 1 {
      guard x.strides[d] == expected else { return x.numel == 0 }
      expected *= x.shape[d]
    }
    return true
  }

  /// `_unsafe_view`: a reshape of a fresh copy, recorded as `UnsafeViewBackward0` (not an autograd view).
  static func unsafeView(_ x: Tensor, _ shape: [Int], grad: Bool) throws(AutogradError) -> Tensor {
    let source = x.isContiguous ? x : Kernels.contiguousCopy(x)
    let out = Tensor(
      storage: source.storage, shape: shape, strides: contiguousStrides(shape),
      offset: source.offset,
      versionCounter: source.versionCounter)
    let inputShape = x.shape
    return Recorder.record("UnsafeViewBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try reshape(g, inputShape, grad: ctx.grad)]
    }
  }

  static func t(_ x: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    guard x.rank <= 2 else {
      throw .shape("t() expects a tensor with <= 2 dimensions, but self is \(x.rank)D")
    }
    let out =
      x.rank < 2
      ? x.makeView(shape: x.shape, strides: x.strides, offset: x.offset)
      : x.makeView(
        shape: [x.shape[1], x.shape[0]], strides: [x.strides[1], x.strides[0]], offset: x.offset)
    return Recorder.record("TBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try t(g, grad: ctx.grad)]
    }
  }

  static func transpose(_ x: Tensor, _ d0: Int, _ d1: Int, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let a = try normalizeDim(d0, rank: x.rank)
    let b = try normalizeDim(d1, rank: x.rank)
    var shape = x.shape
    var strides = x.strides
    if x.rank > 0 {
      shape.swapAt(a, b)
      strides.swapAt(a, b)
    }
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset)
    return Recorder.record("TransposeBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try transpose(g, a, b, grad: ctx.grad)]
    }
  }

  static func permute(_ x: Tensor, _ dims: [Int], grad: Bool) throws(AutogradError) -> Tensor {
    guard dims.count == x.rank else {
      throw .shape(
        "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(x.rank) is not equal to len(dims) = \(dims.count)"
      )
    }
    var seen = Set<Int>()
    var normalized: [Int] = []
    for d in dims {
      let n = try normalizeDim(d, rank: x.rank)
      guard seen.insert(n).inserted else {
        throw .shape("permute(): duplicate dims are not allowed.")
      }
      normalized.append(n)
    }
    let out = x.makeView(
      shape: normalized.map { x.shape[$0] }, strides: normalized.map { x.strides[$0] },
      offset: x.offset)
    var inverse = [Int](repeating: 0, count: normalized.count)
    for (i, d) in normalized.enumerated() { inverse[d] = i }
    return Recorder.record("PermuteBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try permute(g, inverse, grad: ctx.grad)]
    }
  }

  /// `squeeze()` (all size-1 dims, `SqueezeBackward0`) or `squeeze(dims)` (`SqueezeBackward1`/`2`/`4`).
  static func squeeze(_ x: Tensor, dims: [Int]?, name: String? = nil, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    var drop = Set<Int>()
    if let dims {
      var seen = Set<Int>()
      for d in dims {
        let n = try normalizeDim(d, rank: x.rank)
        // A list of dims (`squeeze(x, (0, 0))`) goes through PyTorch's dim bitset, which refuses repeats.
        if name != nil && !seen.insert(n).inserted {
          throw .invalidOp("dim \(n) appears multiple times in the list of dims")
        }
        if x.rank > 0 && x.shape[n] == 1 { drop.insert(n) }
      }
    } else {
      for (i, s) in x.shape.enumerated() where s == 1 { drop.insert(i) }
    }
    var shape: [Int] = []
    var strides: [Int] = []
    for i in 0..<x.rank where !drop.contains(i) {
      shape.append(x.shape[i])
      strides.append(x.strides[i])
    }
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset)
    let inputShape = x.shape
    let nodeName =
      name
      ?? (dims == nil
        ? "SqueezeBackward0" : (dims?.count == 1 ? "SqueezeBackward1" : "SqueezeBackward2"))
    return Recorder.record(nodeName, out, inputs: [x], grad: grad) { g, ctx throws(AutogradError) in
      [try reshape(g, inputShape, grad: ctx.grad)]
    }
  }

  static func unsqueeze(_ x: Tensor, _ dim: Int, grad: Bool) throws(AutogradError) -> Tensor {
    guard dim >= -(x.rank + 1), dim <= x.rank else {
      throw AutogradError.dimOutOfRange(dim, rank: x.rank + 1)
    }
    let d = dim < 0 ? dim + x.rank + 1 : dim
    var shape = x.shape
    var strides = x.strides
    let newStride = d < x.rank ? x.strides[d] * x.shape[d] : 1
    shape.insert(1, at: d)
    strides.insert(newStride, at: d)
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset)
    return Recorder.record("UnsqueezeBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try squeeze(g, dims: [d], grad: ctx.grad)]
    }
  }

  static func expand(_ x: Tensor, _ sizes: [Int], grad: Bool) throws(AutogradError) -> Tensor {
    guard sizes.count >= x.rank else {
      throw .shape(
        "expand(\(x.dtype.legacyTypeName){\(shapeText(x.shape))}, size=\(shapeText(sizes))): the number of sizes provided (\(sizes.count)) must be greater or equal to the number of dimensions in the tensor (\(x.rank))"
      )
    }
    let lead = sizes.count - x.rank
    var shape = sizes
    var strides = [Int](repeating: 0, count: sizes.count)
    // From the last dim, as PyTorch's inferExpandGeometry: the rightmost mismatch is the one reported.
    for i in (0..<sizes.count).reversed() {
      if i < lead {
        guard sizes[i] >= 0 else {
          throw .shape(
            "The expanded size of the tensor (\(sizes[i])) isn't allowed in a leading, non-existing dimension \(i)"
          )
        }
        continue
      }
      let own = x.shape[i - lead]
      if sizes[i] == -1 {
        shape[i] = own
        strides[i] = x.strides[i - lead]
      } else if own == sizes[i] {
        strides[i] = x.strides[i - lead]
      } else if own == 1 {
        guard sizes[i] >= 0 else { throw .shape("invalid expanded size \(sizes[i])") }
        strides[i] = 0
      } else {
        throw .shape(
          "The expanded size of the tensor (\(sizes[i])) must match the existing size (\(own)) at non-singleton dimension \(i).  Target sizes: \(shapeText(sizes)).  Tensor sizes: \(shapeText(x.shape))"
        )
      }
    }
    _ = try checkedCount(shape)
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset)
    let inputShape = x.shape
    return Recorder.record("ExpandBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try Reductions.sumTo(g, inputShape, grad: ctx.grad)]
    }
  }

  /// `x[...]`: a new view object of the whole tensor.
  static func alias(_ x: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    let out = x.makeView(shape: x.shape, strides: x.strides, offset: x.offset)
    return Recorder.record("AliasBackward0", out, inputs: [x], grad: grad) {
      g, _ throws(AutogradError) in [g]
    }
  }

  static func select(
    _ x: Tensor, dim: Int, index: Int, reportedDim: Int? = nil, grad: Bool
  ) throws(AutogradError) -> Tensor {
    guard x.rank > 0 else { throw .shape("select() cannot be applied to a 0-dim tensor.") }
    let d = try normalizeDim(dim, rank: x.rank)
    let size = x.shape[d]
    guard index >= -size, index < size else {
      throw .shape(
        "index \(index) is out of bounds for dimension \(reportedDim ?? d) with size \(size)")
    }
    let i = index < 0 ? index + size : index
    var shape = x.shape
    var strides = x.strides
    shape.remove(at: d)
    strides.remove(at: d)
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset + i * x.strides[d])
    var gStrides = contiguousStrides(x.shape)
    let gOffset = i * gStrides[d]
    gStrides.remove(at: d)
    let geometry = ViewGeometry(shape: shape, strides: gStrides, offset: gOffset)
    let inputShape = x.shape
    return Recorder.record("SelectBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [
        try embed(
          g, into: inputShape, geometry: geometry, name: "SelectBackwardBackward0", grad: ctx.grad)
      ]
    }
  }

  /// Python slice semantics (clamped bounds, positive step).
  static func slice(_ x: Tensor, dim: Int, start: Int?, end: Int?, step: Int, grad: Bool)
    throws(AutogradError)
    -> Tensor
  {
    guard x.rank > 0 else { throw .shape("slice() cannot be applied to a 0-dim tensor.") }
    guard step > 0 else { throw .argument("step must be greater than zero") }
    let d = try normalizeDim(dim, rank: x.rank)
    let size = x.shape[d]
    func clampIndex(_ v: Int?, _ fallback: Int) -> Int {
      guard var v else { return fallback }
      if v < 0 { v += size }
      return Swift.min(Swift.max(v, 0), size)
    }
    let lo = clampIndex(start, 0)
    let hi = Swift.max(clampIndex(end, size), lo)
    // A step past the dimension's size selects at most one element; clamping it keeps the stride
    // products below from overflowing on a client's `::9223372036854775807`.
    let step = Swift.min(step, Swift.max(size, 1))
    let length = hi > lo ? (hi - lo - 1) / step + 1 : 0
    var shape = x.shape
    var strides = x.strides
    shape[d] = length
    strides[d] = x.strides[d] * step
    let out = x.makeView(shape: shape, strides: strides, offset: x.offset + lo * x.strides[d])
    var gStrides = contiguousStrides(x.shape)
    let gOffset = lo * gStrides[d]
    gStrides[d] *= step
    let geometry = ViewGeometry(shape: shape, strides: gStrides, offset: gOffset)
    let inputShape = x.shape
    return Recorder.record("SliceBackward0", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [
        try embed(
          g, into: inputShape, geometry: geometry, name: "SliceBackwardBackward0", grad: ctx.grad)
      ]
    }
  }

  /// A view of a contiguous tensor at `geometry` (`AsStridedBackward0`).
  static func asStrided(_ x: Tensor, _ geometry: ViewGeometry, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let source = try contiguous(x, grad: grad)
    let out = source.makeView(
      shape: geometry.shape, strides: geometry.strides, offset: source.offset + geometry.offset)
    let inputShape = x.shape
    return Recorder.record("AsStridedBackward0", out, inputs: [source], grad: grad) {
      g, ctx throws(AutogradError) in
      [
        try embed(
          g, into: inputShape, geometry: geometry, name: "AsStridedScatterBackward0", grad: ctx.grad
        )
      ]
    }
  }

  /// Zeros of `shape` with `g` written at `geometry`: the backward of select/slice/as_strided.
  static func embed(
    _ g: Tensor, into shape: [Int], geometry: ViewGeometry, name: String, grad: Bool
  )
    throws(AutogradError) -> Tensor
  {
    let out = Tensor(zerosOf: shape, dtype: g.dtype)
    let region = out.makeView(
      shape: geometry.shape, strides: geometry.strides, offset: geometry.offset)
    Kernels.copy(g, into: region)
    return Recorder.record(name, out, inputs: [g], grad: grad) { gg, ctx throws(AutogradError) in
      [try asStrided(gg, geometry, grad: ctx.grad)]
    }
  }

  static func clone(_ x: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    let out = Kernels.contiguousCopy(x)
    return Recorder.record("CloneBackward0", out, inputs: [x], grad: grad) {
      g, _ throws(AutogradError) in [g]
    }
  }

  /// `x` itself when contiguous, else a recorded copy.
  static func contiguous(_ x: Tensor, grad: Bool) throws(AutogradError) -> Tensor {
    x.isContiguous ? x : try clone(x, grad: grad)
  }

  /// Shares storage and the version counter; no autograd history.
  static func detach(_ x: Tensor) -> Tensor {
    Tensor(
      storage: x.storage, shape: x.shape, strides: x.strides, offset: x.offset,
      versionCounter: x.versionCounter)
  }

  // MARK: Joining

  static func cat(_ tensors: [Tensor], dim: Int, grad: Bool) throws(AutogradError) -> Tensor {
    guard let first = tensors.first else {
      throw .argument("torch.cat(): expected a non-empty list of Tensors")
    }
    if let i = tensors.firstIndex(where: { $0.rank == 0 }) {
      throw .shape("zero-dimensional tensor (at position \(i)) cannot be concatenated")
    }
    let d = try normalizeDim(dim, rank: first.rank)
    for (i, t) in tensors.enumerated() {
      guard t.rank == first.rank else {
        throw .shape("Tensors must have same number of dimensions: got \(first.rank) and \(t.rank)")
      }
      for k in 0..<t.rank where k != d && t.shape[k] != first.shape[k] {
        throw .shape(
          "Sizes of tensors must match except in dimension \(d). Expected size \(first.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list."
        )
      }
    }
    let dtype = Elementwise.resultType(tensors)
    var shape = first.shape
    shape[d] = tensors.reduce(0) { $0 + $1.shape[d] }
    _ = try checkedCount(shape)
    let out = Tensor(zerosOf: shape, dtype: dtype)
    var position = 0
    var sizes: [Int] = []
    for t in tensors {
      let region = out.makeView(
        shape: t.shape, strides: out.strides, offset: position * out.strides[d])
      Kernels.copy(t, into: region)
      position += t.shape[d]
      sizes.append(t.shape[d])
    }
    let fresh = Tensor(
      storage: out.storage, shape: shape, strides: out.strides, offset: 0,
      versionCounter: out.versionCounter)
    return Recorder.record("CatBackward0", fresh, inputs: tensors, grad: grad) {
      g, ctx throws(AutogradError) in
      var result: [Tensor?] = []
      var start = 0
      for (i, size) in sizes.enumerated() {
        result.append(
          ctx.needs(i)
            ? try slice(g, dim: d, start: start, end: start + size, step: 1, grad: ctx.grad) : nil)
        start += size
      }
      return result
    }
  }

  static func stack(_ tensors: [Tensor], dim: Int, grad: Bool) throws(AutogradError) -> Tensor {
    guard let first = tensors.first else { throw .argument("stack expects a non-empty TensorList") }
    for (i, t) in tensors.enumerated() where t.shape != first.shape {
      throw .shape(
        "stack expects each tensor to be equal size, but got \(shapeText(first.shape)) at entry 0 and \(shapeText(t.shape)) at entry \(i)"
      )
    }
    guard dim >= -(first.rank + 1), dim <= first.rank else {
      throw AutogradError.dimOutOfRange(dim, rank: first.rank + 1)
    }
    let d = dim < 0 ? dim + first.rank + 1 : dim
    let parts = tensors.map { Views.detach($0) }
    var unsqueezed: [Tensor] = []
    for p in parts { unsqueezed.append(try unsqueeze(p, d, grad: false)) }
    let out = try cat(unsqueezed, dim: d, grad: false)
    let count = tensors.count
    return Recorder.record("StackBackward0", out, inputs: tensors, grad: grad) {
      g, ctx throws(AutogradError) in
      var result: [Tensor?] = []
      for i in 0..<count {
        result.append(ctx.needs(i) ? try select(g, dim: d, index: i, grad: ctx.grad) : nil)
      }
      return result
    }
  }
}
