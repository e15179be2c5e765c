import Foundation

/// Reductions: forward, backward formula and grad_fn name side by side.
enum Reductions {
  static func normalizeDims(_ dims: [Int], rank: Int) throws(AutogradError) -> [Int] {
    var seen = Set<Int>()
    var out: [Int] = []
    for d in dims {
      let n = try Views.normalizeDim(d, rank: rank)
      guard seen.insert(n).inserted else {
        throw .shape("dim \(n) appears multiple times in the list of dims")
      }
      out.append(n)
    }
    return out.sorted()
  }

  /// Drops the kept size-1 dims of a reduction result (a view of the fresh result).
  static func dropDims(_ t: Tensor, _ dims: [Int], from shape: [Int]) -> Tensor {
    let set = Set(dims)
    let finalShape = shape.enumerated().filter { !set.contains($0.offset) }.map(\.element)
    return Tensor(
      storage: t.storage, shape: finalShape, strides: contiguousStrides(finalShape), offset: 0,
      versionCounter: t.versionCounter)
  }

  /// Brings a reduced gradient back to `shape`: unsqueeze the dropped dims, then expand.
  static func expandBack(_ g: Tensor, dims: [Int], keepdim: Bool, to shape: [Int], grad: Bool)
    throws(AutogradError)
    -> Tensor
  {
    var current = g
    if !keepdim && !shape.isEmpty {
      for d in dims { current = try Views.unsqueeze(current, d, grad: grad) }
    }
    return try Views.expand(current, shape, grad: grad)
  }

  /// Sums over `dims` keeping them as size 1: PyTorch's cascade order where it is reproduced (contiguous
  /// floating inputs), else the general reduction (float64 accumulation, rounded once).
  static func sumKeeping(_ x: Tensor, dims: Set<Int>) -> Tensor {
    CascadeSum.sum(x, dims: dims)
      // A bool sum counts the True elements (int64), as PyTorch's.
      ?? Kernels.reduce(x, dims: dims, dtype: x.dtype == .bool ? .int64 : x.dtype, initial: 0) {
        $0 += $1
      }
  }

  /// `x.sum()` (`SumBackward0`) or `x.sum(dims, keepdim)` (`SumBackward1`).
  static func sum(_ x: Tensor, dims: [Int]?, keepdim: Bool = false, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    let shape = x.shape
    guard let dims else {
      let all = Set(0..<x.rank)
      let reduced = sumKeeping(x, dims: all)
      let scalarOut = Tensor(
        storage: reduced.storage, shape: [], strides: [], offset: 0,
        versionCounter: reduced.versionCounter)
      return Recorder.record("SumBackward0", scalarOut, inputs: [x], grad: grad) {
        g, ctx throws(AutogradError) in
        [try Views.expand(g, shape, grad: ctx.grad)]
      }
    }
    let normalized = try normalizeDims(dims.isEmpty ? Array(0..<x.rank) : dims, rank: x.rank)
    let reduced = sumKeeping(x, dims: Set(normalized.filter { $0 < x.rank }))
    let out = keepdim ? reduced : dropDims(reduced, normalized, from: reduced.shape)
    return Recorder.record("SumBackward1", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [try expandBack(g, dims: normalized, keepdim: keepdim, to: shape, grad: ctx.grad)]
    }
  }

