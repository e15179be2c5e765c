import Autograd
import Foundation

/// Python's operators: tensors go to the engine's ops (reflected forms for `2 - x`), Python numbers follow
/// Python's arithmetic with overflow and division errors instead of traps.
extension Interpreter {

  mutating func unary(_ op: UnaryOperator, _ value: EvalValue) throws(EvalError) -> EvalValue {
    switch (op, value) {
    case (.not, _): return .bool(!(try truth(value)))
    case (.plus, .tensor), (.plus, .float), (.plus, .int): return value
    case (.plus, .bool(let b)): return .int(b ? 1 : 0)
    case (.negate, .tensor(let t)): return try callOp("neg", [.tensor(t)], [:])
    case (.negate, .float(let d)): return .float(-d)
    case (.negate, .bool(let b)): return .int(b ? -1 : 0)
    case (.negate, .int(let i)):
      guard i != Int.min else { throw fail("invalid_argument", "integer overflow") }
      return .int(-i)
    default:
      throw fail(
        "invalid_argument", "bad operand type for unary \(op.rawValue): '\(value.typeName)'")
    }
  }

  private static func tensorOpName(_ op: BinaryOperator) -> String {
    switch op {
    case .add: "add"
    case .subtract: "sub"
    case .multiply: "mul"
    case .divide: "div"
    case .floorDivide: "floor_divide"
    case .modulo: "remainder"
    case .power: "pow"
    case .matmul: "matmul"
    }
  }

  mutating func binary(_ op: BinaryOperator, _ l: EvalValue, _ r: EvalValue) throws(EvalError)
    -> EvalValue
  {
    if case .tensor(let t) = l {
      return try callOp(Self.tensorOpName(op), [.tensor(t), r], [:])
    }
    if case .tensor(let t) = r, isNumber(l) {
      // Python calls the tensor's reflected method: 2 - x is x.__rsub__(2), i.e. rsub(x, 2).
      switch op {
      case .add: return try callOp("add", [.tensor(t), l], [:])
      case .multiply: return try callOp("mul", [.tensor(t), l], [:])
      case .subtract: return try callOp("rsub", [.tensor(t), l], [:])
      case .divide: return try callOp("rdiv", [.tensor(t), l], [:])
      case .power: return try callOp("rpow", [.tensor(t), l], [:])
      case .floorDivide, .modulo, .matmul: break
      }
    }
    if let a = number(l), let b = number(r) {
      return try arithmetic(op, a, b)
    }
    switch (op, l, r) {
    case (.add, .list(let a), .list(let b)): return .list(try concatenated(a, b))
    case (.add, .tuple(let a), .tuple(let b)): return .tuple(try concatenated(a, b))
    case (.add, .string(let a), .string(let b)):
      guard a.utf8.count + b.utf8.count <= limits.maxOutputBytes else {
        throw fail("limit_exceeded", "string longer than \(limits.maxOutputBytes) bytes")
      }
      return .string(a + b)
    default:
      throw fail(
        "invalid_argument",
        "unsupported operand type(s) for \(op.rawValue): '\(l.typeName)' and '\(r.typeName)'")
    }
  }

  private func concatenated(_ a: [EvalValue], _ b: [EvalValue]) throws(EvalError) -> [EvalValue] {
    guard a.count + b.count <= limits.maxLiteralElements else {
      throw fail("limit_exceeded", "sequence longer than \(limits.maxLiteralElements) items")
    }
    return a + b
  }

  enum Number {
    case int(Int)
    case float(Double)

    var double: Double {
      switch self {
      case .int(let i): Double(i)
      case .float(let d): d
      }
    }
  }

  func number(_ value: EvalValue) -> Number? {
    switch value {
    case .int(let i): .int(i)
    case .bool(let b): .int(b ? 1 : 0)
    case .float(let d): .float(d)
    default: nil
    }
  }

  func isNumber(_ value: EvalValue) -> Bool { number(value) != nil }

