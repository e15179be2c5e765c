import Autograd

/// One component of a subscript once evaluated: what a tensor index string or a Python sequence index needs.
enum IndexPart {
  case int(Int)
  case newAxis
  case ellipsis
  case slice(Int?, Int?, Int?)
}

/// `x[...]`: tensors get the engine's index string, Python sequences Python's indexing and slicing.
extension Interpreter {

  mutating func indexParts(_ items: [SubscriptItem], isTuple: Bool) throws(EvalError) -> [IndexPart]
  {
    var parts: [IndexPart] = []
    for item in items {
      switch item {
      case .index(let expr):
        if case .ellipsis = expr.kind {
          parts.append(.ellipsis)
          continue
        }
        let value = try evaluate(expr)
        if !isTuple, items.count == 1, case .tuple(let inner) = value {
          // `y[idx]` with idx = (0, 1) indexes like `y[0, 1]`.
          for v in inner { parts.append(try indexPart(v)) }
        } else {
          parts.append(try indexPart(value))
        }
      case .slice(let start, let stop, let step):
        parts.append(.slice(try sliceBound(start), try sliceBound(stop), try sliceBound(step)))
      }
    }
    return parts
  }

  private func indexPart(_ value: EvalValue) throws(EvalError) -> IndexPart {
    switch value {
    case .int(let i): return .int(i)
    case .none: return .newAxis
    case .tensor(let t) where t.rank == 0 && t.dtype == .int64:
      return .int(Int(try engine { () throws(AutogradError) in try t.item() }))
    case .tensor, .list:
      throw fail(
        "invalid_op", "advanced indexing (lists, tensors or masks as indices) is not supported")
    default:
      throw fail(
        "invalid_argument", "indices must be integers, slices, '...' or None, not \(value.typeName)"
      )
    }
  }

  private mutating func sliceBound(_ expr: Expr?) throws(EvalError) -> Int? {
    guard let expr else { return nil }
    switch try evaluate(expr) {
    case .none: return nil
    case .int(let i): return i
    case .tensor(let t) where t.rank == 0 && t.dtype == .int64:
      return Int(try engine { () throws(AutogradError) in try t.item() })
    case let other:
      throw fail(
        "invalid_argument", "slice indices must be integers or None, not \(other.typeName)")
    }
  }

  /// The engine's index string (API.md: NumPy syntax, comma separated).
  static func indexString(_ parts: [IndexPart]) -> String {
    parts.map { part -> String in
      switch part {
      case .int(let i): return String(i)
      case .newAxis: return "None"
      case .ellipsis: return "..."
      case .slice(let a, let b, let c):
        return (a.map(String.init) ?? "") + ":" + (b.map(String.init) ?? "")
          + (c.map { ":" + String($0) } ?? "")
      }
    }.joined(separator: ", ")
  }

  mutating func getItem(_ base: EvalValue, index: [IndexPart]) throws(EvalError) -> EvalValue {
    switch base {
    case .tensor(let t):
      return try callOp("getitem", [.tensor(t)], ["index": .string(Self.indexString(index))])
    case .list(let items):
      return try sequenceItem(items, index, wrap: { .list($0) })
    case .tuple(let items), .namedTuple(_, _, let items):
      return try sequenceItem(items, index, wrap: { .tuple($0) })
    case .size(let dims):
      return try sequenceItem(
        dims.map { .int($0) }, index,
        wrap: { v in .size(v.compactMap { if case .int(let i) = $0 { i } else { nil } }) })
    default:
      throw fail("invalid_argument", "'\(base.typeName)' object is not subscriptable")
    }
  }

  private func sequenceItem(
    _ items: [EvalValue], _ index: [IndexPart], wrap: ([EvalValue]) -> EvalValue
  )
    throws(EvalError) -> EvalValue
  {
    guard index.count == 1 else {
      throw fail("invalid_argument", "sequence indices must be integers or slices")
    }
    let n = items.count
    switch index[0] {
    case .int(let i):
      let k = i < 0 ? i + n : i
      guard k >= 0 && k < n else {
        throw fail("invalid_argument", "IndexError: index out of range")
      }
      return items[k]
    case .slice(let start, let stop, let step):
      let s = step ?? 1
      guard s != 0 else { throw fail("invalid_argument", "slice step cannot be zero") }
      func clamp(_ v: Int?, _ fallback: Int, _ low: Int, _ high: Int) -> Int {
        guard let v else { return fallback }
        let adjusted = v < 0 ? v + n : v
        return min(max(adjusted, low), high)
      }
      var out: [EvalValue] = []
      if s > 0 {
        var i = clamp(start, 0, 0, n)
        let end = clamp(stop, n, 0, n)
        while i < end {
          out.append(items[i])
          // A huge step (x[::2**62]) must end the walk, not overflow.
          let (next, overflow) = i.addingReportingOverflow(s)
          if overflow { break }
          i = next
        }
      } else {
        var i = clamp(start, n - 1, -1, n - 1)
        let end = clamp(stop, -1, -1, n - 1)
        while i > end {
          out.append(items[i])
          // A huge step (x[::2**62]) must end the walk, not overflow.
          let (next, overflow) = i.addingReportingOverflow(s)
          if overflow { break }
          i = next
        }
      }
      return wrap(out)
    default:
      throw fail("invalid_argument", "sequence indices must be integers or slices")
    }
  }
}