  static func mean(_ x: Tensor, dims: [Int]?, keepdim: Bool = false, grad: Bool)
    throws(AutogradError) -> Tensor
  {
    guard x.dtype.isFloatingPoint else {
      throw AutogradError(
        .dtypeMismatch,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(x.dtype.scalarTypeName)"
      )
    }
    let shape = x.shape
    // The whole-tensor mean of a dense input: the same cascade sum and division, without the dim bookkeeping
    // and intermediate tensors.
    if dims == nil, x.numel > 0, let total = CascadeSum.total(x) {
      let divisor = Double(x.numel)
      let out = Kernels.filled([], dtype: x.dtype, value: total / divisor)
      // The gradient's strides are the input's when those are row-major: shared, not computed per backward.
      let strides = x.hasContiguousStrides ? x.strides : nil
      return Recorder.record("MeanBackward0", out, only: x, grad: grad) {
        g, ctx throws(AutogradError) in
        if !ctx.grad, g.rank == 0, g.dtype.isFloatingPoint {
          return [
            Kernels.filled(
              shape, dtype: g.dtype, value: g.storage.load(g.offset) / divisor, strides: strides)
          ]
        }
        return [try F.div(Views.expand(g, shape, grad: ctx.grad), Tensor.scalar(divisor), ctx.grad)]
      }
    }
    let normalized = try dims.map { d throws(AutogradError) in
      try normalizeDims(d.isEmpty ? Array(0..<x.rank) : d, rank: x.rank)
    }
    let reduceSet = Set(normalized ?? Array(0..<x.rank)).filter { $0 < x.rank }
    let count = reduceSet.reduce(1) { $0 * x.shape[$1] }
    let divisor = Double(count)
    // PyTorch's CPU mean is the sum in the input's dtype divided by the count (`sum_out(...).div_(n)`).
    let reduced = sumKeeping(x, dims: reduceSet)
    let meanValues = Kernels.map(reduced, dtype: x.dtype) { $0 / divisor }
    if normalized == nil {
      let out = Tensor(
        storage: meanValues.storage, shape: [], strides: [], offset: 0,
        versionCounter: meanValues.versionCounter)
      return Recorder.record("MeanBackward0", out, inputs: [x], grad: grad) {
        g, ctx throws(AutogradError) in
        // One gradient value over the input's shape: a fill, the same value the expand-and-divide computes.
        if !ctx.grad, g.rank == 0, g.dtype.isFloatingPoint {
          return [Kernels.filled(shape, dtype: g.dtype, value: g.storage.load(g.offset) / divisor)]
        }
        return [try F.div(Views.expand(g, shape, grad: ctx.grad), Tensor.scalar(divisor), ctx.grad)]
      }
    }
    let dimsList = normalized ?? []
    let out = keepdim ? meanValues : dropDims(meanValues, dimsList, from: meanValues.shape)
    return Recorder.record("MeanBackward1", out, inputs: [x], grad: grad) {
      g, ctx throws(AutogradError) in
      [
        try F.div(
          expandBack(g, dims: dimsList, keepdim: keepdim, to: shape, grad: ctx.grad),
          Tensor.scalar(divisor), ctx.grad)
      ]
    }
  }

  /// Full `max()`/`min()` (`MaxBackward1`/`MinBackward1`): ties share the gradient evenly.
  static func extremum(_ x: Tensor, greater: Bool, grad: Bool) throws(AutogradError) -> Tensor {
    guard x.numel > 0 else {
      throw .shape(
        "\(greater ? "max" : "min")(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
      )
    }
    let values = Kernels.doubles(x)
    var best = values[0]
    for v in values {
      if best.isNaN { break }
      if v.isNaN || (greater ? v > best : v < best) { best = v }
    }
    let out = Kernels.tensor([best], shape: [], dtype: x.dtype)
    let name = greater ? "MaxBackward1" : "MinBackward1"
    return Recorder.record(name, out, inputs: [x], saving: [x], savingOutput: true, grad: grad) {
      g, ctx throws(AutogradError) in
      let (x, r) = (ctx.saved[0], ctx.saved[1])
      let target = try r.item()
      let mask = try F.constant(x) { $0 == target || ($0.isNaN && target.isNaN) ? 1 : 0 }
      let ties = Kernels.doubles(mask).reduce(0, +)
      let share = try F.div(g, Tensor.scalar(Swift.max(ties, 1)), ctx.grad)
      // zeros.masked_fill_(mask, grad / count): exact zeros off the extremum, whatever the gradient.
      return [try F.gate(Views.expand(share, x.shape, grad: ctx.grad), mask, ctx.grad)]
    }
  }

