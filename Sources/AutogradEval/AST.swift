/// The parsed program: the subset's statements and expressions, each with its source position.
struct Program: Sendable {
  var statements: [Statement]
}

struct Statement: Sendable {
  indirect enum Kind: Sendable {
    case expression(Expr)
    /// `a = b = value`; each target is a name, a subscript, an attribute or a tuple/list of targets.
    case assign(targets: [Expr], value: Expr)
    case augmentedAssign(target: Expr, op: BinaryOperator, value: Expr)
    /// `with torch.no_grad():` and friends; the context expressions are checked when the block runs.
    case with(contexts: [Expr], body: [Statement])
    /// `import torch`, `import torch.nn.functional as F`: binds `alias` (or the first component) to a module.
    case importModule(path: [String], alias: String?)
    case pass
  }

  var kind: Kind
  var position: SourcePosition
}

enum BinaryOperator: String, Sendable {
  case add = "+"
  case subtract = "-"
  case multiply = "*"
  case divide = "/"
  case floorDivide = "//"
  case modulo = "%"
  case power = "**"
  case matmul = "@"
}

enum UnaryOperator: String, Sendable {
  case negate = "-"
  case plus = "+"
  case not = "not"
}

enum ComparisonOperator: String, Sendable {
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case `is` = "is"
  case isNot = "is not"
}

struct Argument: Sendable {
  var label: String?
  var value: Expr
  var position: SourcePosition
}

/// One component of `x[...]`: an expression, a slice, or `...` (an `.ellipsis` expression).
enum SubscriptItem: Sendable {
  case index(Expr)
  case slice(start: Expr?, stop: Expr?, step: Expr?)
}

struct Expr: Sendable {
  indirect enum Kind: Sendable {
    case name(String)
    case int(Int)
    case float(Double)
    case string(String)
    /// An f-string: literal text and replacement fields.
    case formatted([FormatPart])
    case bool(Bool)
    case none
    case ellipsis
    case list([Expr])
    case tuple([Expr])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    case compare(Expr, [(ComparisonOperator, Expr)])
    case and(Expr, Expr)
    case or(Expr, Expr)
    case conditional(condition: Expr, then: Expr, otherwise: Expr)
    case attribute(Expr, String)
    case call(Expr, [Argument])
    /// `isTuple` tells `x[0]` from `x[0,]`: Python passes a tuple in the second case.
    case index(Expr, [SubscriptItem], isTuple: Bool)
  }

  var kind: Kind
  var position: SourcePosition
}

/// A piece of an f-string: `{value!r:>10.4f}` is a field with conversion `r` and spec `>10.4f`.
enum FormatPart: Sendable {
  case literal(String)
  case field(Expr, conversion: Character?, spec: String)
}
