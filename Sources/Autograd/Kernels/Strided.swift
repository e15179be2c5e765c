import Dispatch

/// The engine's raw loops. Everything above this layer works on tensors; only these functions index storage.
enum Kernels {
  /// Calls `body(linearIndex, offsetA, offsetB)` for every index of `shape` in row-major order, where the offsets
  /// follow two stride sets (a stride of 0 broadcasts).
  static func forEach2(
    shape: [Int], stridesA: [Int], offsetA: Int, stridesB: [Int], offsetB: Int,
    _ body: (Int, Int, Int) -> Void
  ) {
    let count = shape.reduce(1, *)
    if count == 0 { return }
    let rank = shape.count
    if rank == 0 {
      body(0, offsetA, offsetB)
      return
    }
    var index = [Int](repeating: 0, count: rank)
    var oa = offsetA
    var ob = offsetB
    let inner = shape[rank - 1]
    let sa = stridesA[rank - 1]
    let sb = stridesB[rank - 1]
    var linear = 0
    while linear < count {
      var a = oa
      var b = ob
      for _ in 0..<inner {
        body(linear, a, b)
        linear += 1
        a += sa
        b += sb
      }
      // Carry into the outer dimensions.
      var d = rank - 2
      while d >= 0 {
        index[d] += 1
        oa += stridesA[d]
        ob += stridesB[d]
        if index[d] < shape[d] { break }
        oa -= stridesA[d] * shape[d]
        ob -= stridesB[d] * shape[d]
        index[d] = 0
        d -= 1
      }
      if d < 0 { break }
    }
  }

  static func forEach(shape: [Int], strides: [Int], offset: Int, _ body: (Int, Int) -> Void) {
    forEach2(shape: shape, stridesA: strides, offsetA: offset, stridesB: strides, offsetB: offset) {
      i, a, _ in
      body(i, a)
    }
  }

  /// Strides of `t` viewed at `shape` by broadcasting (size-1 and missing leading dims get stride 0).
  static func broadcastStrides(_ t: Tensor, to shape: [Int]) -> [Int] {
    var result = [Int](repeating: 0, count: shape.count)
    let lead = shape.count - t.shape.count
    for d in 0..<t.shape.count where t.shape[d] != 1 {
      result[d + lead] = t.strides[d]
    }
    return result
  }

  /// The values of `t` in row-major order.
  static func doubles(_ t: Tensor) -> [Double] {
    let n = t.numel
    let s = t.storage
    if t.isContiguous {
      switch t.dtype {
      case .float32:
        let p = s.floats() + t.offset
        return (0..<n).map { Double(p[$0]) }
      case .float64:
        return Array(UnsafeBufferPointer(start: s.doubles() + t.offset, count: n))
      case .int64, .bool:
        let p = s.int64s() + t.offset
        return (0..<n).map { Double(p[$0]) }
      }
    }
    var out = [Double](repeating: 0, count: n)
    out.withUnsafeMutableBufferPointer { o in
      forEach(shape: t.shape, strides: t.strides, offset: t.offset) { i, off in o[i] = s.load(off) }
    }
    return out
  }

  /// A fresh contiguous tensor holding `values` (converted to `dtype`).
  static func tensor(_ values: [Double], shape: [Int], dtype: DType) -> Tensor {
    let numel = shape.reduce(1, *)
    // Every element is written below only when the values cover the shape.
    let t =
      values.count == numel
      ? uninitialized(shape, dtype: dtype) : Tensor(zerosOf: shape, dtype: dtype)
    let s = t.storage
    switch dtype {
    case .float32:
      let p = s.floats()
      for i in 0..<values.count { p[i] = Float(values[i]) }
    case .float64:
      let p = s.doubles()
      for i in 0..<values.count { p[i] = values[i] }
    case .int64, .bool:
      for i in 0..<values.count { s.store(i, values[i]) }
    }
    return t
  }