  private func arithmetic(_ op: BinaryOperator, _ a: Number, _ b: Number) throws(EvalError)
    -> EvalValue
  {
    if case .int(let x) = a, case .int(let y) = b {
      return try integerArithmetic(op, x, y)
    }
    let x = a.double
    let y = b.double
    switch op {
    case .add: return .float(x + y)
    case .subtract: return .float(x - y)
    case .multiply: return .float(x * y)
    case .divide:
      guard y != 0 else {
        throw fail("invalid_argument", "ZeroDivisionError: float division by zero")
      }
      return .float(x / y)
    case .floorDivide:
      guard y != 0 else {
        throw fail("invalid_argument", "ZeroDivisionError: float floor division by zero")
      }
      return .float((x / y).rounded(.down))
    case .modulo:
      guard y != 0 else { throw fail("invalid_argument", "ZeroDivisionError: float modulo") }
      let m = x - y * (x / y).rounded(.down)
      return .float(m)
    case .power:
      if x == 0 && y < 0 {
        throw fail(
          "invalid_argument", "ZeroDivisionError: 0.0 cannot be raised to a negative power")
      }
      if x < 0 && y.rounded() != y {
        throw fail("invalid_argument", "complex results are not supported")
      }
      return .float(Foundation.pow(x, y))
    case .matmul:
      throw fail("invalid_argument", "unsupported operand type(s) for @: numbers")
    }
  }

