import Autograd

/// Calls: builtins, tensor methods, `torch.` functions, and the one bridge to the engine's ops (`callOp`).
extension Interpreter {
  mutating func call(_ callee: EvalValue, _ args: CallArguments) throws(EvalError) -> EvalValue {
    switch callee {
    case .function(let name):
      return try callFunction(name, args)
    case .method(let receiver, let name):
      return try callMethod(receiver, name, args)
    default:
      throw fail("invalid_argument", "'\(callee.typeName)' object is not callable")
    }
  }

  mutating func callMethod(_ receiver: EvalValue, _ name: String, _ args: CallArguments)
    throws(EvalError)
    -> EvalValue
  {
    switch receiver {
    case .tensor(let t):
      return try tensorMethod(t, name, args)
    case .gradFn(let node) where name == "name":
      _ = try bind(args, "name", [])
      return .string(node.name)
    case .size(let dims) where name == "numel":
      _ = try bind(args, "numel", [])
      var n = 1
      for d in dims {
        let (r, o) = n.multipliedReportingOverflow(by: d)
        if o { throw fail("invalid_argument", "integer overflow") }
        n = r
      }
      return .int(n)
    default:
      return try call(try attribute(of: receiver, name), args)
    }
  }

  /// Binds Python-style arguments to parameter names; a parameter spelled `*name` takes the remaining
  /// positional arguments as a tuple.
  func bind(_ args: CallArguments, _ function: String, _ params: [String]) throws(EvalError)
    -> [String: EvalValue]
  {
    var values: [String: EvalValue] = [:]
    var position = 0
    var names: [String] = []
    for param in params {
      if param.hasPrefix("*") {
        let name = String(param.dropFirst())
        names.append(name)
        if position < args.positional.count {
          values[name] = .tuple(Array(args.positional[position...]))
          position = args.positional.count
        }
        continue
      }
      names.append(param)
      if position < args.positional.count {
        values[param] = args.positional[position]
        position += 1
      }
    }
    guard position == args.positional.count else {
      throw fail(
        "invalid_argument",
        "\(function)() takes \(params.count) positional argument\(params.count == 1 ? "" : "s") but \(args.positional.count) \(args.positional.count == 1 ? "was" : "were") given"
      )
    }
    for (label, value) in args.keywords {
      guard names.contains(label) else {
        throw fail(
          "invalid_argument", "\(function)() got an unexpected keyword argument '\(label)'")
      }
      guard values[label] == nil else {
        throw fail("invalid_argument", "\(function)() got multiple values for argument '\(label)'")
      }
      values[label] = value
    }
    return values
  }

  func flag(_ value: EvalValue?, _ name: String, default fallback: Bool) throws(EvalError) -> Bool {
    switch value {
    case nil, .none?: return fallback
    case .bool(let b)?: return b
    case .int(let i)?: return i != 0
    default: throw fail("invalid_argument", "argument '\(name)' must be a bool")
    }
  }

  func optionalTensor(_ value: EvalValue?, _ name: String) throws(EvalError) -> Tensor? {
    switch value {
    case nil, .none?: return nil
    case .tensor(let t)?: return t
    case let other?:
      throw fail(
        "invalid_argument", "\(name) can be either Tensors or None, but got \(other.typeName)")
    }
  }

  // MARK: - Tensor methods

