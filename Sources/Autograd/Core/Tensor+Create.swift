import Foundation

/// Creating tensors and reading their values.
extension Tensor {
  /// A leaf tensor from row-major values. Refuses `requiresGrad` on int64 with PyTorch's message.
  public convenience init(
    shape: [Int], doubles: [Double], dtype: DType = .float32, requiresGrad: Bool = false
  )
    throws(AutogradError)
  {
    let count = try checkedCount(shape)
    guard count == doubles.count else {
      throw .argument(
        "expected \(count) values for shape \(shapeText(shape)), got \(doubles.count)")
    }
    if requiresGrad && !dtype.isFloatingPoint { throw AutogradError.floatingRequiresGrad }
    self.init(zerosOf: shape, dtype: dtype)
    Kernels.write(doubles, into: self)
    requiresGradStorage = requiresGrad
  }

  /// A leaf float32 tensor copied straight from a buffer (no Double round trip), for large JSON bodies.
  public convenience init(
    shape: [Int], floats: UnsafeBufferPointer<Float>, requiresGrad: Bool = false
  )
    throws(AutogradError)
  {
    let count = try checkedCount(shape)
    guard count == floats.count else {
      throw .argument("expected \(count) values for shape \(shapeText(shape)), got \(floats.count)")
    }
    // Written once, straight from the buffer: no zero fill of pages about to be overwritten.
    let storage = Storage.make(dtype: .float32, count: count, zeroed: false)
    if count > 0 {
      if let base = floats.baseAddress {
        storage.floats().update(from: base, count: count)
      }
    }
    self.init(
      storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0,
      versionCounter: storage)
    requiresGradStorage = requiresGrad
  }

  /// A leaf float64 tensor copied straight from a buffer.
  public convenience init(
    shape: [Int], doubles: UnsafeBufferPointer<Double>, requiresGrad: Bool = false
  )
    throws(AutogradError)
  {
    let count = try checkedCount(shape)
    guard count == doubles.count else {
      throw .argument(
        "expected \(count) values for shape \(shapeText(shape)), got \(doubles.count)")
    }
    let storage = Storage.make(dtype: .float64, count: count, zeroed: false)
    if count > 0 {
      if let base = doubles.baseAddress {
        storage.doubles().update(from: base, count: count)
      }
    }
    self.init(
      storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0,
      versionCounter: storage)
    requiresGradStorage = requiresGrad
  }

  /// A 0-d tensor holding a Python number, marked as a wrapped number for type promotion.
  public static func scalar(_ value: Double, dtype: DType = .float64) -> Tensor {
    // Stored directly: every Python number in every op comes through here.
    let t = Tensor(zerosOf: [], dtype: dtype)
    t.storage.store(0, value)
    t.isWrappedNumber = true
    return t
  }