  private func integerArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int) throws(EvalError)
    -> EvalValue
  {
    let overflow = fail("invalid_argument", "integer overflow")
    switch op {
    case .add:
      let (r, o) = x.addingReportingOverflow(y)
      if o { throw overflow }
      return .int(r)
    case .subtract:
      let (r, o) = x.subtractingReportingOverflow(y)
      if o { throw overflow }
      return .int(r)
    case .multiply:
      let (r, o) = x.multipliedReportingOverflow(by: y)
      if o { throw overflow }
      return .int(r)
    case .divide:
      guard y != 0 else { throw fail("invalid_argument", "ZeroDivisionError: division by zero") }
      return .float(Double(x) / Double(y))
    case .floorDivide, .modulo:
      guard y != 0 else {
        throw fail("invalid_argument", "ZeroDivisionError: integer division or modulo by zero")
      }
      if x == Int.min && y == -1 { throw overflow }
      var q = x / y
      var m = x % y
      if m != 0 && ((m < 0) != (y < 0)) {
        q -= 1
        m += y
      }
      return .int(op == .floorDivide ? q : m)
    case .power:
      if y < 0 {
        guard x != 0 else {
          throw fail(
            "invalid_argument", "ZeroDivisionError: 0.0 cannot be raised to a negative power")
        }
        return .float(Foundation.pow(Double(x), Double(y)))
      }
      var result = 1
      var base = x
      var exponent = y
      while exponent > 0 {
        if exponent & 1 == 1 {
          let (r, o) = result.multipliedReportingOverflow(by: base)
          if o { throw overflow }
          result = r
        }
        exponent >>= 1
        if exponent > 0 {
          let (b, o) = base.multipliedReportingOverflow(by: base)
          if o { throw overflow }
          base = b
        }
      }
      return .int(result)
    case .matmul:
      throw fail("invalid_argument", "unsupported operand type(s) for @: 'int' and 'int'")
    }
  }

  mutating func compare(_ op: ComparisonOperator, _ l: EvalValue, _ r: EvalValue) throws(EvalError)
    -> EvalValue
  {
    switch op {
    case .is: return .bool(identical(l, r))
    case .isNot: return .bool(!identical(l, r))
    default: break
    }
    let tensorOp: String
    switch op {
    case .equal: tensorOp = "eq"
    case .notEqual: tensorOp = "ne"
    case .less: tensorOp = "lt"
    case .lessEqual: tensorOp = "le"
    case .greater: tensorOp = "gt"
    case .greaterEqual: tensorOp = "ge"
    case .is, .isNot: tensorOp = ""
    }
    if case .tensor(let t) = l { return try callOp(tensorOp, [.tensor(t), r], [:]) }
    if case .tensor(let t) = r {
      // Reflected: 1 < x is x > 1.
      let mirrored =
        ["lt": "gt", "gt": "lt", "le": "ge", "ge": "le", "eq": "eq", "ne": "ne"][tensorOp]
        ?? tensorOp
      return try callOp(mirrored, [.tensor(t), l], [:])
    }
    if let a = number(l), let b = number(r) {
      let ordering: Int
      if case .int(let x) = a, case .int(let y) = b {
        ordering = x < y ? -1 : (x > y ? 1 : 0)
      } else {
        let x = a.double
        let y = b.double
        if x.isNaN || y.isNaN { return .bool(op == .notEqual) }
        ordering = x < y ? -1 : (x > y ? 1 : 0)
      }
      return .bool(Self.holds(op, ordering))
    }
    if case .string(let a) = l, case .string(let b) = r {
      return .bool(Self.holds(op, a < b ? -1 : (a > b ? 1 : 0)))
    }
    switch op {
    case .equal: return .bool(equalValues(l, r))
    case .notEqual: return .bool(!equalValues(l, r))
    default:
      throw fail(
        "invalid_argument",
        "'\(op.rawValue)' not supported between instances of '\(l.typeName)' and '\(r.typeName)'")
    }
  }

  private static func holds(_ op: ComparisonOperator, _ ordering: Int) -> Bool {
    switch op {
    case .equal: ordering == 0
    case .notEqual: ordering != 0
    case .less: ordering < 0
    case .lessEqual: ordering <= 0
    case .greater: ordering > 0
    case .greaterEqual: ordering >= 0
    case .is, .isNot: false
    }
  }

  private func equalValues(_ l: EvalValue, _ r: EvalValue) -> Bool {
    switch (l, r) {
    case (.none, .none): return true
    case (.size(let a), .size(let b)): return a == b
    case (.size(let a), .list(let b)), (.list(let b), .size(let a)), (.size(let a), .tuple(let b)),
      (.tuple(let b), .size(let a)):
      return a.count == b.count && zip(a, b).allSatisfy { x, y in equalValues(.int(x), y) }
    case (.list(let a), .list(let b)), (.tuple(let a), .tuple(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { equalValues($0, $1) }
    case (.dtype(let a), .dtype(let b)): return a == b
    case (.gradFn(let a), .gradFn(let b)): return a === b
    default:
      if let a = number(l), let b = number(r) { return a.double == b.double }
      if case .string(let a) = l, case .string(let b) = r { return a == b }
      return false
    }
  }

  private func identical(_ l: EvalValue, _ r: EvalValue) -> Bool {
    switch (l, r) {
    case (.none, .none): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.tensor(let a), .tensor(let b)): return a === b
    case (.gradFn(let a), .gradFn(let b)): return a === b
    case (.dtype(let a), .dtype(let b)): return a == b
    case (.module(let a), .module(let b)): return a == b
    default: return false
    }
  }

  func truth(_ value: EvalValue) throws(EvalError) -> Bool {
    switch value {
    case .none: return false
    case .bool(let b): return b
    case .int(let i): return i != 0
    case .float(let d): return d != 0
    case .string(let s): return !s.isEmpty
    case .list(let items), .tuple(let items), .namedTuple(_, _, let items): return !items.isEmpty
    case .size(let dims): return !dims.isEmpty
    case .tensor(let t):
      guard t.numel == 1 else {
        throw fail(
          "invalid_argument",
          t.numel == 0
            ? "Boolean value of Tensor with no values is ambiguous"
            : "Boolean value of Tensor with more than one value is ambiguous")
      }
      return try engine { () throws(AutogradError) in try t.item() } != 0
    default: return true
    }
  }
}
