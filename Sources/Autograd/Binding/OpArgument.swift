/// A Python-style argument for `Ops.call`: what the service decodes from JSON and /eval from its AST.
public enum OpArgument {
  case tensor(Tensor)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case string(String)
  case list([OpArgument])
  case none

  /// The tensor, if this is one.
  public var tensor: Tensor? {
    if case .tensor(let t) = self { return t }
    return nil
  }
}

/// One entry of `GET /v1/ops`.
public struct OpInfo: Sendable {
  public let name: String
  /// The Python-style signature, e.g. `sum(input, dim=None, keepdim=False)`.
  public let signature: String
  public let inPlace: Bool
  /// The grad_fn name of a typical result (`SumBackward0`), or nil for untracked ops (argmax, detach).
  public let gradFn: String?
}

/// Bound values by parameter name. A linear scan over the op's few parameter names: cheaper per call than
/// building and hashing into a dictionary. Positional arguments stay in the caller's array (binding them is a
/// retain); values placed by the general binder sit in four inline slots (every op has at most four parameters
/// today), so binding allocates nothing.
struct ArgumentValues {
  /// Parameter names without the `*` of a variadic one, in signature order.
  let names: [String]
  /// Slot `i` for `i < positional.count`: the call's positional arguments, as given (the fast binding), or
  /// empty (the general one).
  private let positional: [OpArgument]
  // Four stored properties rather than a tuple: reading one slot of a tuple copied all four values.
  private var slot0: OpArgument?
  private var slot1: OpArgument?
  private var slot2: OpArgument?
  private var slot3: OpArgument?
  /// Values past the fourth; nil (no array to keep unique on every write) for every op today.
  private var rest: [OpArgument?]?

  init(names: [String]) {
    self.names = names
    positional = []
    if names.count > 4 { rest = [OpArgument?](repeating: nil, count: names.count - 4) }
  }

  /// `args` fill the first slots in order (no more than `names` has); the others are empty and stay so.
  init(names: [String], positional args: [OpArgument]) {
    self.names = names
    positional = args
  }

  fileprivate(set) subscript(key: String) -> OpArgument? {
    get {
      guard let i = names.firstIndex(of: key) else { return nil }
      return self[slot: i]
    }
    set {
      guard let i = names.firstIndex(of: key) else { return }
      self[slot: i] = newValue
    }
  }

  /// The tensor in slot `i`, without copying the slot's value.
  func tensor(slot i: Int) -> Tensor? {
    if i < positional.count {
      if case .tensor(let t) = positional[i] { return t }
      return nil
    }
    switch i {
    case 0: if case .tensor(let t)? = slot0 { return t }
    case 1: if case .tensor(let t)? = slot1 { return t }
    case 2: if case .tensor(let t)? = slot2 { return t }
    case 3: if case .tensor(let t)? = slot3 { return t }
    default: break
    }
    return nil
  }

  /// Whether slot `i` was given no value.
  func isEmpty(slot i: Int) -> Bool {
    if i < positional.count { return false }
    switch i {
    case 0: return slot0 == nil
    case 1: return slot1 == nil
    case 2: return slot2 == nil
    case 3: return slot3 == nil
    default: return rest.map { $0[i - 4] == nil } ?? true
    }
  }

  /// `i` is an index of `names`. Only the general binder writes, and only to values it holds no positional
  /// array for.
  fileprivate(set) subscript(slot i: Int) -> OpArgument? {
    get {
      if i < positional.count { return positional[i] }
      switch i {
      case 0: return slot0
      case 1: return slot1
      case 2: return slot2
      case 3: return slot3
      default: return rest.map { $0[i - 4] } ?? nil
      }
    }
    set {
      switch i {
      case 0: slot0 = newValue
      case 1: slot1 = newValue
      case 2: slot2 = newValue
      case 3: slot3 = newValue
      default: rest?[i - 4] = newValue
      }
    }
  }
}

/// Arguments bound to parameter names following a Python signature.
struct BoundArguments {
  let op: String
  var values: ArgumentValues

  /// PyTorch's arg parser text, with its singular forms.
  static func tooManyPositional(op: String, takes: Int, given: Int) -> AutogradError {
    .argument(
      "\(op)() takes \(takes) positional argument\(takes == 1 ? "" : "s") but \(given) \(given == 1 ? "was" : "were") given"
    )
  }