  /// `max(dim)`/`min(dim)` (`MaxBackward0`): values and int64 indices; the gradient goes to the first extremum.
  static func extremum(
    _ x: Tensor, dim: Int, keepdim: Bool, greater: Bool, grad: Bool, opName: String? = nil
  )
    throws(AutogradError)
    -> (values: Tensor, indices: Tensor)
  {
    let d = try Views.normalizeDim(dim, rank: x.rank)
    if x.rank > 0 && x.shape[d] == 0 {
      throw .shape(
        "\(opName ?? (greater ? "max" : "min"))(): Expected reduction dim \(d) to have non-zero size."
      )
    }
    let source = x.rank == 0 ? Kernels.tensor(Kernels.doubles(x), shape: [1], dtype: x.dtype) : x
    var (values, indices) = Kernels.argReduce(source, dim: x.rank == 0 ? 0 : d, greater: greater)
    if x.rank == 0 {
      values = Kernels.tensor(Kernels.doubles(values), shape: [], dtype: x.dtype)
      indices = Kernels.tensor([0], shape: [], dtype: .int64)
    } else if !keepdim {
      values = dropDims(values, [d], from: values.shape)
      indices = dropDims(indices, [d], from: indices.shape)
    }
    let shape = x.shape
    let keptIndices =
      x.rank == 0 ? indices : (keepdim ? indices : try Views.unsqueeze(indices, d, grad: false))
    let name = greater ? "MaxBackward0" : "MinBackward0"
    let idx = Kernels.doubles(keptIndices)
    // PyTorch saves the indices (freed after a non-retaining backward, version-checked).
    let out = Recorder.record(name, values, inputs: [x], saving: [indices], grad: grad) {
      g, ctx throws(AutogradError) in
      guard !shape.isEmpty else { return [g] }
      // One-hot of the chosen index along `d`, shaped like the input.
      var mask = [Double](repeating: 0, count: shape.reduce(1, *))
      let strides = contiguousStrides(shape)
      var keepShape = shape
      keepShape[d] = 1
      let keepStrides = contiguousStrides(keepShape)
      for (j, position) in idx.enumerated() {
        var rem = j
        var offset = 0
        for k in 0..<shape.count {
          let coordinate = rem / keepStrides[k]
          rem %= keepStrides[k]
          offset += (k == d ? Int(position) : coordinate) * strides[k]
        }
        mask[offset] = 1
      }
      let maskTensor = Kernels.tensor(mask, shape: shape, dtype: g.dtype)
      let expanded = try expandBack(g, dims: [d], keepdim: keepdim, to: shape, grad: ctx.grad)
      // value_selecting_reduction_backward scatters the gradient into zeros.
      return [try F.gate(expanded, maskTensor, ctx.grad)]
    }
    return (out, indices)
  }

  /// `argmax`/`argmin`: int64 indices of the first extremum; over the flattened input when `dim` is nil.
  static func argExtremum(_ x: Tensor, dim: Int?, keepdim: Bool, greater: Bool)
    throws(AutogradError) -> Tensor
  {
    if x.dtype == .bool {
      throw .invalidOp("\(greater ? "argmax" : "argmin")(): does not support bool input")
    }
    guard let dim else {
      guard x.numel > 0 else {
        throw .shape(
          "\(greater ? "argmax" : "argmin")(): Expected reduction dim to be specified for input.numel() == 0."
        )
      }
      let flat = Kernels.tensor(Kernels.doubles(x), shape: [x.numel], dtype: x.dtype)
      let (_, indices) = Kernels.argReduce(flat, dim: 0, greater: greater)
      let shape = keepdim ? [Int](repeating: 1, count: x.rank) : []
      return Kernels.tensor(Kernels.doubles(indices), shape: shape, dtype: .int64)
    }
    return try extremum(
      Views.detach(x), dim: dim, keepdim: keepdim, greater: greater, grad: false,
      opName: greater ? "argmax" : "argmin"
    ).indices
  }

  /// PyTorch's `sum_to`: sums a broadcast gradient back to `shape` (leading dims, then size-1 dims).
  static func sumTo(_ g: Tensor, _ shape: [Int], grad: Bool) throws(AutogradError) -> Tensor {
    if g.shape == shape { return g }
    let lead = g.rank - shape.count
    guard lead >= 0 else { return try Views.reshape(g, shape, grad: grad) }
    var dims = Array(0..<lead)
    for (i, s) in shape.enumerated() where s == 1 && g.shape[i + lead] != 1 {
      dims.append(i + lead)
    }
    var result = g
    if !dims.isEmpty { result = try sum(g, dims: dims, keepdim: true, grad: grad) }
    if result.shape != shape { result = try Views.reshape(result, shape, grad: grad) }
    return result
  }
}

