/// Element types a tensor can hold.
public enum DType: String, Sendable, CaseIterable {
  case float32, float64, int64

  public var isFloatingPoint: Bool { self != .int64 }

  /// Bytes per element.
  public var itemSize: Int { self == .float32 ? 4 : 8 }

  /// PyTorch's legacy type name, used in the version-counter error (`torch.FloatTensor`).
  var legacyTypeName: String {
    switch self {
    case .float32: "torch.FloatTensor"
    case .float64: "torch.DoubleTensor"
    case .int64: "torch.LongTensor"
    }
  }

  /// PyTorch's short scalar name, used in the mm dtype error (`float != double`).
  var cScalarName: String {
    switch self {
    case .float32: "float"
    case .float64: "double"
    case .int64: "long int"
    }
  }

  /// The order PyTorch promotes within a category: int64 < float32 < float64.
  var promotionRank: Int {
    switch self {
    case .int64: 0
    case .float32: 1
    case .float64: 2
    }
  }

  static func promote(_ a: DType, _ b: DType) -> DType {
    a.promotionRank >= b.promotionRank ? a : b
  }
}
