import Autograd
import TensorJSON

/// One op of `POST .../ops`, decoded: the engine's arguments with tensor names resolved.
struct OpRequest {
  static let keys: Set<String> = ["op", "args", "kwargs", "name", "no_grad"]
  /// Keyword arguments whose strings are values (`reduction="sum"`, an index expression), never tensor names.
  static let stringKeywords: Set<String> = [
    "reduction", "rounding_mode", "index", "approximate", "dtype",
  ]

  /// `keys.contains(key)`.
  static func isKey(_ key: String) -> Bool {
    key == "op" || key == "args" || key == "name" || key == "kwargs" || key == "no_grad"
  }

  var op: String
  var args: [OpArgument]
  var kwargs: [String: OpArgument]
  var name: String?
  var noGrad: Bool
  /// The tensor name of the first argument, which an in-place op's unnamed result keeps.
  var firstArgumentName: String?

  // `borrowing`: an initializer takes its arguments owned, so the caller copied the whole state (a retain and
  // release of each of its tables) for every op.
  init(_ value: JSONValue, state: borrowing SessionState) throws(ServiceError) {
    guard case .object(let spec) = value else {
      throw .invalidArgument("an op is a JSON object, got \(value.kindDescription)")
    }
    // Compared, not hashed: every op passes here, and its keys are a few short strings.
    if spec.firstKey(where: { !OpRequest.isKey($0) }) != nil {
      try spec.refuseUnknownKeys(OpRequest.keys, what: "an op")
    }
    guard let op = try spec.string("op") else { throw .invalidArgument("'op' must be a string") }
    self.op = op
    name = try TensorRequests.userName(spec["name"])
    noGrad = try spec.bool("no_grad", default: false)
    args = []
    if let raw = spec["args"], !raw.isNull {
      guard let elements = raw.arrayElements else {
        throw .invalidArgument("'args' must be an array")
      }
      args.reserveCapacity(elements.count)  // one allocation; growing from empty took two for `[x, 2]`
      for element in elements { args.append(try OpRequest.argument(element, state: state)) }
      firstArgumentName = elements.first?.stringValue
    }
    kwargs = [:]
    if let raw = spec["kwargs"], !raw.isNull {
      guard let object = raw.objectValue else {
        throw .invalidArgument("'kwargs' must be an object")
      }
      for (key, element) in object.members {
        if OpRequest.stringKeywords.contains(key), let text = element.stringValue {
          kwargs[key] = .string(text)
        } else {
          kwargs[key] = try OpRequest.argument(element, state: state)
        }
      }
    }
  }

  /// Python-style values: a string names a tensor, a number is a scalar (integral literals stay ints), a list of
  /// names is a tensor list, a list of numbers a size list.
  static func argument(_ value: JSONValue, state: SessionState) throws(ServiceError) -> OpArgument {
    switch value {
    case .string(let text):
      if let binding = state.names[text] { return .tensor(binding.tensor) }
      if let special = specialNumber(text) { return .double(special) }
      throw .notFound("no tensor named '\(text)' in this session")
    case .number(let number, let isInteger):
      if isInteger, let integer = Int(exactly: number) { return .int(integer) }
      return .double(number)
    case .bool(let flag):
      return .bool(flag)
    case .null:
      return .none
    case .numbers(let numbers, let allIntegers):
      var list: [OpArgument] = []
      list.reserveCapacity(numbers.count)
      for number in numbers {
        if allIntegers, let integer = Int(exactly: number) {
          list.append(.int(integer))
        } else {
          list.append(.double(number))
        }
      }
      return .list(list)
    case .array(let elements):
      var list: [OpArgument] = []
      for element in elements { list.append(try argument(element, state: state)) }
      return .list(list)
    case .float32Tensor:
      // Not made for op bodies (only when a parse asks for it); read as any list would be.
      return try argument(.array(value.arrayElements ?? []), state: state)
    case .object:
      throw .invalidArgument(
        "an argument is a tensor name, a number, a boolean, null or a list of them")
    }
  }
}
