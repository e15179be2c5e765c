/// A tensor's shape and row-major values as read from JSON. Values are Doubles; the engine casts them to the
/// tensor's dtype, as PyTorch casts Python floats.
public struct TensorLiteral: Sendable, Equatable {
  public var shape: [Int]
  public var values: [Double]
  /// Every element was an integer literal (`1`, not `1.0`); PyTorch would infer int64 from such a list. True for
  /// an empty tensor.
  public var allIntegers: Bool

  public init(shape: [Int], values: [Double], allIntegers: Bool = false) {
    self.shape = shape
    self.values = values
    self.allIntegers = allIntegers
  }
}

/// A float32 tensor read from JSON: each value is `Float(Double(literal))`, exactly what converting a
/// `TensorLiteral`'s values would give (and what `torch.tensor(json_list, dtype=torch.float32)` gives), without the
/// flat `[Double]` in between.
public struct Float32TensorLiteral: Sendable, Equatable {
  public var shape: [Int]
  public var values: [Float]

  public init(shape: [Int], values: [Float]) {
    self.shape = shape
    self.values = values
  }
}

extension Float32TensorLiteral {
  /// The values as nested `JSONValue` lists (innermost lists packed), for callers that walk arrays generically.
  func nestedElements() -> [JSONValue] {
    guard let outer = shape.first else { return [] }
    if shape.count == 1 {
      return values.map { .number(Double($0), isInteger: false) }
    }
    let inner = Array(shape.dropFirst())
    let stride = inner.reduce(1, *)
    return (0..<outer).map { k in
      let slice = Array(values[(k * stride)..<((k + 1) * stride)])
      let element = Float32TensorLiteral(shape: inner, values: slice)
      if inner.count == 1 {
        return .numbers(slice.map { Double($0) }, allIntegers: false)
      }
      return .array(element.nestedElements())
    }
  }
}

/// Why a JSON value is not a tensor: `ragged nested list at index [1]: expected length 2, got 3`.
public struct TensorLiteralError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }
}

/// Reads a tensor from nested arrays (like `tensor.tolist()`: a bare number is a 0-d tensor, `[]` has shape [0],
/// `[[],[]]` shape [2, 0]), or from an object `{"shape": [...], "data": [...]}` with flat data. Elements are numbers
/// or the strings "NaN", "Infinity", "-Infinity".
public func tensorLiteral(_ value: JSONValue) throws(TensorLiteralError) -> TensorLiteral {
  if case .object(let object) = value {
    guard let data = object["data"], let shape = object["shape"] else {
      throw TensorLiteralError("expected a nested list or an object with \"shape\" and \"data\"")
    }
    return try tensorLiteral(data: data, shape: shape)
  }
  return try tensorLiteral(data: value, shape: nil)
}

/// Reads a tensor from `data`, nested; or, when `shape` is given (and not null), from flat `data` whose length must
/// be the product of `shape`.
public func tensorLiteral(data: JSONValue, shape: JSONValue?) throws(TensorLiteralError)
  -> TensorLiteral
{
  if let shape, !shape.isNull {
    return try flatTensorLiteral(data: data, shape: try tensorShape(shape))
  }
  return try nestedTensorLiteral(data)
}

/// As `tensorLiteral(data:shape:)`, with the same errors, for a float32 tensor.
public func float32TensorLiteral(data: JSONValue, shape: JSONValue?) throws(TensorLiteralError)
  -> Float32TensorLiteral
{
  let read: ([Int], Float32Values)
  if let shape, !shape.isNull {
    read = try flatValues(data: data, shape: try tensorShape(shape))
  } else {
    read = try nestedValues(data)
  }
  return Float32TensorLiteral(shape: read.0, values: read.1.values)
}

/// A shape: a list of non-negative integers whose product fits in an Int.
public func tensorShape(_ value: JSONValue) throws(TensorLiteralError) -> [Int] {
  guard let elements = value.arrayElements else {
    throw TensorLiteralError(
      "shape must be a list of non-negative integers, got \(value.kindDescription)")
  }
  var shape: [Int] = []
  var count = 1
  for element in elements {
    guard let extent = element.intValue, extent >= 0 else {
      throw TensorLiteralError("shape must be a list of non-negative integers")
    }
    let (product, overflow) = count.multipliedReportingOverflow(by: extent)
    guard !overflow else {
      throw TensorLiteralError("shape \(render(shape + [extent])) has too many elements")
    }
    count = product
    shape.append(extent)
  }
  return shape
}

private func flatTensorLiteral(data: JSONValue, shape: [Int]) throws(TensorLiteralError)
  -> TensorLiteral
{
  let (shape, values): ([Int], DoubleValues) = try flatValues(data: data, shape: shape)
  return TensorLiteral(shape: shape, values: values.values, allIntegers: values.allIntegers)
}

private func flatValues<Values: TensorValues>(data: JSONValue, shape: [Int])
  throws(TensorLiteralError) -> ([Int], Values)
{
  // tensorShape checked that this product does not overflow.
  let count = shape.reduce(1, *)
  var values = Values()
  switch data {
  case .numbers(let numbers, let integers):
    values.append(contentsOf: numbers, allIntegers: integers)
  case .float32Tensor(let tensor) where tensor.shape.count == 1:
    values.append(contentsOf: tensor.values)
  case .float32Tensor:
    // As the element-wise path words it: the first element is a list.
    throw TensorLiteralError("ragged nested list at index [0]: expected a number, got a list")
  case .array(let elements):
    values.reserve(elements.count)
    for (k, element) in elements.enumerated() {
      let (v, isInteger) = try scalar(element, at: [k])
      values.append(v, isInteger: isInteger)
    }
  default:
    throw TensorLiteralError(
      "\"data\" must be a flat list when \"shape\" is given, got \(data.kindDescription)")
  }
  guard values.count == count else {
    throw TensorLiteralError("shape \(render(shape)) needs \(count) values, got \(values.count)")
  }
  return (shape, values)
}

