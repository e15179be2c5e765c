import Autograd

/// A value a program computes: a tensor, a Python value, or one of the few torch objects the subset exposes.
public indirect enum EvalValue {
  case none
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
  case list([EvalValue])
  case tuple([EvalValue])
  /// `torch.return_types.max(values=..., indices=...)`: a tuple whose items also have names.
  case namedTuple(String, fields: [String], values: [EvalValue])
  case tensor(Tensor)
  /// `torch.Size([2, 2])`.
  case size([Int])
  case dtype(DType)
  /// A tensor's `grad_fn`.
  case gradFn(Node)
  /// `torch`, `torch.nn`, `torch.nn.functional`, `torch.autograd`, by dotted path.
  case module(String)
  /// A callable found by name: a builtin (`print`) or a torch function (`torch.ones`, `torch.nn.functional.relu`).
  case function(String)
  /// `x.sum` before it is called.
  case method(EvalValue, String)
  /// `torch.no_grad()` / `torch.enable_grad()`: a context manager that sets grad mode for a `with` block.
  case gradMode(Bool)

  var isNone: Bool {
    if case .none = self { return true }
    return false
  }

  /// Python's type name, for error messages (`'NoneType' object has no attribute 'zero_'`).
  public var typeName: String {
    switch self {
    case .none: "NoneType"
    case .bool: "bool"
    case .int: "int"
    case .float: "float"
    case .string: "str"
    case .list: "list"
    case .tuple: "tuple"
    case .namedTuple(let name, _, _): "torch.return_types.\(name)"
    case .tensor: "Tensor"
    case .size: "Size"
    case .dtype: "torch.dtype"
    case .gradFn(let node): node.name
    case .module: "module"
    case .function: "builtin_function_or_method"
    case .method: "builtin_function_or_method"
    case .gradMode(let enabled): enabled ? "enable_grad" : "no_grad"
    }
  }

  /// What `print(value)` writes: `str()` in Python.
  public var str: String {
    if case .string(let s) = self { return s }
    return repr
  }

  /// Python's `repr()`, which is what containers print for their items; tensors use the engine's formatter.
  public var repr: String {
    switch self {
    case .none: return "None"
    case .bool(let b): return b ? "True" : "False"
    case .int(let i): return String(i)
    case .float(let d): return PythonFormat.float(d)
    case .string(let s): return PythonFormat.quoted(s)
    case .list(let items): return "[" + items.map(\.repr).joined(separator: ", ") + "]"
    case .tuple(let items):
      if items.count == 1 { return "(" + items[0].repr + ",)" }
      return "(" + items.map(\.repr).joined(separator: ", ") + ")"
    case .namedTuple(let name, let fields, let values):
      let items = zip(fields, values).map { "\($0)=\($1.repr)" }
      return "torch.return_types.\(name)(\n" + items.joined(separator: ",\n") + ")"
    case .tensor(let t): return t.description
    case .size(let dims):
      return "torch.Size([" + dims.map(String.init).joined(separator: ", ") + "])"
    case .dtype(let d): return PythonFormat.dtypeName(d)
    case .gradFn(let node): return node.description
    case .module(let path): return "<module '\(path)'>"
    case .function(let name):
      return "<built-in function \(name.split(separator: ".").last.map(String.init) ?? name)>"
    case .method(let receiver, let name):
      return "<built-in method \(name) of \(receiver.typeName) object>"
    case .gradMode(let enabled):
      return "<torch.autograd.grad_mode.\(enabled ? "enable_grad" : "no_grad") object>"
    }
  }
}

/// Python's spelling of scalars, strings and torch objects.
enum PythonFormat {
  /// `repr(float)`: shortest round-trip digits, `2.0` not `2`, exponent from 1e16 and below 1e-4. Swift's
  /// `description` follows the same rules; only the special values are spelled differently.
  static func float(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    return d.description
  }

  static func quoted(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for c in s {
      switch c {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case quote: out += "\\" + String(quote)
      default: out.append(c)
      }
    }
    out.append(quote)
    return out
  }

  static func dtypeName(_ d: DType) -> String { "torch." + d.rawValue }
}
