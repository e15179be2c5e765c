extension Kernels {
  enum ScalarOp { case add, mul }

  /// `x op s` for a Python number `s` into a fresh contiguous tensor of x's floating dtype, or nil (writing
  /// nothing) when x is not a dense floating tensor. As PyTorch, a float32 tensor computes in float32 with the
  /// number rounded to float32 first (`x + 0.1` adds `Float(0.1)`).
  static func scalarOp(_ x: Tensor, _ s: Double, _ op: ScalarOp) -> Tensor? {
    guard x.dtype.isFloatingPoint, x.isContiguous else { return nil }
    let out = uninitialized(x.shape, dtype: x.dtype, like: x)
    let n = out.numel
    switch x.dtype {
    case .float32:
      let px = UnsafePointer(x.storage.floats() + x.offset)
      let po = out.storage.floats()
      let f = Float(s)
      switch op {
      case .add: parallelRanges(n) { r in for i in r { po[i] = px[i] + f } }
      case .mul: parallelRanges(n) { r in for i in r { po[i] = px[i] * f } }
      }
    case .float64:
      let px = UnsafePointer(x.storage.doubles() + x.offset)
      let po = out.storage.doubles()
      switch op {
      case .add: parallelRanges(n) { r in for i in r { po[i] = px[i] + s } }
      case .mul: parallelRanges(n) { r in for i in r { po[i] = px[i] * s } }
      }
    case .int64, .bool:
      return nil
    }
    return out
  }

  /// A fresh contiguous tensor of `shape` with every element `value` (rounded to `dtype` once). `strides`, when
  /// given, must be `shape`'s row-major strides (an array already made, shared instead of computed again).
  static func filled(_ shape: [Int], dtype: DType, value: Double, strides: [Int]? = nil) -> Tensor {
    let out: Tensor
    if let strides {
      let storage = Storage.make(dtype: dtype, count: shape.reduce(1, *), zeroed: false)
      out = Tensor(
        storage: storage, shape: shape, strides: strides, offset: 0, versionCounter: storage)
    } else {
      out = uninitialized(shape, dtype: dtype)
    }
    fillContiguous(out, value)
    return out
  }
}