private func nestedTensorLiteral(_ root: JSONValue) throws(TensorLiteralError) -> TensorLiteral {
  let (shape, values): ([Int], DoubleValues) = try nestedValues(root)
  return TensorLiteral(shape: shape, values: values.values, allIntegers: values.allIntegers)
}

private func nestedValues<Values: TensorValues>(_ root: JSONValue) throws(TensorLiteralError)
  -> ([Int], Values)
{
  if case .float32Tensor(let tensor) = root {
    // Already checked rectangular by the parser.
    var values = Values()
    values.append(contentsOf: tensor.values)
    return (tensor.shape, values)
  }
  // The shape is read down the first elements; every other list must then match it.
  var shape: [Int] = []
  var probe = root
  while true {
    if case .numbers(let values, _) = probe {
      shape.append(values.count)
      break
    }
    guard case .array(let elements) = probe else { break }
    shape.append(elements.count)
    guard let first = elements.first else { break }
    probe = first
  }
  var reader = NestedReader<Values>(shape: shape)
  try reader.read(root, level: 0)
  return (shape, reader.values)
}

/// Where the values of a tensor literal go, in row-major order.
private protocol TensorValues {
  init()
  var count: Int { get }
  mutating func reserve(_ count: Int)
  mutating func append(_ value: Double, isInteger: Bool)
  mutating func append(contentsOf values: [Double], allIntegers: Bool)
  /// Values read as float32 (`JSONValue.float32Tensor`); not integer literals.
  mutating func append(contentsOf values: [Float])
}

private struct DoubleValues: TensorValues {
  var values: [Double] = []
  var allIntegers = true

  var count: Int { values.count }

  mutating func reserve(_ count: Int) { values.reserveCapacity(count) }

  mutating func append(_ value: Double, isInteger: Bool) {
    values.append(value)
    allIntegers = allIntegers && isInteger
  }

  mutating func append(contentsOf values: [Double], allIntegers: Bool) {
    self.values.append(contentsOf: values)
    self.allIntegers = self.allIntegers && allIntegers
  }

  mutating func append(contentsOf values: [Float]) {
    self.values.append(contentsOf: values.lazy.map { Double($0) })
    allIntegers = false
  }
}

private struct Float32Values: TensorValues {
  var values: [Float] = []

  var count: Int { values.count }

  mutating func reserve(_ count: Int) { values.reserveCapacity(count) }

  mutating func append(_ value: Double, isInteger: Bool) {
    values.append(Float(value))
  }

  mutating func append(contentsOf values: [Double], allIntegers: Bool) {
    self.values.append(contentsOf: values.lazy.map { Float($0) })
  }

  mutating func append(contentsOf values: [Float]) {
    // The whole tensor at once: take the parser's buffer rather than copying it.
    if self.values.isEmpty {
      self.values = values
    } else {
      self.values.append(contentsOf: values)
    }
  }
}

private struct NestedReader<Values: TensorValues> {
  let shape: [Int]
  var values = Values()
  var index: [Int] = []

  init(shape: [Int]) {
    self.shape = shape
    // The shape comes from the first list at each level only, so a small ragged body can claim a huge product
    // (`[[[1000 numbers], 0, ...999], 0, ...999]`): reserve at most 2^20 values up front, grow past that.
    var count = 1
    for extent in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: extent)
      count = overflow ? Int.max : product
    }
    values.reserve(min(count, 1 << 20))
  }

  mutating func read(_ value: JSONValue, level: Int) throws(TensorLiteralError) {
    if level == shape.count {
      let (v, isInteger) = try scalar(value, at: index)
      values.append(v, isInteger: isInteger)
      return
    }
    let expected = shape[level]
    switch value {
    case .numbers(let numbers, let integers):
      guard numbers.count == expected else { throw ragged(expected, got: numbers.count) }
      guard level == shape.count - 1 else {
        throw TensorLiteralError(
          "ragged nested list at index \(render(index + [0])): expected a list, got a number")
      }
      values.append(contentsOf: numbers, allIntegers: integers)
    case .array(let elements):
      guard elements.count == expected else { throw ragged(expected, got: elements.count) }
      for (k, element) in elements.enumerated() {
        index.append(k)
        try read(element, level: level + 1)
        index.removeLast()
      }
    default:
      throw TensorLiteralError(
        "ragged nested list at index \(render(index)): expected a list of length \(expected), got "
          + value.kindDescription)
    }
  }

  func ragged(_ expected: Int, got: Int) -> TensorLiteralError {
    TensorLiteralError(
      "ragged nested list at index \(render(index)): expected length \(expected), got \(got)")
  }
}

/// One element: a number, or one of the strings JSON uses for non-finite values.
private func scalar(_ value: JSONValue, at index: [Int]) throws(TensorLiteralError) -> (
  Double, Bool
) {
  switch value {
  case .number(let d, let isInteger):
    return (d, isInteger)
  case .string("NaN"):
    return (.nan, false)
  case .string("Infinity"):
    return (.infinity, false)
  case .string("-Infinity"):
    return (-.infinity, false)
  case .numbers, .array, .float32Tensor:
    throw TensorLiteralError(
      "ragged nested list at index \(render(index)): expected a number, got a list")
  default:
    throw TensorLiteralError(
      "invalid tensor element at index \(render(index)): expected a number or \"NaN\", \"Infinity\", "
        + "\"-Infinity\", got \(value.kindDescription)")
  }
}

private func render(_ list: [Int]) -> String {
  "[" + list.map(String.init).joined(separator: ", ") + "]"
}