  /// Runs `body` over `0..<count`, split into parallel chunks when the work is large enough to pay for it.
  static func parallelRanges(_ count: Int, _ body: (Range<Int>) -> Void) {
    let grain = 1 << 16
    if count < 2 * grain {
      body(0..<count)
      return
    }
    // Chunk starts on multiples of 1024 elements fall on page boundaries of a fresh (page-aligned) output, so two
    // cores never write into the same page or cache line.
    let page = 1024
    let wanted = Swift.min(16, count / grain)
    let per = ((count + wanted - 1) / wanted + page - 1) / page * page
    let chunks = (count + per - 1) / per
    withoutActuallyEscaping(body) { escapable in
      let box = ChunkBody(escapable)
      DispatchQueue.concurrentPerform(iterations: chunks) { c in
        let lo = c * per
        let hi = Swift.min(count, lo + per)
        if lo < hi { box.body(lo..<hi) }
      }
    }
  }

  /// `out[i] = g(src[i])` for a contiguous source of the output's floating dtype.
  private static func mapContiguous(_ src: Tensor, into out: Tensor, _ g: (Double) -> Double) {
    let n = out.numel
    switch out.dtype {
    case .float32:
      let ps = UnsafePointer(src.storage.floats() + src.offset)
      let po = out.storage.floats()
      parallelRanges(n) { r in for i in r { po[i] = Float(g(Double(ps[i]))) } }
    case .float64:
      let ps = UnsafePointer(src.storage.doubles() + src.offset)
      let po = out.storage.doubles()
      parallelRanges(n) { r in for i in r { po[i] = g(ps[i]) } }
    case .int64, .bool:
      let s = src.storage
      let o = out.storage
      for i in 0..<n { o.store(i, g(s.load(src.offset + i))) }
    }
  }

  /// Sets every element of a fresh contiguous `out` to `value` (converted as `Storage.store` does).
  static func fillContiguous(_ out: Tensor, _ value: Double) {
    let n = out.numel
    switch out.dtype {
    case .float32: out.storage.floats().update(repeating: Float(value), count: n)
    case .float64: out.storage.doubles().update(repeating: value, count: n)
    case .int64, .bool: for i in 0..<n { out.storage.store(i, value) }
    }
  }

  /// A fresh contiguous tensor whose contents are undefined: only for results a kernel writes in full.
  /// `like`, a tensor of the same shape with contiguous strides, lends its strides array (no allocation).
  static func uninitialized(_ shape: [Int], dtype: DType, like: Tensor? = nil) -> Tensor {
    let storage = Storage.make(dtype: dtype, count: shape.reduce(1, *), zeroed: false)
    let strides: [Int]
    if let like, like.shape == shape, like.hasContiguousStrides {
      strides = like.strides
    } else {
      strides = contiguousStrides(shape)
    }
    return Tensor(
      storage: storage, shape: shape, strides: strides, offset: 0, versionCounter: storage)
  }

  /// Elementwise unary map into a fresh contiguous tensor.
  static func map(_ a: Tensor, dtype: DType, _ f: (Double) -> Double) -> Tensor {
    let out = uninitialized(a.shape, dtype: dtype, like: a)
    if a.isContiguous && a.dtype == dtype {
      mapContiguous(a, into: out, f)
      return out
    }
    let s = a.storage
    let o = out.storage
    forEach(shape: a.shape, strides: a.strides, offset: a.offset) { i, off in
      o.store(i, f(s.load(off)))
    }
    return out
  }

  /// Elementwise binary map with broadcasting into a fresh contiguous tensor of `shape`. `op`, when given, must
  /// compute exactly what `f` does; it lets dense operands run a typed loop the compiler vectorises instead of a
  /// closure call per element.
  /// `x` as an operand of a computation in `dtype`: PyTorch casts every input to the common dtype before the
  /// op, so a float64 or int64 number meeting a float32 tensor is rounded to float32 first (`x / 0.1` divides by
  /// `Float(0.1)`, `x == 0.1` is true for a float32 0.1). Only float32 loses anything, and only one-element
  /// operands (numbers, 0-d tensors, their expansions) or integer tensors can reach a float32 result.
  static func operand(_ x: Tensor, computedIn dtype: DType) -> Tensor {
    guard dtype == .float32, x.dtype == .float64 || x.dtype == .int64 else { return x }
    if x.readsOneElement {
      return Tensor.scalar(Double(Float(x.storage.load(x.offset))), dtype: .float32)
    }
    return map(x, dtype: .float32) { $0 }
  }

