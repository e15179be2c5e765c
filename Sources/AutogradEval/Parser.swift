/// Recursive descent over the token stream, with Python's precedence and associativity (lowest first):
/// `x if c else y`, `or`, `and`, `not`, comparisons, `+ -`, `* / // % @`, unary `+ -`, `**` (right-associative,
/// binding tighter than a unary minus on its left, looser than one on its right: `-2**2 == -4`, `2**-1 == 0.5`),
/// then calls, subscripts and attributes.
struct Parser {
  let tokens: [Token]
  var index = 0
  var depth = 0
  let limits: EvalLimits

  init(tokens: [Token], limits: EvalLimits = .default, depth: Int = 0) {
    self.tokens = tokens
    self.limits = limits
    self.depth = depth
  }

  static func parse(_ source: String, limits: EvalLimits = .default) throws(EvalError) -> Program {
    if source.utf8.count > limits.maxSourceBytes {
      throw EvalError(
        "limit_exceeded",
        "the program is longer than \(limits.maxSourceBytes) bytes (max-eval-source-bytes)",
        at: SourcePosition(line: 1, column: 1))
    }
    let tokens = try Lexer.tokenize(source, maxNestingDepth: limits.maxNestingDepth)
    var parser = Parser(tokens: tokens, limits: limits)
    return try parser.parseProgram()
  }

  // MARK: - Token stream

  var current: Token { tokens[min(index, tokens.count - 1)] }

  func lookahead(_ offset: Int) -> Token { tokens[min(index + offset, tokens.count - 1)] }

  mutating func advance() -> Token {
    let token = current
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  mutating func accept(_ op: String) -> Bool {
    if current.isOp(op) {
      _ = advance()
      return true
    }
    return false
  }

  mutating func acceptKeyword(_ word: String) -> Bool {
    if current.isKeyword(word) {
      _ = advance()
      return true
    }
    return false
  }

  mutating func expect(_ op: String) throws(EvalError) {
    guard accept(op) else { throw unexpected(expecting: "'\(op)'") }
  }

  func unexpected(expecting: String? = nil) -> EvalError {
    let what = current.describe
    if let expecting {
      return .syntax("expected \(expecting), found \(what)", at: current.position)
    }
    return .syntax("invalid syntax: unexpected \(what)", at: current.position)
  }

  mutating func enter() throws(EvalError) {
    depth += 1
    if depth > limits.maxNestingDepth {
      throw EvalError(
        "limit_exceeded", "expressions nest deeper than \(limits.maxNestingDepth) levels",
        at: current.position)
    }
  }

  // MARK: - Statements

  mutating func parseProgram() throws(EvalError) -> Program {
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
  mutating func parseLine(into statements: inout [Statement]) throws(EvalError) {
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

  func tooManyStatements() -> EvalError {
    EvalError(
      "limit_exceeded",
      "the program has more than \(limits.maxStatements) statements (max-eval-statements)",
      at: current.position)
  }

  mutating func parseWith() throws(EvalError) -> Statement {
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

  static let refusedStatements: [String: String] = [
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

  mutating func parseSimpleStatement() throws(EvalError) -> Statement {
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

  static let augmentedOperators: [String: BinaryOperator] = [
    "+=": .add, "-=": .subtract, "*=": .multiply, "/=": .divide, "//=": .floorDivide, "%=": .modulo,
    "**=": .power, "@=": .matmul,
  ]

  func checkTarget(_ target: Expr, augmented: Bool) throws(EvalError) {
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

  mutating func parseImport() throws(EvalError) -> Statement {
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
}
