import Autograd

/// The names a program can use without defining them: a few Python builtins, `torch`, and `F`.
enum Builtins {
  enum Function: String {
    case print, len, float, int, bool, abs, round, str, repr, list, tuple, min, max
  }

  static func value(named name: String) -> EvalValue? {
    if let function = Function(rawValue: name) { return .function(function.rawValue) }
    switch name {
    case "torch": return .module("torch")
    case "F": return .module("torch.nn.functional")
    default: return nil
    }
  }
}

extension Interpreter {
  mutating func callBuiltin(_ function: Builtins.Function, _ args: CallArguments) throws(EvalError)
    -> EvalValue
  {
    let name = function.rawValue
    switch function {
    case .print:
      let a = try bind(args, name, ["*objects", "sep", "end"])
      let separator = try optionalString(a["sep"], "sep") ?? " "
      let end = try optionalString(a["end"], "end") ?? "\n"
      var objects: [EvalValue] = []
      if case .tuple(let items)? = a["objects"] { objects = items }
      try write(objects.map(\.str).joined(separator: separator) + end)
      return .none
    case .len:
      let value = try single(args, name)
      switch value {
      case .list(let items), .tuple(let items), .namedTuple(_, _, let items):
        return .int(items.count)
      case .size(let dims): return .int(dims.count)
      case .string(let s): return .int(s.count)
      case .tensor(let t):
        guard let first = t.shape.first else {
          throw fail("invalid_argument", "len() of a 0-d tensor")
        }
        return .int(first)
      default: throw fail("invalid_argument", "object of type '\(value.typeName)' has no len()")
      }
    case .float:
      let value = try single(args, name)
      switch value {
      case .string(let s):
        guard let d = Double(s.trimmingSpaces) else {
          throw fail(
            "invalid_argument", "could not convert string to float: \(PythonFormat.quoted(s))")
        }
        return .float(d)
      default: return .float(try scalar(value, name).double)
      }
    case .int:
      let value = try single(args, name)
      if case .string(let s) = value {
        guard let i = Int(s.trimmingSpaces) else {
          throw fail(
            "invalid_argument", "invalid literal for int() with base 10: \(PythonFormat.quoted(s))")
        }
        return .int(i)
      }
      switch try scalar(value, name) {
      case .int(let i): return .int(i)
      case .float(let d):
        guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else {
          throw fail("invalid_argument", "cannot convert float \(PythonFormat.float(d)) to integer")
        }
        return .int(i)
      }
    case .bool:
      return .bool(try truth(try single(args, name)))
    case .abs:
      let value = try single(args, name)
      if case .tensor(let t) = value { return try callOp("abs", [.tensor(t)], [:]) }
      switch try scalar(value, name) {
      case .int(let i):
        guard i != Int.min else { throw fail("invalid_argument", "integer overflow") }
        return .int(Swift.abs(i))
      case .float(let d): return .float(Swift.abs(d))
      }
    case .round:
      let a = try bind(args, name, ["number", "ndigits"])
      guard let value = a["number"] else {
        throw fail("invalid_argument", "round() missing required argument 'number'")
      }
      let number = try scalar(value, name)
      if let digits = a["ndigits"], !digits.isNone {
        guard case .int(let n) = digits, (-20...20).contains(n) else {
          throw fail("invalid_argument", "round(): 'ndigits' must be an int between -20 and 20")
        }
        var scale = 1.0
        for _ in 0..<Swift.abs(n) { scale *= 10 }
        let d = number.double
        return .float(
          n >= 0
            ? (d * scale).rounded(.toNearestOrEven) / scale
            : (d / scale).rounded(.toNearestOrEven) * scale)
      }
      switch number {
      case .int(let i): return .int(i)
      case .float(let d):
        guard d.isFinite, let i = Int(exactly: d.rounded(.toNearestOrEven)) else {
          throw fail("invalid_argument", "cannot convert float \(PythonFormat.float(d)) to integer")
        }
        return .int(i)
      }
    case .str:
      return .string(try single(args, name).str)
    case .repr:
      return .string(try single(args, name).repr)
    case .list, .tuple:
      let value = try single(args, name)
      let items: [EvalValue]
      switch value {
      case .list(let v), .tuple(let v), .namedTuple(_, _, let v): items = v
      case .size(let dims): items = dims.map { .int($0) }
      default: throw fail("invalid_argument", "'\(value.typeName)' object is not iterable here")
      }
      return function == .list ? .list(items) : .tuple(items)
    case .min, .max:
      var items = args.positional
      if items.count == 1 {
        switch items[0] {
        case .list(let v), .tuple(let v): items = v
        case .size(let dims): items = dims.map { .int($0) }
        default: break
        }
      }
      guard var best = items.first else {
        throw fail("invalid_argument", "\(name)() arg is an empty sequence")
      }
      for item in items.dropFirst() {
        let better = try compare(function == .min ? .less : .greater, item, best)
        if try truth(better) { best = item }
      }
      return best
    }
  }

  private func single(_ args: CallArguments, _ name: String) throws(EvalError) -> EvalValue {
    guard args.positional.count == 1, args.keywords.isEmpty else {
      throw fail(
        "invalid_argument", "\(name)() takes exactly one argument (\(args.positional.count) given)")
    }
    return args.positional[0]
  }

  /// A Python number, or the value of a one-element tensor (`float(x)`).
  func scalar(_ value: EvalValue, _ function: String) throws(EvalError) -> Number {
    if let n = number(value) { return n }
    if case .tensor(let t) = value {
      guard t.numel == 1 else {
        throw fail(
          "invalid_argument", "only one element tensors can be converted to Python scalars")
      }
      let v = try engine { () throws(AutogradError) in try t.item() }
      if t.dtype == .int64, let i = Int(exactly: v) { return .int(i) }
      return .float(v)
    }
    throw fail(
      "invalid_argument", "\(function)() argument must be a number, not '\(value.typeName)'")
  }

  func optionalString(_ value: EvalValue?, _ name: String) throws(EvalError) -> String? {
    switch value {
    case nil, .none?: return nil
    case .string(let s)?: return s
    case let other?:
      throw fail("invalid_argument", "\(name) must be None or a string, not \(other.typeName)")
    }
  }
}

extension String {
  var trimmingSpaces: String {
    var s = Substring(self)
    while s.first == " " { s = s.dropFirst() }
    while s.last == " " { s = s.dropLast() }
    return String(s)
  }
}
