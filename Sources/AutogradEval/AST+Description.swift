/// A fully parenthesized rendering of the syntax tree, so tests can state precedence and associativity exactly.
extension Expr {
  var sexpr: String {
    switch kind {
    case .name(let n): return n
    case .int(let i): return String(i)
    case .float(let d): return String(d)
    case .string(let s): return "'\(s)'"
    case .formatted(let parts):
      return "(f "
        + parts.map { part -> String in
          switch part {
          case .literal(let s): return "'\(s)'"
          case .field(let e, let c, let spec):
            return "{\(e.sexpr)" + (c.map { "!\($0)" } ?? "") + (spec.isEmpty ? "" : ":" + spec)
              + "}"
          }
        }.joined(separator: " ") + ")"
    case .bool(let b): return b ? "True" : "False"
    case .none: return "None"
    case .ellipsis: return "..."
    case .list(let items): return "[" + items.map(\.sexpr).joined(separator: " ") + "]"
    case .tuple(let items): return "(tuple " + items.map(\.sexpr).joined(separator: " ") + ")"
    case .unary(let op, let e): return "(\(op.rawValue) \(e.sexpr))"
    case .binary(let op, let l, let r): return "(\(op.rawValue) \(l.sexpr) \(r.sexpr))"
    case .compare(let first, let rest):
      return "(cmp \(first.sexpr)" + rest.map { " \($0.0.rawValue) \($0.1.sexpr)" }.joined() + ")"
    case .and(let l, let r): return "(and \(l.sexpr) \(r.sexpr))"
    case .or(let l, let r): return "(or \(l.sexpr) \(r.sexpr))"
    case .conditional(let c, let t, let o): return "(if \(c.sexpr) \(t.sexpr) \(o.sexpr))"
    case .attribute(let e, let name): return "(. \(e.sexpr) \(name))"
    case .call(let f, let args):
      let rendered = args.map { a in a.label.map { "\($0)=\(a.value.sexpr)" } ?? a.value.sexpr }
      return "(call \(f.sexpr)" + rendered.map { " " + $0 }.joined() + ")"
    case .index(let e, let items, let isTuple):
      let rendered = items.map { item -> String in
        switch item {
        case .index(let e): return e.sexpr
        case .slice(let a, let b, let c):
          return (a?.sexpr ?? "") + ":" + (b?.sexpr ?? "") + (c.map { ":" + $0.sexpr } ?? "")
        }
      }
      return "([] \(e.sexpr) " + rendered.joined(separator: ",") + (isTuple ? ",)" : ")")
    }
  }
}

extension Statement {
  var sexpr: String {
    switch kind {
    case .expression(let e): return e.sexpr
    case .assign(let targets, let value):
      return "(= " + targets.map(\.sexpr).joined(separator: " ") + " \(value.sexpr))"
    case .augmentedAssign(let target, let op, let value):
      return "(\(op.rawValue)= \(target.sexpr) \(value.sexpr))"
    case .with(let contexts, let body):
      return "(with " + contexts.map(\.sexpr).joined(separator: " ") + " "
        + body.map(\.sexpr).joined(separator: " ")
        + ")"
    case .importModule(let path, let alias):
      return "(import \(path.joined(separator: "."))" + (alias.map { " as \($0)" } ?? "") + ")"
    case .pass: return "pass"
    }
  }
}
