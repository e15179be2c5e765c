import Autograd

extension Interpreter {
  mutating func evaluate(_ expr: Expr) throws(EvalError) -> EvalValue {
    switch expr.kind {
    case .name(let name): return try lookup(name)
    case .int(let i): return .int(i)
    case .float(let d): return .float(d)
    case .string(let s): return .string(s)
    case .formatted(let parts):
      var text = ""
      for part in parts {
        switch part {
        case .literal(let s):
          text += s
        case .field(let expr, let conversion, let spec):
          let value = try evaluate(expr)
          let piece: String
          switch conversion {
          case "r": piece = value.repr
          case "s": piece = value.str
          default: piece = try formatField(value, spec)
          }
          text += piece
        }
        if text.utf8.count > limits.maxOutputBytes {
          throw fail("limit_exceeded", "string longer than \(limits.maxOutputBytes) bytes")
        }
      }
      return .string(text)
    case .bool(let b): return .bool(b)
    case .none: return .none
    case .ellipsis: throw fail("invalid_argument", "'...' is only supported inside a subscript")
    case .list(let items):
      var values: [EvalValue] = []
      for item in items { values.append(try evaluate(item)) }
      return .list(values)
    case .tuple(let items):
      var values: [EvalValue] = []
      for item in items { values.append(try evaluate(item)) }
      return .tuple(values)
    case .unary(let op, let operand):
      return try unary(op, try evaluate(operand))
    case .binary(let op, let left, let right):
      let l = try evaluate(left)
      let r = try evaluate(right)
      return try binary(op, l, r)
    case .compare(let first, let rest):
      var left = try evaluate(first)
      var result: EvalValue = .bool(true)
      for (i, (op, rightExpr)) in rest.enumerated() {
        let right = try evaluate(rightExpr)
        result = try compare(op, left, right)
        // `a < b < c` is `a < b and b < c`: only a chain asks for the truth of a link.
        if i < rest.count - 1, !(try truth(result)) { return result }
        left = right
      }
      return result
    case .and(let left, let right):
      let l = try evaluate(left)
      return try truth(l) ? try evaluate(right) : l
    case .or(let left, let right):
      let l = try evaluate(left)
      return try truth(l) ? l : try evaluate(right)
    case .conditional(let condition, let then, let otherwise):
      return try truth(try evaluate(condition)) ? try evaluate(then) : try evaluate(otherwise)
    case .attribute(let base, let name):
      return try attribute(of: try evaluate(base), name)
    case .call(let callee, let arguments):
      let args = try evaluateArguments(arguments)
      if case .attribute(let baseExpr, let name) = callee.kind {
        return try callMethod(try evaluate(baseExpr), name, args)
      }
      return try call(try evaluate(callee), args)
    case .index(let baseExpr, let items, let isTuple):
      let base = try evaluate(baseExpr)
      return try getItem(base, index: try indexParts(items, isTuple: isTuple))
    }
  }

  private mutating func evaluateArguments(_ arguments: [Argument]) throws(EvalError)
    -> CallArguments
  {
    var args = CallArguments()
    for argument in arguments {
      let value = try evaluate(argument.value)
      if let label = argument.label {
        args.keywords.append((label, value))
      } else {
        args.positional.append(value)
      }
    }
    return args
  }
}

/// Evaluated call arguments, keywords in source order.
struct CallArguments {
  var positional: [EvalValue] = []
  var keywords: [(String, EvalValue)] = []
}
