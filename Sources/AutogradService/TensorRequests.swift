import Autograd
import TensorJSON

/// Reading tensors, names and dtypes out of request JSON.
enum TensorRequests {
  /// A client-chosen name: `[A-Za-z_][A-Za-z0-9_]{0,63}`, and not beginning with `_` (those are the server's).
  static func userName(_ value: JSONValue?) throws(ServiceError) -> String? {
    guard let value, !value.isNull else { return nil }
    guard let name = value.stringValue, isValidName(name) else {
      throw .invalidArgument("name must match [A-Za-z_][A-Za-z0-9_]{0,63}")
    }
    guard name.utf8.first != UInt8(ascii: "_") else {
      throw .invalidArgument("names beginning with '_' are the server's")
    }
    return name
  }

  static func isValidName(_ name: some StringProtocol) -> Bool {
    let utf8 = name.utf8
    guard let first = utf8.first, utf8.count <= 64, isIdentifierStart(first) else { return false }
    return utf8.allSatisfy {
      isIdentifierStart($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
    }
  }

  private static func isIdentifierStart(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || byte == UInt8(ascii: "_")
  }

  /// `float32` (the default), `float64`, `int64`, also spelled as PyTorch does (`torch.float64`, `double`, `long`).
  static func dtype(_ value: JSONValue?, default defaultType: DType = .float32) throws(ServiceError)
    -> DType
  {
    guard let value, !value.isNull else { return defaultType }
    guard var text = value.stringValue else { throw .invalidArgument("dtype must be a string") }
    if text.hasPrefix("torch.") { text.removeFirst(6) }
    switch text {
    case "float32", "float": return .float32
    case "float64", "double": return .float64
    case "int64", "long": return .int64
    default: throw .invalidArgument("unknown dtype '\(text)' (use float32, float64 or int64)")
    }
  }

  /// The tensor a `data` value (nested, or flat with `shape`) describes.
  static func literal(
    _ data: JSONValue, shape: JSONValue?, dtype: DType, requiresGrad: Bool = false, field: String,
    limits: SessionLimits
  ) throws(ServiceError) -> Tensor {
    if dtype == .float32 {
      // Straight to float32: no flat [Double] of the whole tensor in between (a 1,000,000-element upload).
      let literal: Float32TensorLiteral
      do {
        literal = try float32TensorLiteral(data: data, shape: shape)
      } catch {
        throw ServiceError(error, field: field)
      }
      try checkElements(literal.values.count, limits: limits)
      return try engine { () throws(AutogradError) in
        try literal.values.withUnsafeBufferPointer { floats throws(AutogradError) in
          try Tensor(shape: literal.shape, floats: floats, requiresGrad: requiresGrad)
        }
      }
    }
    let literal: TensorLiteral
    do {
      literal = try tensorLiteral(data: data, shape: shape)
    } catch {
      throw ServiceError(error, field: field)
    }
    try checkElements(literal.values.count, limits: limits)
    return try engine { () throws(AutogradError) in
      try Tensor(
        shape: literal.shape, doubles: literal.values, dtype: dtype, requiresGrad: requiresGrad)
    }
  }

  static func checkElements(_ count: Int, limits: SessionLimits) throws(ServiceError) {
    guard count <= limits.maxElements else {
      throw .limitExceeded(
        "a tensor may have at most \(limits.maxElements) elements (max-tensor-elements); this one has \(count)"
      )
    }
  }

  static func shape(_ value: JSONValue?, limits: SessionLimits) throws(ServiceError) -> [Int] {
    guard let value, !value.isNull else { throw .invalidArgument("shape is required") }
    let shape: [Int]
    if let single = value.intValue, single >= 0 {
      shape = [single]
    } else {
      do {
        shape = try tensorShape(value)
      } catch {
        throw ServiceError(error, field: "shape")
      }
    }
    var count = 1
    for extent in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      guard !overflow else { throw .limitExceeded("shape has too many elements") }
      count = product
    }
    try checkElements(count, limits: limits)
    return shape
  }

  static let requiresGradRefusal = ServiceError(
    .unprocessableContent, "dtype_mismatch",
    "Only Tensors of floating point and complex dtype can require gradients")
}