  public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false)
    throws(AutogradError) -> Tensor
  {
    try full(shape, value: 0, dtype: dtype, requiresGrad: requiresGrad)
  }

  public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false)
    throws(AutogradError) -> Tensor
  {
    try full(shape, value: 1, dtype: dtype, requiresGrad: requiresGrad)
  }

  public static func full(
    _ shape: [Int], value: Double, dtype: DType = .float32, requiresGrad: Bool = false
  )
    throws(AutogradError) -> Tensor
  {
    _ = try checkedCount(shape)
    if requiresGrad && !dtype.isFloatingPoint { throw AutogradError.floatingRequiresGrad }
    try dtype.checkFits(value)
    let t = Tensor(zerosOf: shape, dtype: dtype)
    if value != 0 { Kernels.fill(t, value) }
    t.requiresGradStorage = requiresGrad
    return t
  }

  /// `torch.rand(shape, generator=torch.Generator().manual_seed(seed))`: PyTorch's values, bit for bit.
  public static func rand(
    _ shape: [Int], seed: UInt64, dtype: DType = .float32, requiresGrad: Bool = false
  )
    throws(AutogradError) -> Tensor
  {
    var generator = RandomGenerator(seed: seed)
    return try rand(shape, generator: &generator, dtype: dtype, requiresGrad: requiresGrad)
  }

  /// `torch.randn(shape, generator=torch.Generator().manual_seed(seed))`: PyTorch's values, bit for bit.
  public static func randn(
    _ shape: [Int], seed: UInt64, dtype: DType = .float32, requiresGrad: Bool = false
  )
    throws(AutogradError) -> Tensor
  {
    var generator = RandomGenerator(seed: seed)
    return try randn(shape, generator: &generator, dtype: dtype, requiresGrad: requiresGrad)
  }

  /// `torch.rand(shape, generator=generator)`: uniform [0, 1), continuing `generator`'s stream.
  public static func rand(
    _ shape: [Int], generator: inout RandomGenerator, dtype: DType = .float32,
    requiresGrad: Bool = false
  )
    throws(AutogradError) -> Tensor
  {
    let t = try randomLeaf(
      shape, dtype: dtype, requiresGrad: requiresGrad, kernel: "check_uniform_bounds")
    switch dtype {
    case .float64:
      generator.fillUniform(UnsafeMutableBufferPointer(start: t.storage.doubles(), count: t.numel))
    default:
      generator.fillUniform(UnsafeMutableBufferPointer(start: t.storage.floats(), count: t.numel))
    }
    return t
  }

  /// `torch.randn(shape, generator=generator)`: standard normal, continuing `generator`'s stream.
  public static func randn(
    _ shape: [Int], generator: inout RandomGenerator, dtype: DType = .float32,
    requiresGrad: Bool = false
  )
    throws(AutogradError) -> Tensor
  {
    let t = try randomLeaf(
      shape, dtype: dtype, requiresGrad: requiresGrad, kernel: "normal_kernel_cpu")
    switch dtype {
    case .float64:
      generator.fillNormal(UnsafeMutableBufferPointer(start: t.storage.doubles(), count: t.numel))
    default:
      generator.fillNormal(UnsafeMutableBufferPointer(start: t.storage.floats(), count: t.numel))
    }
    return t
  }

  /// A fresh leaf for a random factory, every check done before the generator draws (as in PyTorch, a refused
  /// call leaves the stream where it was).
  private static func randomLeaf(
    _ shape: [Int], dtype: DType, requiresGrad: Bool, kernel: String
  ) throws(AutogradError) -> Tensor {
    if let negative = shape.first(where: { $0 < 0 }) {
      throw .argument(
        "Trying to create tensor with negative dimension \(negative): \(shapeText(shape))")
    }
    _ = try checkedCount(shape)
    guard dtype.isFloatingPoint else {
      throw .invalidOp("\"\(kernel)\" not implemented for '\(dtype.scalarTypeName)'")
    }
    let t = Tensor(zerosOf: shape, dtype: dtype)
    t.requiresGradStorage = requiresGrad
    return t
  }

  /// `torch.arange(start, end, step)`; `dtype` nil infers int64 from integral arguments, else float32.
  public static func arange(
    start: Double = 0, end: Double, step: Double = 1, dtype: DType? = nil,
    requiresGrad: Bool = false
  ) throws(AutogradError) -> Tensor {
    guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
      throw .argument("step must be nonzero")
    }
    guard (step > 0 && end >= start) || (step < 0 && end <= start) else {
      throw .argument("upper bound and larger bound inconsistent with step sign")
    }
    let countDouble = ((end - start) / step).rounded(.up)
    guard countDouble <= 100_000_000 else { throw .argument("arange: too many elements") }
    let count = Int(countDouble)
    let integral = start.rounded() == start && end.rounded() == end && step.rounded() == step
    let type = dtype ?? (integral ? .int64 : .float32)
    // For int64 PyTorch truncates start and step to integers (the count still comes from the real values).
    let (first, delta) =
      type == .int64 ? (start.rounded(.towardZero), step.rounded(.towardZero)) : (start, step)
    let values = (0..<count).map { first + Double($0) * delta }
    return try Tensor(shape: [count], doubles: values, dtype: type, requiresGrad: requiresGrad)
  }

  // MARK: Values out

  /// The values in row-major order, as Double.
  public func contiguousDoubles() -> [Double] { Kernels.doubles(self) }

  /// Calls `body` with the row-major float32 values without copying when the tensor is contiguous.
  public func withContiguousBuffer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows
    -> R?
  {
    guard dtype == .float32 else { return nil }
    let source = isContiguous ? self : Kernels.contiguousCopy(self)
    return try body(
      UnsafeBufferPointer(start: source.storage.floats() + source.offset, count: numel))
  }

  /// Calls `body` with the row-major float64 values without copying when the tensor is contiguous.
  public func withContiguousBuffer<R>(_ body: (UnsafeBufferPointer<Double>) throws -> R) rethrows
    -> R?
  {
    guard dtype == .float64 else { return nil }
    let source = isContiguous ? self : Kernels.contiguousCopy(self)
    return try body(
      UnsafeBufferPointer(start: source.storage.doubles() + source.offset, count: numel))
  }

  /// The single value of a one-element tensor (`.item()`).
  public func item() throws(AutogradError) -> Double {
    guard numel == 1 else {
      throw .argument("a Tensor with \(numel) elements cannot be converted to Scalar")
    }
    return storage.load(offset)
  }

  /// Bytes of storage this tensor keeps alive (its own allocation, shared with views).
  public var storageByteCount: Int { storage.byteCount }
}

/// The most elements one tensor may have (1 GiB of float32): bigger requests fail instead of exhausting memory.
let maxElements = 1 << 28

/// An integer from a stored value, nil when it is not one (NaN, infinite, out of Int's range).
func exactInt(_ value: Double) -> Int? {
  guard value.isFinite, value.rounded(.towardZero) == value, abs(value) < 9.2e18 else { return nil }
  return Int(value)
}

/// Element count of a shape, refusing negative sizes and overflow.
func checkedCount(_ shape: [Int]) throws(AutogradError) -> Int {
  var count = 1
  for s in shape {
    guard s >= 0 else { throw .argument("negative dimension \(s)") }
    let (r, o) = count.multipliedReportingOverflow(by: s)
    guard !o, r <= maxElements else {
      throw .argument(
        "a tensor of shape \(shapeText(shape)) exceeds the engine's limit of \(maxElements) elements"
      )
    }
    count = r
  }
  return count
}