  /// `names` are `params` without the `*` that marks a variadic parameter, which sits at `variadic`.
  static func bind(
    op: String, params: [String], names: [String], variadic: Int?, args: [OpArgument],
    kwargs: [String: OpArgument]
  )
    throws(AutogradError) -> BoundArguments
  {
    // Positional arguments only and no `*args` (every call of the tutorial's ops): nothing to match by name or
    // check for duplicates.
    if kwargs.isEmpty, variadic == nil, args.count <= names.count {
      return BoundArguments(op: op, values: ArgumentValues(names: names, positional: args))
    }
    var values = ArgumentValues(names: names)
    var position = 0
    for slot in names.indices {
      if slot == variadic {
        let rest = Array(args[min(position, args.count)...])
        position = args.count
        if rest.count == 1, case .list = rest[0] {
          values[slot: slot] = rest[0]
        } else if !rest.isEmpty {
          values[slot: slot] = .list(rest)
        }
        continue
      }
      if position < args.count {
        values[slot: slot] = args[position]
        position += 1
      }
    }
    guard position >= args.count else {
      throw tooManyPositional(op: op, takes: params.count, given: args.count)
    }
    for (key, value) in kwargs {
      guard let slot = names.firstIndex(of: key) else {
        throw .argument("\(op)() got an unexpected keyword argument '\(key)'")
      }
      guard values[slot: slot] == nil else {
        throw .argument("\(op)() got multiple values for argument '\(key)'")
      }
      values[slot: slot] = value
    }
    return BoundArguments(op: op, values: values)
  }

  func has(_ key: String) -> Bool {
    guard let v = values[key] else { return false }
    if case .none = v { return false }
    return true
  }

  func tensor(_ key: String) throws(AutogradError) -> Tensor {
    guard let v = values[key] else {
      throw .argument("\(op)() missing 1 required positional arguments: \"\(key)\"")
    }
    return try Self.asTensor(v, op: op, key: key)
  }

  static func asTensor(_ v: OpArgument, op: String, key: String) throws(AutogradError) -> Tensor {
    switch v {
    case .tensor(let t): return t
    case .int(let i): return Tensor.scalar(Double(i), dtype: .int64)
    case .double(let d): return Tensor.scalar(d, dtype: .float64)
    case .bool(let b): return Tensor.scalar(b ? 1 : 0, dtype: .bool)
    default: throw .argument("\(op)(): argument '\(key)' must be a Tensor or a number")
    }
  }

  func tensors(_ key: String) throws(AutogradError) -> [Tensor] {
    guard let v = values[key], case .list(let items) = v else {
      throw .argument("\(op)(): argument '\(key)' must be a list of tensors")
    }
    var out: [Tensor] = []
    for item in items {
      guard case .tensor(let t) = item else {
        throw .argument("\(op)(): argument '\(key)' must be a list of tensors")
      }
      out.append(t)
    }
    return out
  }

  func int(_ key: String) throws(AutogradError) -> Int {
    guard let v = values[key] else {
      throw .argument("\(op)() missing 1 required positional arguments: \"\(key)\"")
    }
    return try Self.asInt(v, op: op, key: key)
  }

  func int(_ key: String, default fallback: Int) throws(AutogradError) -> Int {
    has(key) ? try int(key) : fallback
  }

  func optionalInt(_ key: String) throws(AutogradError) -> Int? {
    has(key) ? try int(key) : nil
  }

  static func asInt(_ v: OpArgument, op: String, key: String) throws(AutogradError) -> Int {
    switch v {
    case .int(let i): return i
    case .tensor(let t) where t.rank == 0 && t.dtype == .int64:
      guard let i = exactInt(try t.item()) else {
        throw .argument("\(op)(): argument '\(key)' is out of range")
      }
      return i
    default: throw .argument("\(op)(): argument '\(key)' must be an int")
    }
  }

  /// An int or a list of ints (`dim=1`, `dim=(0, 1)`), nil when absent.
  func intList(_ key: String) throws(AutogradError) -> [Int]? {
    guard has(key), let v = values[key] else { return nil }
    if case .list(let items) = v {
      var out: [Int] = []
      for item in items { out.append(try Self.asInt(item, op: op, key: key)) }
      return out
    }
    return [try Self.asInt(v, op: op, key: key)]
  }

  func double(_ key: String) throws(AutogradError) -> Double {
    switch values[key] {
    case .int(let i): return Double(i)
    case .double(let d): return d
    case .tensor(let t) where t.numel == 1: return try t.item()
    default: throw .argument("\(op)(): argument '\(key)' must be a number")
    }
  }

  func double(_ key: String, default fallback: Double) throws(AutogradError) -> Double {
    has(key) ? try double(key) : fallback
  }

  func optionalDouble(_ key: String) throws(AutogradError) -> Double? {
    has(key) ? try double(key) : nil
  }

  func bool(_ key: String, default fallback: Bool) throws(AutogradError) -> Bool {
    guard has(key), let v = values[key] else { return fallback }
    switch v {
    case .bool(let b): return b
    case .int(let i) where i == 0 || i == 1: return i == 1
    default: throw .argument("\(op)(): argument '\(key)' must be a bool")
    }
  }

  func string(_ key: String, default fallback: String) throws(AutogradError) -> String {
    guard has(key), let v = values[key] else { return fallback }
    guard case .string(let s) = v else {
      throw .argument("\(op)(): argument '\(key)' must be a string")
    }
    return s
  }
}
