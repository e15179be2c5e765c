/// A parsed JSON document. Objects keep their key order; arrays made only of numbers are stored packed.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  /// `isInteger` says the literal had neither fraction nor exponent (`2`, not `2.0` or `2e0`), which is how
  /// Python tells an int argument from a float one.
  case number(Double, isInteger: Bool)
  case string(String)
  /// A non-empty array whose elements are all numbers, without an enum per element. `allIntegers` is true when
  /// every literal was an integer literal.
  case numbers([Double], allIntegers: Bool)
  /// A rectangular nested list of numbers (or a flat one) read straight to float32: each element is its literal's
  /// nearest Double rounded to float32. Only made when the caller asks `parse` for it (`float32Member`).
  case float32Tensor(Float32TensorLiteral)
  /// Any other array, including `[]`.
  case array([JSONValue])
  case object(JSONObject)

  /// The elements of either array form (`.numbers` expanded), or nil when this is not an array.
  public var arrayElements: [JSONValue]? {
    switch self {
    case .array(let elements): elements
    case .numbers(let values, let allIntegers): values.map { .number($0, isInteger: allIntegers) }
    case .float32Tensor(let tensor): tensor.nestedElements()
    default: nil
    }
  }

  /// The value of an integer literal that fits in an Int (`2` but not `2.0`, `2e0` or `1e30`).
  public var intValue: Int? {
    guard case .number(let d, isInteger: true) = self else { return nil }
    return Int(exactly: d)
  }

  /// Any number literal's value.
  public var doubleValue: Double? {
    guard case .number(let d, _) = self else { return nil }
    return d
  }

  public var stringValue: String? {
    guard case .string(let s) = self else { return nil }
    return s
  }

  public var boolValue: Bool? {
    guard case .bool(let b) = self else { return nil }
    return b
  }

  public var objectValue: JSONObject? {
    guard case .object(let o) = self else { return nil }
    return o
  }

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// A member of an object, or nil (also when this is not an object).
  public subscript(key: String) -> JSONValue? {
    objectValue?[key]
  }

  /// A short name of the kind of value, for error messages ("a number", "a list", ...), in Python's vocabulary.
  public var kindDescription: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .numbers, .array, .float32Tensor: "a list"
    case .object: "an object"
    }
  }
}

/// A JSON object: members in document order, keys unique.
public struct JSONObject: Sendable, Equatable {
  /// One array of pairs rather than one of keys and one of values: a parsed request object is one allocation.
  private var storage: [Member]

  public struct Member: Sendable, Equatable {
    public var key: String
    public var value: JSONValue
  }

  public init() {
    storage = []
  }

  /// Room for `capacity` members without regrowing (request objects have a handful).
  init(capacity: Int) {
    storage = []
    storage.reserveCapacity(capacity)
  }

  /// Builds an object from members; nil when a key repeats.
  public init?(_ members: [(String, JSONValue)]) {
    self.init()
    for (k, v) in members {
      if self[k] != nil { return nil }
      storage.append(Member(key: k, value: v))
    }
  }

  /// Appends a member without checking for a duplicate (the parser checks).
  mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
    storage.append(Member(key: key, value: value))
  }

  public var count: Int { storage.count }

  public var keys: [String] { storage.map(\.key) }

  public var values: [JSONValue] { storage.map(\.value) }

  public var members: LazyMapSequence<[Member], (String, JSONValue)> {
    storage.lazy.map { ($0.key, $0.value) }
  }

  /// Whether some member has this key.
  public func hasKey(_ key: String) -> Bool {
    storage.contains { $0.key == key }
  }

  /// The first key, in document order, for which `refused` is true; nil when there is none.
  public func firstKey(where refused: (String) -> Bool) -> String? {
    storage.first { refused($0.key) }?.key
  }

  /// Linear search: request objects have a handful of keys.
  public subscript(key: String) -> JSONValue? {
    for member in storage where member.key == key { return member.value }
    return nil
  }
}