  mutating func tensorMethod(_ t: Tensor, _ name: String, _ args: CallArguments)
    throws(EvalError)
    -> EvalValue
  {
    switch name {
    case "backward":
      let a = try bind(args, "backward", ["gradient", "retain_graph", "create_graph", "inputs"])
      if let inputs = a["inputs"], !inputs.isNone {
        throw fail("invalid_argument", "backward(inputs=...) is not supported")
      }
      let gradient = try optionalTensor(a["gradient"], "gradients")
      var retain: Bool?
      if let value = a["retain_graph"], !value.isNone {
        retain = try flag(value, "retain_graph", default: false)
      }
      let create = try flag(a["create_graph"], "create_graph", default: false)
      try engine { () throws(AutogradError) in
        try t.backward(gradient: gradient, retainGraph: retain, createGraph: create)
      }
      return .none
    case "item":
      _ = try bind(args, "item", [])
      guard t.numel == 1 else {
        throw fail(
          "invalid_argument",
          "a Tensor with \(t.numel) elements cannot be converted to Scalar")
      }
      let value = try engine { () throws(AutogradError) in try t.item() }
      return Self.pythonScalar(value, dtype: t.dtype)
    case "tolist":
      _ = try bind(args, "tolist", [])
      return Self.nestedList(t.contiguousDoubles(), shape: t.shape, dtype: t.dtype)
    case "size":
      let a = try bind(args, "size", ["dim"])
      guard let dimValue = a["dim"], case .int(let dim) = dimValue else { return .size(t.shape) }
      let k = dim < 0 ? dim + t.rank : dim
      guard k >= 0 && k < t.rank else {
        throw fail(
          "shape_mismatch",
          "Dimension out of range (expected to be in range of [\(-max(t.rank, 1)), \(max(t.rank, 1) - 1)], but got \(dim))"
        )
      }
      return .int(t.shape[k])
    case "dim":
      _ = try bind(args, "dim", [])
      return .int(t.rank)
    case "numel":
      _ = try bind(args, "numel", [])
      return .int(t.numel)
    case "retain_grad":
      _ = try bind(args, "retain_grad", [])
      try engine { () throws(AutogradError) in try t.retainGrad() }
      return .none
    case "requires_grad_":
      let a = try bind(args, "requires_grad_", ["requires_grad"])
      let flagValue = try flag(a["requires_grad"], "requires_grad", default: true)
      try engine { () throws(AutogradError) in try t.setRequiresGrad(flagValue) }
      return .tensor(t)
    case "register_hook":
      throw fail("invalid_argument", "hooks are not supported")
    case "float", "double", "long", "bool":
      _ = try bind(args, name, [])
      let conversions: [String: DType] = [
        "float": .float32, "double": .float64, "long": .int64, "bool": .bool,
      ]
      let dtype = conversions[name] ?? .float32
      return try callOp("to", [.tensor(t), .dtype(dtype)], [:])
    case "max" where args.hasDim, "min" where args.hasDim:
      let a = try bind(args, name, ["dim", "keepdim"])
      guard let dimValue = a["dim"], case .int(let dim) = dimValue else {
        throw fail("invalid_argument", "\(name)(): argument 'dim' must be an int")
      }
      let keepdim = try flag(a["keepdim"], "keepdim", default: false)
      let grad = gradEnabled
      let (values, indices) = try engine { () throws(AutogradError) in
        try Ops.extremumWithIndices(
          t, dim: dim, keepdim: keepdim, greater: name == "max", gradEnabled: grad)
      }
      try account(values)
      try account(indices)
      return .namedTuple(
        name, fields: ["values", "indices"], values: [.tensor(values), .tensor(indices)])
    default:
      guard OpNames.all.contains(name) else {
        throw fail("invalid_argument", "the tensor method '\(name)' is not supported")
      }
      return try callOp(
        name, [.tensor(t)] + args.positional, args.keywordDictionary, asMethod: true)
    }
  }

  /// A tensor element as the Python value `item()` gives: bool, int or float by dtype.
  static func pythonScalar(_ v: Double, dtype: DType) -> EvalValue {
    switch dtype {
    case .bool: .bool(v != 0)
    case .int64: .int(Int(exactly: v) ?? 0)
    case .float32, .float64: .float(v)
    }
  }

