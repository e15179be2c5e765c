/// Expressions, lowest precedence first (see `Parser`).
extension Parser {
  /// `a, b` (a tuple without parentheses) or a single expression.
  mutating func parseExpressionList() throws(EvalError) -> Expr {
    let start = current.position
    let first = try parseExpression()
    guard current.isOp(",") else { return first }
    var items = [first]
    while accept(",") {
      if startsExpression(current) {
        items.append(try parseExpression())
      } else {
        break
      }
    }
    return Expr(kind: .tuple(items), position: start)
  }

  func startsExpression(_ token: Token) -> Bool {
    switch token.kind {
    case .name, .int, .float, .string: return true
    case .keyword(let k): return ["True", "False", "None", "not", "lambda"].contains(k)
    case .op(let o): return ["(", "[", "{", "-", "+", "~", "...", "*"].contains(o)
    default: return false
    }
  }

  mutating func parseExpression() throws(EvalError) -> Expr {
    try enter()
    defer { depth -= 1 }
    if current.isKeyword("lambda") {
      throw .refused("lambda expressions are not supported", at: current.position)
    }
    let start = current.position
    let value = try parseOr()
    if acceptKeyword("if") {
      let condition = try parseOr()
      guard acceptKeyword("else") else { throw unexpected(expecting: "'else'") }
      let otherwise = try parseExpression()
      return Expr(
        kind: .conditional(condition: condition, then: value, otherwise: otherwise), position: start
      )
    }
    return value
  }

  mutating func parseOr() throws(EvalError) -> Expr {
    var left = try parseAnd()
    var chained = 0
    defer { depth -= chained }
    while current.isKeyword("or") {
      // A chain builds a left-deep tree that evaluation recurses through: each link counts as a level.
      try enter()
      chained += 1
      _ = advance()
      let right = try parseAnd()
      left = Expr(kind: .or(left, right), position: left.position)
    }
    return left
  }

  mutating func parseAnd() throws(EvalError) -> Expr {
    var left = try parseNot()
    var chained = 0
    defer { depth -= chained }
    while current.isKeyword("and") {
      try enter()
      chained += 1
      _ = advance()
      let right = try parseNot()
      left = Expr(kind: .and(left, right), position: left.position)
    }
    return left
  }

  mutating func parseNot() throws(EvalError) -> Expr {
    if current.isKeyword("not") {
      let start = advance().position
      try enter()
      defer { depth -= 1 }
      let operand = try parseNot()
      return Expr(kind: .unary(.not, operand), position: start)
    }
    return try parseComparison()
  }

  mutating func parseComparison() throws(EvalError) -> Expr {
    let first = try parseArithmetic()
    var rest: [(ComparisonOperator, Expr)] = []
    while true {
      let op: ComparisonOperator
      if let text = current.opText, let comparison = ComparisonOperator(rawValue: text) {
        _ = advance()
        op = comparison
      } else if current.isKeyword("is") {
        _ = advance()
        op = acceptKeyword("not") ? .isNot : .is
      } else if current.isKeyword("in")
        || (current.isKeyword("not") && lookahead(1).isKeyword("in"))
      {
        throw .refused("'in' is not supported", at: current.position)
      } else {
        break
      }
      rest.append((op, try parseArithmetic()))
    }
    if rest.isEmpty { return first }
    return Expr(kind: .compare(first, rest), position: first.position)
  }

  mutating func parseArithmetic() throws(EvalError) -> Expr {
    var left = try parseTerm()
    var chained = 0
    defer { depth -= chained }
    while let text = current.opText, text == "+" || text == "-" {
      try enter()
      chained += 1
      _ = advance()
      let right = try parseTerm()
      left = Expr(
        kind: .binary(text == "+" ? .add : .subtract, left, right), position: left.position)
    }
    if let text = current.opText, ["|", "&", "^", "<<", ">>"].contains(text) {
      throw .refused("the operator '\(text)' is not supported", at: current.position)
    }
    return left
  }

  mutating func parseTerm() throws(EvalError) -> Expr {
    var left = try parseFactor()
    var chained = 0
    defer { depth -= chained }
    while let text = current.opText, let op = BinaryOperator(rawValue: text),
      [.multiply, .divide, .floorDivide, .modulo, .matmul].contains(op)
    {
      try enter()
      chained += 1
      _ = advance()
      let right = try parseFactor()
      left = Expr(kind: .binary(op, left, right), position: left.position)
    }
    return left
  }

  mutating func parseFactor() throws(EvalError) -> Expr {
    if let text = current.opText, text == "-" || text == "+" || text == "~" {
      let start = advance().position
      if text == "~" { throw .refused("the operator '~' is not supported", at: start) }
      try enter()
      defer { depth -= 1 }
      let operand = try parseFactor()
      return Expr(kind: .unary(text == "-" ? .negate : .plus, operand), position: start)
    }
    return try parsePower()
  }

  mutating func parsePower() throws(EvalError) -> Expr {
    let base = try parsePostfix()
    if accept("**") {
      try enter()
      defer { depth -= 1 }
      // The exponent is a factor: right-associative, and `2**-1` works.
      let exponent = try parseFactor()
      return Expr(kind: .binary(.power, base, exponent), position: base.position)
    }
    return base
  }

