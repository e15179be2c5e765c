import Autograd

/// `=`, augmented assignment, `y[index] = value` and the few writable tensor attributes.
extension Interpreter {
  mutating func assign(_ value: EvalValue, to target: Expr) throws(EvalError) {
    switch target.kind {
    case .name(let name):
      bindLocal(name, value)
    case .tuple(let targets), .list(let targets):
      let items: [EvalValue]
      switch value {
      case .tuple(let v), .list(let v), .namedTuple(_, _, let v): items = v
      case .size(let dims): items = dims.map { .int($0) }
      default: throw fail("invalid_argument", "cannot unpack non-iterable \(value.typeName) object")
      }
      guard items.count == targets.count else {
        throw fail(
          "invalid_argument",
          items.count > targets.count
            ? "too many values to unpack (expected \(targets.count))"
            : "not enough values to unpack (expected \(targets.count), got \(items.count))")
      }
      for (item, inner) in zip(items, targets) { try assign(item, to: inner) }
    case .index(let baseExpr, let items, let isTuple):
      let base = try evaluate(baseExpr)
      let index = try indexParts(items, isTuple: isTuple)
      try setItem(base, index: index, value: value)
    case .attribute(let baseExpr, let name):
      let base = try evaluate(baseExpr)
      try setAttribute(base, name, value)
    default:
      throw fail("invalid_argument", "cannot assign to expression")
    }
  }

  mutating func augmentedAssign(target: Expr, op: BinaryOperator, value valueExpr: Expr)
    throws(EvalError)
  {
    switch target.kind {
    case .name(let name):
      let current = try lookup(name)
      let value = try evaluate(valueExpr)
      bindLocal(name, try inPlace(current, op, value))
    case .attribute(let baseExpr, let name):
      let base = try evaluate(baseExpr)
      let current = try attribute(of: base, name)
      let value = try evaluate(valueExpr)
      let updated = try inPlace(current, op, value)
      // `x.data *= 100` changed the alias in place: writing it back onto itself would be a no-op.
      if case .tensor(let a) = current, case .tensor(let b) = updated, a === b { return }
      try setAttribute(base, name, updated)
    case .index(let baseExpr, let items, let isTuple):
      // Python: tmp = y[i]; tmp = tmp.__iop__(v); y[i] = tmp.
      let base = try evaluate(baseExpr)
      let index = try indexParts(items, isTuple: isTuple)
      let current = try getItem(base, index: index)
      let value = try evaluate(valueExpr)
      try setItem(base, index: index, value: try inPlace(current, op, value))
    default:
      throw fail("invalid_argument", "illegal expression for augmented assignment")
    }
  }

  /// `a op= b`: tensors change in place (`add_`), as Python's `__iadd__` does; Python values are rebound.
  private mutating func inPlace(_ current: EvalValue, _ op: BinaryOperator, _ value: EvalValue)
    throws(EvalError)
    -> EvalValue
  {
    guard case .tensor(let t) = current, op != .matmul else {
      return try binary(op, current, value)
    }
    let name: String
    switch op {
    case .add: name = "add_"
    case .subtract: name = "sub_"
    case .multiply: name = "mul_"
    case .divide: name = "div_"
    case .power: name = "pow_"
    case .floorDivide: name = "floor_divide_"
    case .modulo: name = "remainder_"
    case .matmul: name = "matmul"
    }
    return try callOp(name, [.tensor(t), value], [:])
  }

  mutating func setItem(_ base: EvalValue, index: [IndexPart], value: EvalValue) throws(EvalError) {
    guard case .tensor(let t) = base else {
      throw fail(
        "invalid_argument", "'\(base.typeName)' object does not support item assignment here")
    }
    _ = try callOp("setitem", [.tensor(t), value], ["index": .string(Self.indexString(index))])
  }

  private mutating func setAttribute(_ base: EvalValue, _ name: String, _ value: EvalValue)
    throws(EvalError)
  {
    guard case .tensor(let t) = base else {
      throw fail(
        "invalid_argument", "cannot set attribute '\(name)' of a '\(base.typeName)' object")
    }
    switch (name, value) {
    case ("data", .tensor(let v)):
      try engine { () throws(AutogradError) in try t.setData(v) }
    case ("grad", .none):
      t.clearGrad()
    case ("grad", .tensor(let g)):
      try engine { () throws(AutogradError) in try t.setGrad(g) }
    case ("requires_grad", .bool(let flag)):
      try engine { () throws(AutogradError) in try t.setRequiresGrad(flag) }
    case ("data", _), ("grad", _), ("requires_grad", _):
      throw fail(
        "invalid_argument", "cannot assign '\(value.typeName)' to tensor attribute '\(name)'")
    default:
      throw fail("invalid_argument", "setting the tensor attribute '\(name)' is not supported")
    }
  }
}