  static func zip(
    _ a: Tensor, _ b: Tensor, shape: [Int], dtype: DType, op: BinaryOp? = nil,
    _ f: (Double, Double) -> Double
  )
    -> Tensor
  {
    let out = uninitialized(shape, dtype: dtype, like: a.shape == shape ? a : b)
    let n = out.numel
    if n == 0 { return out }
    let a = operand(a, computedIn: dtype)
    let b = operand(b, computedIn: dtype)
    let aDense = a.isContiguous && a.shape == shape && a.dtype == dtype && dtype.isFloatingPoint
    let bDense = b.isContiguous && b.shape == shape && b.dtype == dtype && dtype.isFloatingPoint
    // One element, or a broadcast (expand) of one: a number for the loop. Backward formulas meet this often
    // (`mean`'s gradient is an expanded 0-d tensor divided by a count).
    let aOne = a.readsOneElement
    let bOne = b.readsOneElement
    if let op, aDense || bDense,
      zipTyped(op, a, b, aDense: aDense, bDense: bDense, aOne: aOne, bOne: bOne, into: out)
    {
      return out
    }
    if aDense && bOne {
      let scalar = b.storage.load(b.offset)
      mapContiguous(a, into: out) { f($0, scalar) }
      return out
    }
    if bDense && aOne {
      let scalar = a.storage.load(a.offset)
      mapContiguous(b, into: out) { f(scalar, $0) }
      return out
    }
    if aOne && bOne {
      fillContiguous(out, f(a.storage.load(a.offset), b.storage.load(b.offset)))
      return out
    }
    if aDense && bDense {
      switch dtype {
      case .float32:
        let pa = UnsafePointer(a.storage.floats() + a.offset)
        let pb = UnsafePointer(b.storage.floats() + b.offset)
        let po = out.storage.floats()
        parallelRanges(n) { r in for i in r { po[i] = Float(f(Double(pa[i]), Double(pb[i]))) } }
        return out
      case .float64:
        let pa = UnsafePointer(a.storage.doubles() + a.offset)
        let pb = UnsafePointer(b.storage.doubles() + b.offset)
        let po = out.storage.doubles()
        parallelRanges(n) { r in for i in r { po[i] = f(pa[i], pb[i]) } }
        return out
      case .int64, .bool:
        break
      }
    }
    let sa = a.storage
    let sb = b.storage
    let o = out.storage
    forEach2(
      shape: shape, stridesA: broadcastStrides(a, to: shape), offsetA: a.offset,
      stridesB: broadcastStrides(b, to: shape), offsetB: b.offset
    ) { i, oa, ob in o.store(i, f(sa.load(oa), sb.load(ob))) }
    return out
  }

  /// Writes `src` (broadcast to `dst.shape`, converted to `dst.dtype`) into `dst`'s elements in place.
  static func copy(_ src: Tensor, into dst: Tensor) {
    let s = src.storage
    let d = dst.storage
    if s !== d && src.dtype == dst.dtype && src.shape == dst.shape && src.isContiguous
      && dst.isContiguous
    {
      let size = src.dtype.itemSize
      (d.bytes + dst.offset * size).copyMemory(
        from: s.bytes + src.offset * size, byteCount: src.numel * size)
      return
    }
    if src.storage === dst.storage {
      // Overlapping storage: read everything first.
      let values = doubles(src)
      let bs = src.shape == dst.shape
      if bs {
        forEach(shape: dst.shape, strides: dst.strides, offset: dst.offset) { i, off in
          d.store(off, values[i])
        }
        return
      }
      let tmp = tensor(values, shape: src.shape, dtype: src.dtype)
      copy(tmp, into: dst)
      return
    }
    forEach2(
      shape: dst.shape, stridesA: dst.strides, offsetA: dst.offset,
      stridesB: broadcastStrides(src, to: dst.shape), offsetB: src.offset
    ) { _, od, os in d.store(od, s.load(os)) }
  }