extension Reductions {
  /// `logsumexp(x, dim, keepdim)` (`LogsumexpBackward0`): gradient `g * exp(x - result)`.
  static func logsumexp(_ x: Tensor, dims: [Int], keepdim: Bool, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    // Integral inputs are promoted to the default float dtype, as PyTorch does.
    if !x.dtype.isFloatingPoint {
      return try logsumexp(
        Elementwise.cast(x, to: .float32, grad: false), dims: dims, keepdim: keepdim, grad: grad)
    }
    let normalized = try normalizeDims(dims, rank: x.rank)
    let set = Set(normalized.filter { $0 < x.rank })
    // PyTorch's steps, each in the input's dtype (a float64 pass is more precise but gives other float32
    // results): max (infinite maxima taken as 0), exp of the shifted input, cascade sum, log, plus the max.
    let kept: Tensor
    if x.numel == 0 {
      kept = try Elementwise.unary(
        "log", sumKeeping(Elementwise.unary("exp", x, grad: false), dims: set), grad: false)
    } else {
      let maxima = Kernels.reduce(x, dims: set, dtype: x.dtype, initial: -.infinity) { acc, v in
        if v > acc || v.isNaN { acc = v }
      }
      let shift = Kernels.map(maxima, dtype: x.dtype) { $0.isInfinite ? 0 : $0 }
      let exps = try Elementwise.unary("exp", F.sub(x, shift, false), grad: false)
      kept = try F.add(
        Elementwise.unary("log", sumKeeping(exps, dims: set), grad: false), shift, false)
    }
    let out = keepdim ? kept : dropDims(kept, normalized, from: kept.shape)
    let shape = x.shape
    return Recorder.record(
      "LogsumexpBackward0", out, inputs: [x], saving: [x], savingOutput: true, grad: grad
    ) {
      g, ctx throws(AutogradError) in
      let (x, r) = (ctx.saved[0], ctx.saved[1])
      let rb = try expandBack(r, dims: normalized, keepdim: keepdim, to: shape, grad: ctx.grad)
      let gb = try expandBack(g, dims: normalized, keepdim: keepdim, to: shape, grad: ctx.grad)
      return [
        try F.mul(gb, Elementwise.unary("exp", F.sub(x, rb, ctx.grad), grad: ctx.grad), ctx.grad)
      ]
    }
  }

  /// `amax(x, dim, keepdim)` (`AmaxBackward0`): ties share each slice's gradient evenly.
  static func amax(_ x: Tensor, dims: [Int], keepdim: Bool, greater: Bool, grad: Bool)
    throws(AutogradError)
    -> Tensor
  {
    let opName = greater ? "amax" : "amin"
    if dims.isEmpty && x.numel == 0 {
      throw .shape(
        "\(opName)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
      )
    }
    let normalized = try normalizeDims(dims.isEmpty ? Array(0..<x.rank) : dims, rank: x.rank)
    let set = Set(normalized.filter { $0 < x.rank })
    // amax names the dim as the caller wrote it (max(dim) and argmax name it normalized).
    for d in dims where x.rank > 0 {
      if x.shape[try Views.normalizeDim(d, rank: x.rank)] == 0 {
        throw .shape("\(opName)(): Expected reduction dim \(d) to have non-zero size.")
      }
    }
    let kept = Kernels.reduce(
      x, dims: set, dtype: x.dtype, initial: greater ? -.infinity : .infinity
    ) { acc, v in
      if v.isNaN || (greater ? v > acc : v < acc) { acc = v }
    }
    let out = keepdim ? kept : dropDims(kept, normalized, from: kept.shape)
    let shape = x.shape
    let name = greater ? "AmaxBackward0" : "AminBackward0"
    return Recorder.record(name, out, inputs: [x], saving: [x], savingOutput: true, grad: grad) {
      g, ctx throws(AutogradError) in
      let (x, r) = (ctx.saved[0], ctx.saved[1])
      let rb = try expandBack(r, dims: normalized, keepdim: keepdim, to: shape, grad: false)
      let mask = try F.constant2(x, rb) { v, m in v == m ? 1 : 0 }
      let counts = try sum(mask, dims: normalized, keepdim: true, grad: false)
      let share = try F.div(
        expandBack(g, dims: normalized, keepdim: keepdim, to: shape, grad: ctx.grad), counts,
        ctx.grad)
      return [try F.mul(share, mask, ctx.grad)]
    }
  }
}
