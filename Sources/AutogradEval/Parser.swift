/// Recursive descent over the token stream, with Python's precedence and associativity (lowest first):
/// `x if c else y`, `or`, `and`, `not`, comparisons, `+ -`, `* / // % @`, unary `+ -`, `**` (right-associative,
/// binding tighter than a unary minus on its left, looser than one on its right: `-2**2 == -4`, `2**-1 == 0.5`),
/// then calls, subscripts and attributes.
struct Parser {
  private let tokens: [Token]
  private var index = 0
  private var depth = 0
  private let limits: EvalLimits

  init(tokens: [Token], limits: EvalLimits = .default, depth: Int = 0) {
    self.tokens = tokens
    self.limits = limits
    self.depth = depth
  }

  static func parse(_ source: String, limits: EvalLimits = .default) throws(EvalError) -> Program {
    if source.utf8.count > limits.maxSourceBytes {
      throw EvalError(
        "limit_exceeded", "the program is longer than \(limits.maxSourceBytes) bytes",
        at: SourcePosition(line: 1, column: 1))
    }
    let tokens = try Lexer.tokenize(source, maxNestingDepth: limits.maxNestingDepth)
    var parser = Parser(tokens: tokens, limits: limits)
    return try parser.parseProgram()
  }

  // MARK: - Token stream

  private var current: Token { tokens[min(index, tokens.count - 1)] }