  /// Fills `dst`'s elements with one value.
  static func fill(_ dst: Tensor, _ value: Double) {
    let d = dst.storage
    forEach(shape: dst.shape, strides: dst.strides, offset: dst.offset) { _, off in
      d.store(off, value)
    }
  }

  /// Reduces `a` over `dims` (a set of dims of `a`), keeping them as size 1. `combine(acc, x, position)` sees
  /// elements in row-major order; `position` is the element's index along the reduced dims (for argmax).
  static func reduce(
    _ a: Tensor, dims: Set<Int>, dtype: DType, initial: Double,
    _ combine: (inout Double, Double) -> Void
  ) -> Tensor {
    var keepShape = a.shape
    for d in dims { keepShape[d] = 1 }
    let outStrides = contiguousStrides(keepShape)
    var mapped = outStrides
    for d in dims { mapped[d] = 0 }
    let n = keepShape.reduce(1, *)
    var acc = [Double](repeating: initial, count: n)
    let s = a.storage
    if a.isContiguous && dims.count == a.rank && a.dtype.isFloatingPoint {
      var total = initial
      let count = a.numel
      if a.dtype == .float32 {
        let p = s.floats() + a.offset
        for i in 0..<count { combine(&total, Double(p[i])) }
      } else {
        let p = s.doubles() + a.offset
        for i in 0..<count { combine(&total, p[i]) }
      }
      return tensor([total], shape: keepShape, dtype: dtype)
    }
    acc.withUnsafeMutableBufferPointer { buf in
      forEach2(shape: a.shape, stridesA: a.strides, offsetA: a.offset, stridesB: mapped, offsetB: 0)
      {
        _, oa, ob in combine(&buf[ob], s.load(oa))
      }
    }
    return tensor(acc, shape: keepShape, dtype: dtype)
  }

  /// Index (along the single reduced dim) of the first maximum (`greater`) or minimum, PyTorch's tie rule;
  /// NaN wins as in PyTorch.
  static func argReduce(_ a: Tensor, dim: Int, greater: Bool) -> (values: Tensor, indices: Tensor) {
    var keepShape = a.shape
    keepShape[dim] = 1
    var mapped = contiguousStrides(keepShape)
    mapped[dim] = 0
    let n = keepShape.reduce(1, *)
    var best = [Double](repeating: 0, count: n)
    var bestIndex = [Double](repeating: -1, count: n)
    let s = a.storage
    let size = a.shape[dim]
    let dimStride = contiguousStrides(a.shape)[dim]
    forEach2(shape: a.shape, stridesA: a.strides, offsetA: a.offset, stridesB: mapped, offsetB: 0) {
      linear, oa, ob in
      let v = s.load(oa)
      let position = (linear / dimStride) % max(size, 1)
      if bestIndex[ob] < 0 {
        best[ob] = v
        bestIndex[ob] = Double(position)
      } else if !best[ob].isNaN && (v.isNaN || (greater ? v > best[ob] : v < best[ob])) {
        best[ob] = v
        bestIndex[ob] = Double(position)
      }
    }
    return (
      tensor(best, shape: keepShape, dtype: a.dtype),
      tensor(bestIndex, shape: keepShape, dtype: .int64)
    )
  }