  mutating func parsePostfix() throws(EvalError) -> Expr {
    var value = try parseAtom()
    // Long chains `x.a.b.c...` recurse when evaluated: each trailer counts as a level.
    var trailers = 0
    defer { depth -= trailers }
    while current.isOp(".") || current.isOp("(") || current.isOp("[") {
      try enter()
      trailers += 1
      if accept(".") {
        guard case .name(let name) = current.kind else {
          throw unexpected(expecting: "an attribute name")
        }
        _ = advance()
        value = Expr(kind: .attribute(value, name), position: value.position)
      } else if accept("(") {
        let arguments = try parseArguments()
        value = Expr(kind: .call(value, arguments), position: value.position)
      } else {
        _ = advance()
        let (items, isTuple) = try parseSubscript()
        value = Expr(kind: .index(value, items, isTuple: isTuple), position: value.position)
      }
    }
    return value
  }

  mutating func parseArguments() throws(EvalError) -> [Argument] {
    var arguments: [Argument] = []
    var sawKeyword = false
    while !current.isOp(")") {
      let start = current.position
      if current.isOp("*") || current.isOp("**") {
        throw .refused("argument unpacking is not supported", at: start)
      }
      if case .name(let label) = current.kind, lookahead(1).isOp("=") {
        _ = advance()
        _ = advance()
        if arguments.contains(where: { $0.label == label }) {
          throw .syntax("keyword argument repeated: \(label)", at: start)
        }
        arguments.append(Argument(label: label, value: try parseExpression(), position: start))
        sawKeyword = true
      } else {
        let value = try parseExpression()
        if sawKeyword { throw .syntax("positional argument follows keyword argument", at: start) }
        if current.isKeyword("for") {
          throw .refused("comprehensions are not supported", at: current.position)
        }
        arguments.append(Argument(label: nil, value: value, position: start))
      }
      if !accept(",") { break }
    }
    try expect(")")
    return arguments
  }

  mutating func parseSubscript() throws(EvalError) -> ([SubscriptItem], Bool) {
    var items: [SubscriptItem] = []
    var isTuple = false
    while !current.isOp("]") {
      items.append(try parseSubscriptItem())
      if accept(",") {
        isTuple = true
      } else {
        break
      }
    }
    if items.isEmpty { throw .syntax("invalid syntax: empty subscript", at: current.position) }
    try expect("]")
    return (items, isTuple)
  }

  mutating func parseSubscriptItem() throws(EvalError) -> SubscriptItem {
    func endsPart(_ token: Token) -> Bool { token.isOp(":") || token.isOp(",") || token.isOp("]") }
    let start: Expr? = endsPart(current) ? nil : try parseExpression()
    guard accept(":") else {
      guard let start else { throw unexpected(expecting: "an index") }
      return .index(start)
    }
    let stop: Expr? = endsPart(current) ? nil : try parseExpression()
    var step: Expr?
    if accept(":") {
      step = endsPart(current) ? nil : try parseExpression()
    }
    return .slice(start: start, stop: stop, step: step)
  }

  mutating func parseAtom() throws(EvalError) -> Expr {
    let token = current
    let start = token.position
    switch token.kind {
    case .name(let name):
      _ = advance()
      return Expr(kind: .name(name), position: start)
    case .int(let value):
      _ = advance()
      return Expr(kind: .int(value), position: start)
    case .float(let value):
      _ = advance()
      return Expr(kind: .float(value), position: start)
    case .string, .formattedString:
      // Adjacent literals concatenate, as in Python; one f-string among them makes the whole formatted.
      var parts: [FormatPart] = []
      var isFormatted = false
      while true {
        if case .string(let text) = current.kind {
          parts.append(.literal(text))
        } else if case .formattedString(let text) = current.kind {
          isFormatted = true
          parts += try parseFormatted(text, at: current.position)
        } else {
          break
        }
        _ = advance()
      }
      if !isFormatted {
        let text = parts.map { part -> String in
          if case .literal(let s) = part { return s }
          return ""
        }.joined()
        return Expr(kind: .string(text), position: start)
      }
      return Expr(kind: .formatted(parts), position: start)
    case .keyword("True"):
      _ = advance()
      return Expr(kind: .bool(true), position: start)
    case .keyword("False"):
      _ = advance()
      return Expr(kind: .bool(false), position: start)
    case .keyword("None"):
      _ = advance()
      return Expr(kind: .none, position: start)
    case .keyword("lambda"):
      throw .refused("lambda expressions are not supported", at: start)
    case .keyword("yield"), .keyword("await"):
      throw .refused("'\(token.describe)' is not supported", at: start)
    case .op("..."):
      _ = advance()
      return Expr(kind: .ellipsis, position: start)
    case .op("("):
      _ = advance()
      if accept(")") { return Expr(kind: .tuple([]), position: start) }
      let first = try parseExpression()
      if current.isKeyword("for") {
        throw .refused("generator expressions are not supported", at: current.position)
      }
      if accept(")") { return first }
      var items = [first]
      while accept(",") {
        if current.isOp(")") { break }
        items.append(try parseExpression())
      }
      try expect(")")
      return Expr(kind: .tuple(items), position: start)
    case .op("["):
      _ = advance()
      var items: [Expr] = []
      while !current.isOp("]") {
        items.append(try parseExpression())
        if current.isKeyword("for") {
          throw .refused("comprehensions are not supported", at: current.position)
        }
        if !accept(",") { break }
      }
      try expect("]")
      return Expr(kind: .list(items), position: start)
    case .op("{"):
      throw .refused("dicts and sets are not supported", at: start)
    case .op("*"):
      throw .refused("unpacking with '*' is not supported", at: start)
    default:
      throw unexpected()
    }
  }
}
