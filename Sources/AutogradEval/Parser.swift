/// Recursive descent over the token stream, with Python's precedence and associativity (lowest first):
/// `x if c else y`, `or`, `and`, `not`, comparisons, `+ -`, `* / // % @`, unary `+ -`, `**` (right-associative,
/// binding tighter than a unary minus on its left, looser than one on its right: `-2**2 == -4`, `2**-1 == 0.5`),
/// then calls, subscripts and attributes.
struct Parser {
  private let tokens: [Token]
  private var index = 0
  private var depth = 0
  private let limits: EvalLimits

  init(tokens: [Token], limits: EvalLimits = .default) {
    self.tokens = tokens
    self.limits = limits
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
    while current.isKeyword("or") {
      _ = advance()
      let right = try parseAnd()
      left = Expr(kind: .or(left, right), position: left.position)
    }
    return left
  }

  private mutating func parseAnd() throws(EvalError) -> Expr {
    var left = try parseNot()
    while current.isKeyword("and") {
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
    while let text = current.opText, text == "+" || text == "-" {
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
    while let text = current.opText, let op = BinaryOperator(rawValue: text),
      [.multiply, .divide, .floorDivide, .modulo, .matmul].contains(op)
    {
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
    var trailers = 0
    while true {
      if current.isOp(".") {
        _ = advance()
        guard case .name(let name) = current.kind else {
          throw unexpected(expecting: "an attribute name")
        }
        _ = advance()
        value = Expr(kind: .attribute(value, name), position: value.position)
      } else if current.isOp("(") {
        _ = advance()
        let arguments = try parseArguments()
        value = Expr(kind: .call(value, arguments), position: value.position)
      } else if current.isOp("[") {
        _ = advance()
        let (items, isTuple) = try parseSubscript()
        value = Expr(kind: .index(value, items, isTuple: isTuple), position: value.position)
      } else {
        break
      }
      // Long chains `x.a.b.c...` recurse when evaluated: count them toward the nesting cap.
      trailers += 1
      if trailers > limits.maxNestingDepth {
        throw EvalError(
          "limit_exceeded", "expressions nest deeper than \(limits.maxNestingDepth) levels",
          at: current.position)
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
    case .string(var text):
      _ = advance()
      // Adjacent literals concatenate, as in Python.
      while case .string(let more) = current.kind {
        text += more
        _ = advance()
      }
      return Expr(kind: .string(text), position: start)
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