  /// 2-D matrix product through the tuned GEMM; inputs of one floating dtype, any strides.
  static func matmul2D(_ a: Tensor, _ b: Tensor) -> Tensor {
    let m = a.shape[0]
    let k = a.shape[1]
    let n = b.shape[1]
    // With k == 0 the product is all zeros and GEMM writes nothing.
    let out =
      k == 0 ? Tensor(zerosOf: [m, n], dtype: a.dtype) : uninitialized([m, n], dtype: a.dtype)
    if m == 0 || n == 0 || k == 0 { return out }
    let (ac, transA, lda) = gemmOperand(a, rows: m, columns: k)
    let (bc, transB, ldb) = gemmOperand(b, rows: k, columns: n)
    switch a.dtype {
    case .float32:
      GEMM.multiply(
        transA: transA, transB: transB, m: m, n: n, k: k, a: ac.storage.floats() + ac.offset,
        lda: lda, b: bc.storage.floats() + bc.offset, ldb: ldb, c: out.storage.floats(), ldc: n,
        accumulate: false)
    case .float64:
      GEMM.multiply(
        transA: transA, transB: transB, m: m, n: n, k: k, a: ac.storage.doubles() + ac.offset,
        lda: lda, b: bc.storage.doubles() + bc.offset, ldb: ldb, c: out.storage.doubles(), ldc: n,
        accumulate: false)
    case .int64, .bool:
      let va = doubles(a)
      let vb = doubles(b)
      var vc = [Double](repeating: 0, count: m * n)
      for i in 0..<m {
        for p in 0..<k { for j in 0..<n { vc[i * n + j] += va[i * k + p] * vb[p * n + j] } }
      }
      return tensor(vc, shape: [m, n], dtype: .int64)
    }
    return out
  }

  /// How GEMM reads a `rows` x `columns` matrix operand without copying it: row-major with a leading
  /// dimension (a contiguous matrix, or rows sliced out of a wider one), or column-major (a transposed view, as
  /// `t()` and every mm backward produce). Anything else is copied first. GEMM packs every layout into the same
  /// panels, so the product has the same bits either way.
  private static func gemmOperand(_ t: Tensor, rows: Int, columns: Int) -> (
    Tensor, transposed: Bool, leading: Int
  ) {
    if t.isContiguous { return (t, false, columns) }
    let (s0, s1) = (t.strides[0], t.strides[1])
    if s1 == 1 && rows > 1 && s0 >= columns { return (t, false, s0) }
    if s0 == 1 && columns > 1 && s1 >= rows { return (t, true, s1) }
    return (contiguousCopy(t), false, columns)
  }

  static func contiguousCopy(_ a: Tensor) -> Tensor {
    let out = uninitialized(a.shape, dtype: a.dtype, like: a)
    copy(a, into: out)
    return out
  }
}

extension Kernels {
  /// Writes row-major `values` into `dst` (any strides).
  static func write(_ values: [Double], into dst: Tensor) {
    let d = dst.storage
    forEach(shape: dst.shape, strides: dst.strides, offset: dst.offset) { i, off in
      d.store(off, values[i])
    }
  }
}

/// Carries a chunk body into `concurrentPerform`. Safe because every chunk writes a disjoint range of a fresh
/// output and only reads inputs nobody mutates meanwhile, and the body does not outlive `concurrentPerform`.
private final class ChunkBody: @unchecked Sendable {
  let body: (Range<Int>) -> Void
  init(_ body: @escaping (Range<Int>) -> Void) { self.body = body }
}

/// The binary ops `Kernels.zip` can run as typed loops, chosen once per call rather than per element.
enum BinaryOp: Sendable {
  /// `a + b`
  case add
  /// `a - b`
  case sub
  /// `a * b`
  case mul
  /// `a / b`
  case div
}

/// One binary op as a type, so each dense loop is specialised for its op and the compiler vectorises it.
private protocol BinaryKernel {
  static func apply(_ a: Double, _ b: Double) -> Double
}

private enum AddKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a + b }
}

private enum SubKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a - b }
}

private enum MulKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a * b }
}

private enum DivKernel: BinaryKernel {
  @inline(__always) static func apply(_ a: Double, _ b: Double) -> Double { a / b }
}