  private func lookahead(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

  private mutating func advance() -> Token {
    let token = current
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  private mutating func accept(_ op: String) -> Bool {
    if current.isOp(op) {
      _ = advance()
      return true
    }
    return false
  }

  private mutating func acceptKeyword(_ word: String) -> Bool {
    if current.isKeyword(word) {
      _ = advance()
      return true
    }
    return false
  }

  private mutating func expect(_ op: String) throws(EvalError) {
    guard accept(op) else { throw unexpected(expecting: "'\(op)'") }
  }

  private func unexpected(expecting: String? = nil) -> EvalError {
    let what = current.describe
    if let expecting {
      return .syntax("expected \(expecting), found \(what)", at: current.position)
    }
    return .syntax("invalid syntax: unexpected \(what)", at: current.position)
  }

  private mutating func enter() throws(EvalError) {
    depth += 1
    if depth > limits.maxNestingDepth {
      throw EvalError(
        "limit_exceeded", "expressions nest deeper than \(limits.maxNestingDepth) levels",
        at: current.position)
    }
  }

  // MARK: - Statements

  private mutating func parseProgram() throws(EvalError) -> Program {
    var statements: [Statement] = []
    while current.kind != .end {
      if current.kind == .newline {
        _ = advance()
        continue
      }
      if current.kind == .indent { throw .syntax("unexpected indent", at: current.position) }
      try parseLine(into: &statements)
    }
    return Program(statements: statements)
  }

  /// One physical line: simple statements separated by `;`, or a compound statement.
  private mutating func parseLine(into statements: inout [Statement]) throws(EvalError) {
    if current.isKeyword("with") {
      statements.append(try parseWith())
      return
    }
    while true {
      statements.append(try parseSimpleStatement())
      if statements.count > limits.maxStatements { throw tooManyStatements() }
      if accept(";") {
        if current.kind == .newline || current.kind == .end { break }
        continue
      }
      break
    }
    guard current.kind == .newline || current.kind == .end else {
      throw unexpected(expecting: "end of line")
    }
    if current.kind == .newline { _ = advance() }
  }

  private func tooManyStatements() -> EvalError {
    EvalError(
      "limit_exceeded", "the program has more than \(limits.maxStatements) statements",
      at: current.position)
  }

  private mutating func parseWith() throws(EvalError) -> Statement {
    let start = advance().position
    var contexts: [Expr] = []
    repeat {
      let context = try parseExpression()
      if current.isKeyword("as") {
        throw .refused("'with ... as' is not supported", at: current.position)
      }
      contexts.append(context)
    } while accept(",")
    try expect(":")
    var body: [Statement] = []
    if current.kind == .newline {
      _ = advance()
      guard current.kind == .indent else {
        throw .syntax("expected an indented block", at: current.position)
      }
      _ = advance()
      while current.kind != .dedent && current.kind != .end {
        if current.kind == .newline {
          _ = advance()
          continue
        }
        if current.kind == .indent { throw .syntax("unexpected indent", at: current.position) }
        try parseLine(into: &body)
        if body.count > limits.maxStatements { throw tooManyStatements() }
      }
      if current.kind == .dedent { _ = advance() }
    } else {
      try parseLine(into: &body)
    }
    return Statement(kind: .with(contexts: contexts, body: body), position: start)
  }

  private static let refusedStatements: [String: String] = [
    "for": "loops are not supported", "while": "loops are not supported",
    "def": "function definitions are not supported", "class": "class definitions are not supported",
    "lambda": "lambda expressions are not supported", "if": "'if' statements are not supported",
    "elif": "'if' statements are not supported", "else": "'else' is not supported here",
    "try": "'try' is not supported", "except": "'except' is not supported",
    "finally": "'finally' is not supported", "raise": "'raise' is not supported",
    "return": "'return' outside a function", "yield": "'yield' is not supported",
    "global": "'global' is not supported", "nonlocal": "'nonlocal' is not supported",
    "del": "'del' is not supported", "assert": "'assert' is not supported",
    "async": "'async' is not supported", "await": "'await' is not supported",
    "break": "loops are not supported", "continue": "loops are not supported",
    "from": "only 'import torch' (and 'import torch.nn.functional as F') is supported",
  ]

  private mutating func parseSimpleStatement() throws(EvalError) -> Statement {
    let start = current.position
    if case .keyword(let word) = current.kind {
      if word == "pass" {
        _ = advance()
        return Statement(kind: .pass, position: start)
      }
      if word == "import" { return try parseImport() }
      if let reason = Self.refusedStatements[word] { throw .refused(reason, at: start) }
    }
    let first = try parseExpressionList()
    if let op = current.opText, let binary = Self.augmentedOperators[op] {
      _ = advance()
      try checkTarget(first, augmented: true)
      let value = try parseExpressionList()
      return Statement(
        kind: .augmentedAssign(target: first, op: binary, value: value), position: start)
    }
    if current.isOp("=") {
      var targets = [first]
      var value = first
      while accept("=") {
        value = try parseExpressionList()
        targets.append(value)
      }
      targets.removeLast()
      for target in targets { try checkTarget(target, augmented: false) }
      return Statement(kind: .assign(targets: targets, value: value), position: start)
    }
    if current.isOp(":") { throw .refused("annotations are not supported", at: current.position) }
    if current.isOp(":=") { throw .refused("':=' is not supported", at: current.position) }
    return Statement(kind: .expression(first), position: start)
  }

  private static let augmentedOperators: [String: BinaryOperator] = [
    "+=": .add, "-=": .subtract, "*=": .multiply, "/=": .divide, "//=": .floorDivide, "%=": .modulo,
    "**=": .power, "@=": .matmul,
  ]

  private func checkTarget(_ target: Expr, augmented: Bool) throws(EvalError) {
    switch target.kind {
    case .name, .attribute, .index:
      return
    case .tuple(let items), .list(let items):
      if augmented {
        throw .syntax("illegal expression for augmented assignment", at: target.position)
      }
      for item in items { try checkTarget(item, augmented: false) }
    case .call:
      throw .syntax("cannot assign to function call", at: target.position)
    default:
      throw .syntax("cannot assign to expression", at: target.position)
    }
  }

  private mutating func parseImport() throws(EvalError) -> Statement {
    let start = advance().position
    var path: [String] = []
    repeat {
      guard case .name(let component) = current.kind else {
        throw unexpected(expecting: "a module name")
      }
      path.append(component)
      _ = advance()
    } while accept(".")
    var alias: String?
    if acceptKeyword("as") {
      guard case .name(let name) = current.kind else { throw unexpected(expecting: "a name") }
      alias = name
      _ = advance()
    }
    let allowed: [[String]] = [
      ["torch"], ["torch", "nn", "functional"], ["torch", "nn"], ["torch", "autograd"],
    ]
    guard allowed.contains(path) else {
      throw .refused(
        "only 'import torch' (and 'import torch.nn.functional as F') is supported", at: start)
    }
    if current.isOp(",") { throw .refused("import one module per statement", at: current.position) }
    return Statement(kind: .importModule(path: path, alias: alias), position: start)
  }

  // MARK: - Expressions

  /// `a, b` (a tuple without parentheses) or a single expression.
  private mutating func parseExpressionList() throws(EvalError) -> Expr {
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

  private func startsExpression(_ token: Token) -> Bool {
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

  private mutating func parseOr() throws(EvalError) -> Expr {
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

  private mutating func parseAnd() throws(EvalError) -> Expr {
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

  private mutating func parseNot() throws(EvalError) -> Expr {
    if current.isKeyword("not") {
      let start = advance().position
      try enter()
      defer { depth -= 1 }
      let operand = try parseNot()
      return Expr(kind: .unary(.not, operand), position: start)
    }
    return try parseComparison()
  }

  private mutating func parseComparison() throws(EvalError) -> Expr {
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

  private mutating func parseArithmetic() throws(EvalError) -> Expr {
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

  private mutating func parseTerm() throws(EvalError) -> Expr {
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

  private mutating func parseFactor() throws(EvalError) -> Expr {
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

  private mutating func parsePower() throws(EvalError) -> Expr {
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

  private mutating func parsePostfix() throws(EvalError) -> Expr {
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

  private mutating func parseArguments() throws(EvalError) -> [Argument] {
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

  private mutating func parseSubscript() throws(EvalError) -> ([SubscriptItem], Bool) {
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

  private mutating func parseSubscriptItem() throws(EvalError) -> SubscriptItem {
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

  private mutating func parseAtom() throws(EvalError) -> Expr {
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

  // MARK: - f-strings

  /// Splits an f-string into literal text and fields; each field's expression is parsed by a nested parser that
  /// continues this one's depth count.
  private func parseFormatted(_ text: String, at position: SourcePosition) throws(EvalError)
    -> [FormatPart]
  {
    let chars = Array(text)
    var parts: [FormatPart] = []
    var literal = ""
    var i = 0
    while i < chars.count {
      let c = chars[i]
      if c == "{" && i + 1 < chars.count && chars[i + 1] == "{" {
        literal.append("{")
        i += 2
        continue
      }
      if c == "}" {
        guard i + 1 < chars.count && chars[i + 1] == "}" else {
          throw .syntax("f-string: single '}' is not allowed", at: position)
        }
        literal.append("}")
        i += 2
        continue
      }
      guard c == "{" else {
        literal.append(c)
        i += 1
        continue
      }
      // Find the field's end, skipping brackets and quoted strings inside it.
      var j = i + 1
      var nesting = 0
      var quote: Character?
      var conversionAt: Int?
      var specAt: Int?
      while j < chars.count {
        let d = chars[j]
        if let q = quote {
          if d == q { quote = nil }
        } else if d == "'" || d == "\"" {
          quote = d
        } else if d == "(" || d == "[" || d == "{" {
          nesting += 1
        } else if d == ")" || d == "]" || (d == "}" && nesting > 0) {
          nesting -= 1
        } else if d == "}" {
          break
        } else if nesting == 0 && specAt == nil && d == "!" && j + 1 < chars.count
          && chars[j + 1] != "="
        {
          conversionAt = conversionAt ?? j
        } else if nesting == 0 && specAt == nil && d == ":" {
          specAt = j
        }
        j += 1
      }
      guard j < chars.count else { throw .syntax("f-string: expecting '}'", at: position) }
      let expressionEnd = conversionAt ?? specAt ?? j
      var expressionText = String(chars[(i + 1)..<expressionEnd])
      var conversion: Character?
      if let c = conversionAt {
        let end = specAt ?? j
        let body = String(chars[(c + 1)..<end])
        guard body == "r" || body == "s" else {
          throw .syntax("f-string: invalid conversion character: expected 's' or 'r'", at: position)
        }
        conversion = body.first
      }
      let spec = specAt.map { String(chars[($0 + 1)..<j]) } ?? ""
      if spec.contains("{") {
        throw .refused("nested replacement fields in f-strings are not supported", at: position)
      }
      // `{x=}` prints the expression's text, then its repr.
      let trimmed = expressionText.trimmingSpaces
      if trimmed.hasSuffix("=")
        && !["==", "!=", "<=", ">="].contains(where: { trimmed.hasSuffix($0) })
      {
        literal += expressionText
        expressionText = String(trimmed.dropLast())
        if conversion == nil && spec.isEmpty { conversion = "r" }
      }
      if !literal.isEmpty {
        parts.append(.literal(literal))
        literal = ""
      }
      guard !expressionText.trimmingSpaces.isEmpty else {
        throw .syntax("f-string: empty expression not allowed", at: position)
      }
      let expression: Expr
      do throws(EvalError) {
        let tokens = try Lexer.tokenize(
          "(" + expressionText + ")", maxNestingDepth: limits.maxNestingDepth)
        var inner = Parser(tokens: tokens, limits: limits, depth: depth)
        expression = try inner.parseExpression()
        guard inner.current.kind == .newline || inner.current.kind == .end else {
          throw inner.unexpected()
        }
      } catch {
        throw EvalError(error.code, "f-string: " + error.message, at: position)
      }
      parts.append(
        .field(Expression.reposition(expression, to: position), conversion: conversion, spec: spec))
      i = j + 1
    }
    if !literal.isEmpty { parts.append(.literal(literal)) }
    return parts
  }
}

/// Namespace for moving a nested parse's nodes to the f-string's position (their own positions are relative).
enum Expression {
  static func reposition(_ expr: Expr, to position: SourcePosition) -> Expr {
    var copy = expr
    copy.position = position
    return copy
  }
}
