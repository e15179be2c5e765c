/// Element types a tensor can hold.
public enum DType: String, Sendable, CaseIterable {
  case float32, float64, int64
  /// Stored as int64 0/1 so every integer kernel serves it; stores clamp any nonzero value to 1.
  case bool

  public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

  /// Bytes per element.
  public var itemSize: Int { self == .float32 ? 4 : 8 }

  /// PyTorch's legacy type name, used in the version-counter error (`torch.FloatTensor`).
  var legacyTypeName: String {
    switch self {
    case .float32: "torch.FloatTensor"
    case .float64: "torch.DoubleTensor"
    case .int64: "torch.LongTensor"
    case .bool: "torch.BoolTensor"
    }
  }

  /// PyTorch's short scalar name, used in the mm dtype error (`float != double`).
  var cScalarName: String {
    switch self {
    case .float32: "float"
    case .float64: "double"
    case .int64: "long int"
    case .bool: "bool"
    }
  }

  /// PyTorch's ScalarType name in kernel errors (`"abs_cpu" not implemented for 'Long'`).
  var scalarTypeName: String {
    switch self {
    case .float32: "Float"
    case .float64: "Double"
    case .int64: "Long"
    case .bool: "Bool"
    }
  }

  /// The order PyTorch promotes: bool < int64 < float32 < float64.
  var promotionRank: Int {
    switch self {
    case .bool: -1
    case .int64: 0
    case .float32: 1
    case .float64: 2
    }
  }

  /// PyTorch's promotion categories: bool 0, integral 1, floating 2.
  var category: Int {
    switch self {
    case .bool: 0
    case .int64: 1
    case .float32, .float64: 2
    }
  }

  /// PyTorch's checked_convert of a number written into this dtype (`fill_`, `full`, `x[i] = v`): a value
  /// outside the dtype's range, or NaN for int64, is refused; infinities pass into floating dtypes.
  func checkFits(_ value: Double) throws(AutogradError) {
    let fits: Bool
    switch self {
    case .bool, .float64: fits = true
    case .float32: fits = !value.isFinite || abs(value) <= Double(Float.greatestFiniteMagnitude)
    // int64's limits as doubles (±2^63), which is what PyTorch compares with.
    case .int64: fits = value >= -0x1p63 && value <= 0x1p63
    }
    guard fits else {
      let cType = self == .int64 ? "int64_t" : cScalarName
      throw .invalidOp("value cannot be converted to type \(cType) without overflow")
    }
  }

  static func promote(_ a: DType, _ b: DType) -> DType {
    a.promotionRank >= b.promotionRank ? a : b
  }
}