extension Kernels {
  /// Runs `op` over `a` and `b` into `out` when at least one operand is dense in the output's floating dtype and
  /// the other is dense too or a single element; returns false (writing nothing) otherwise.
  fileprivate static func zipTyped(
    _ op: BinaryOp, _ a: Tensor, _ b: Tensor, aDense: Bool, bDense: Bool, aOne: Bool, bOne: Bool,
    into out: Tensor
  ) -> Bool {
    switch op {
    case .add:
      zipTyped(
        AddKernel.self, a, b, aDense: aDense, bDense: bDense, aOne: aOne, bOne: bOne, into: out)
    case .sub:
      zipTyped(
        SubKernel.self, a, b, aDense: aDense, bDense: bDense, aOne: aOne, bOne: bOne, into: out)
    case .mul:
      zipTyped(
        MulKernel.self, a, b, aDense: aDense, bDense: bDense, aOne: aOne, bOne: bOne, into: out)
    case .div:
      zipTyped(
        DivKernel.self, a, b, aDense: aDense, bDense: bDense, aOne: aOne, bOne: bOne, into: out)
    }
  }

  // float32 elements go through Double and back, exactly as the closure path computes them, so both paths give
  // the same bits; the conversions vectorise and the loop stays memory-bound.
  private static func zipTyped<K: BinaryKernel>(
    _: K.Type, _ a: Tensor, _ b: Tensor, aDense: Bool, bDense: Bool, aOne: Bool, bOne: Bool,
    into out: Tensor
  ) -> Bool {
    let n = out.numel
    switch out.dtype {
    case .float32:
      let po = out.storage.floats()
      if aDense && bDense {
        let pa = UnsafePointer(a.storage.floats() + a.offset)
        let pb = UnsafePointer(b.storage.floats() + b.offset)
        parallelRanges(n) { r in
          for i in r { po[i] = Float(K.apply(Double(pa[i]), Double(pb[i]))) }
        }
      } else if aDense && bOne {
        let pa = UnsafePointer(a.storage.floats() + a.offset)
        let s = b.storage.load(b.offset)
        parallelRanges(n) { r in for i in r { po[i] = Float(K.apply(Double(pa[i]), s)) } }
      } else if bDense && aOne {
        let pb = UnsafePointer(b.storage.floats() + b.offset)
        let s = a.storage.load(a.offset)
        parallelRanges(n) { r in for i in r { po[i] = Float(K.apply(s, Double(pb[i]))) } }
      } else {
        return false
      }
    case .float64:
      let po = out.storage.doubles()
      if aDense && bDense {
        let pa = UnsafePointer(a.storage.doubles() + a.offset)
        let pb = UnsafePointer(b.storage.doubles() + b.offset)
        parallelRanges(n) { r in for i in r { po[i] = K.apply(pa[i], pb[i]) } }
      } else if aDense && bOne {
        let pa = UnsafePointer(a.storage.doubles() + a.offset)
        let s = b.storage.load(b.offset)
        parallelRanges(n) { r in for i in r { po[i] = K.apply(pa[i], s) } }
      } else if bDense && aOne {
        let pb = UnsafePointer(b.storage.doubles() + b.offset)
        let s = a.storage.load(a.offset)
        parallelRanges(n) { r in for i in r { po[i] = K.apply(s, pb[i]) } }
      } else {
        return false
      }
    case .int64, .bool:
      return false
    }
    return true
  }
}

extension Kernels {
  /// `dst += src` elementwise for two dense tensors of one floating dtype and shape in separate storages, with
  /// the same arithmetic as `zip(.add)` (float32 through Double); returns false (writing nothing) otherwise.
  static func addInPlace(_ dst: Tensor, _ src: Tensor) -> Bool {
    guard dst.dtype == src.dtype, dst.dtype.isFloatingPoint, dst.shape == src.shape,
      dst.storage !== src.storage, dst.isContiguous, src.isContiguous
    else { return false }
    let n = dst.numel
    switch dst.dtype {
    case .float32:
      let pd = dst.storage.floats() + dst.offset
      let ps = UnsafePointer(src.storage.floats() + src.offset)
      parallelRanges(n) { r in for i in r { pd[i] = Float(Double(pd[i]) + Double(ps[i])) } }
    case .float64:
      let pd = dst.storage.doubles() + dst.offset
      let ps = UnsafePointer(src.storage.doubles() + src.offset)
      parallelRanges(n) { r in for i in r { pd[i] = pd[i] + ps[i] } }
    case .int64, .bool:
      return false
    }
    return true
  }
}