  static func nestedList(_ values: [Double], shape: [Int], dtype: DType) -> EvalValue {
    func scalar(_ v: Double) -> EvalValue { pythonScalar(v, dtype: dtype) }
    guard let first = shape.first else { return values.first.map(scalar) ?? .none }
    let rest = Array(shape.dropFirst())
    let stride = rest.reduce(1, *)
    var items: [EvalValue] = []
    items.reserveCapacity(first)
    for i in 0..<first {
      let chunk = Array(values[(i * stride)..<((i + 1) * stride)])
      items.append(
        rest.isEmpty ? scalar(chunk[0]) : nestedList(chunk, shape: rest, dtype: dtype))
    }
    return .list(items)
  }

  // MARK: - Functions

  mutating func callFunction(_ name: String, _ args: CallArguments) throws(EvalError) -> EvalValue {
    if let builtin = Builtins.Function(rawValue: name) {
      return try callBuiltin(builtin, args)
    }
    if name.hasPrefix("torch.autograd.") {
      return try autogradFunction(String(name.dropFirst("torch.autograd.".count)), args)
    }
    let short = String(name.split(separator: ".").last ?? "")
    if name == "torch." + short, OpNames.torchFunctions.contains(short) {
      return try torchFunction(short, args)
    }
    guard OpNames.all.contains(short) else { throw fail("not_found", "unknown function '\(name)'") }
    if short == "max" || short == "min", case .tensor(let t)? = args.positional.first {
      // torch.max(x, dim) answers (values, indices) like x.max(dim).
      var rest = args
      rest.positional.removeFirst()
      if rest.hasDim { return try tensorMethod(t, short, rest) }
    }
    return try callOp(short, args.positional, args.keywordDictionary)
  }

  // MARK: - The engine's ops

  /// Calls op `name` on the engine in the current grad mode, within the element budget.
  mutating func callOp(
    _ name: String, _ positional: [EvalValue], _ keywords: [String: EvalValue],
    asMethod: Bool = false
  )
    throws(EvalError)
    -> EvalValue
  {
    var args: [OpArgument] = []
    for value in positional { args.append(try opArgument(value)) }
    var kwargs: [String: OpArgument] = [:]
    for (key, value) in keywords { kwargs[key] = try opArgument(value) }
    try checkBudget(ElementEstimate.of(name, args, kwargs))
    let grad = gradEnabled
    let result = try engine { () throws(AutogradError) in
      try Ops.call(name, args: args, kwargs: kwargs, gradEnabled: grad, asMethod: asMethod)
    }
    return try value(of: result)
  }

  func opArgument(_ value: EvalValue) throws(EvalError) -> OpArgument {
    switch value {
    case .none: return .none
    case .bool(let b): return .bool(b)
    case .int(let i): return .int(i)
    case .float(let d): return .double(d)
    case .string(let s): return .string(s)
    case .tensor(let t): return .tensor(t)
    case .size(let dims): return .list(dims.map { .int($0) })
    case .dtype(let d): return .string(d.rawValue)
    case .list(let items), .tuple(let items), .namedTuple(_, _, let items):
      var out: [OpArgument] = []
      for item in items { out.append(try opArgument(item)) }
      return .list(out)
    default:
      throw fail("invalid_argument", "a '\(value.typeName)' cannot be passed to a tensor op")
    }
  }

  private mutating func value(of result: OpArgument) throws(EvalError) -> EvalValue {
    switch result {
    case .tensor(let t):
      try account(t)
      return .tensor(t)
    case .int(let i): return .int(i)
    case .double(let d): return .float(d)
    case .bool(let b): return .bool(b)
    case .string(let s): return .string(s)
    case .none: return .none
    case .list(let items):
      var out: [EvalValue] = []
      for item in items { out.append(try value(of: item)) }
      return .tuple(out)
    }
  }
}

extension CallArguments {
  /// `x.max(0)` / `x.max(dim=0)` answer (values, indices); `x.max()` is the plain reduction op.
  var hasDim: Bool {
    if case .int? = positional.first { return true }
    return keywords.contains { $0.0 == "dim" }
  }

  var keywordDictionary: [String: EvalValue] {
    var out: [String: EvalValue] = [:]
    for (key, value) in keywords { out[key] = value }
    return out
  }
}
