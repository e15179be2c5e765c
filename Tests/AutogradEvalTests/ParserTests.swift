import Testing

@testable import AutogradEval

@Suite struct ParserTests {
  private func expr(_ source: String) throws -> String {
    let program = try Parser.parse(source)
    return program.statements.map(\.sexpr).joined(separator: "; ")
  }

  private func error(_ source: String) -> EvalError? {
    do {
      _ = try Parser.parse(source)
      return nil
    } catch {
      return error
    }
  }

  @Test func powerIsRightAssociative() throws {
    #expect(try expr("2 ** 3 ** 2") == "(** 2 (** 3 2))")
  }

  @Test func powerBindsTighterThanUnaryMinusOnItsLeft() throws {
    #expect(try expr("-2 ** 2") == "(- (** 2 2))")
  }

  @Test func unaryMinusIsAllowedInTheExponent() throws {
    #expect(try expr("2 ** -1") == "(** 2 (- 1))")
  }

  @Test func multiplicationBindsTighterThanAddition() throws {
    #expect(try expr("a + b * c - d / e") == "(- (+ a (* b c)) (/ d e))")
  }

  @Test func matmulSharesMultiplicationsLevelLeftToRight() throws {
    #expect(try expr("a @ b * c") == "(* (@ a b) c)")
  }

  @Test func subtractionIsLeftAssociative() throws {
    #expect(try expr("a - b - c") == "(- (- a b) c)")
  }

  @Test func comparisonsAndBooleansBindLoosest() throws {
    #expect(try expr("not a + 1 < b and c or d") == "(or (and (not (cmp (+ a 1) < b)) c) d)")
    #expect(try expr("x.grad is not None") == "(cmp (. x grad) is not None)")
  }

  @Test func callsWithKeywordArgumentsAndNestedLists() throws {
    #expect(
      try expr("torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)")
        == "(call (. torch tensor) [[1.0 0.1] [0.01 0.001]] dtype=(. torch float))")
    #expect(try expr("torch.ones((2, 2))") == "(call (. torch ones) (tuple 2 2))")
  }

  @Test func subscriptsWithSlicesEllipsisAndNone() throws {
    #expect(try expr("x[:, 1:3]") == "([] x :,1:3,)")
    #expect(try expr("x[..., None]") == "([] x ...,None,)")
    #expect(try expr("x[::2]") == "([] x ::2)")
    #expect(try expr("y[0]") == "([] y 0)")
    #expect(try expr("y[0,]") == "([] y 0,)")
  }

  @Test func postfixChainsBindTighterThanPower() throws {
    #expect(try expr("x.grad.data.zero_()") == "(call (. (. (. x grad) data) zero_))")
    #expect(try expr("-x.y ** 2") == "(- (** (. x y) 2))")
  }

  @Test func assignmentsOfEveryShape() throws {
    #expect(try expr("y[0] = x1**2+2*x2+x3") == "(= ([] y 0) (+ (+ (** x1 2) (* 2 x2)) x3))")
    #expect(try expr("x.data *= 100") == "(*= (. x data) 100)")
    #expect(try expr("a = b = 1") == "(= a b 1)")
    #expect(try expr("a, b = 1, 2") == "(= (tuple a b) (tuple 1 2))")
  }

  @Test func withBlockByIndentation() throws {
    let source = """
      x = torch.tensor(1.0, requires_grad=True)
      with torch.no_grad():
          y2 = x**3

          z = 1  # still inside
      y3 = y2
      """
    #expect(
      try expr(source)
        == "(= x (call (. torch tensor) 1.0 requires_grad=True)); (with (call (. torch no_grad)) (= y2 (** x 3)) (= z 1)); (= y3 y2)"
    )
  }

  @Test func importTorchIsAccepted() throws {
    #expect(
      try expr("import torch\nimport torch.nn.functional as F")
        == "(import torch); (import torch.nn.functional as F)")
  }

  @Test func semicolonsSeparateStatements() throws {
    #expect(try expr("a = 1; b = 2;") == "(= a 1); (= b 2)")
  }

  @Test func errorsCarryLineAndColumn() {
    let e = error("x = 1\ny = (2 +\n)")
    #expect(e?.code == "invalid_argument")
    #expect(e?.line == 3)
    #expect(e?.column == 1)
    #expect(error("x = = 2")?.column == 5)
    #expect(
      error("f(a=1, 2)")?.message == "SyntaxError: positional argument follows keyword argument")
    #expect(error("f() = 3")?.message == "SyntaxError: cannot assign to function call")
    #expect(error("    x = 1")?.message == "SyntaxError: unexpected indent")
  }

  @Test func deepExpressionNestingIsRefused() {
    let unary = String(repeating: "-", count: 1000) + "1"
    #expect(error(unary)?.code == "limit_exceeded")
    let power = Array(repeating: "2", count: 500).joined(separator: "**")
    #expect(error(power)?.code == "limit_exceeded")
    let parens = String(repeating: "(", count: 100_000)
    #expect(error(parens)?.code == "limit_exceeded")
    let chain = "x" + String(repeating: ".a", count: 5000)
    #expect(error(chain)?.code == "limit_exceeded")
  }

  @Test func oversizedSourceIsRefused() {
    var limits = EvalLimits()
    limits.maxSourceBytes = 10
    #expect(throws: EvalError.self) { try Parser.parse("x = 1 + 2 + 3", limits: limits) }
  }

  @Test func tooManyStatementsAreRefused() {
    var limits = EvalLimits()
    limits.maxStatements = 3
    #expect(throws: EvalError.self) { try Parser.parse("a=1\nb=2\nc=3\nd=4", limits: limits) }
    #expect(throws: EvalError.self) { try Parser.parse("a=1;b=2;c=3;d=4", limits: limits) }
  }
}

@Suite struct SafetyRefusalTests {
  private func refusal(_ source: String) -> EvalError? {
    do {
      _ = try Parser.parse(source)
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: [
    ("for i in range(3):\n    x = x + 1", "loops are not supported"),
    ("while True:\n    pass", "loops are not supported"),
    ("def f(x):\n    return x", "function definitions are not supported"),
    ("class A:\n    pass", "class definitions are not supported"),
    ("f = lambda x: x", "lambda expressions are not supported"),
    ("import os", "only 'import torch' (and 'import torch.nn.functional as F') is supported"),
    (
      "from os import system",
      "only 'import torch' (and 'import torch.nn.functional as F') is supported"
    ),
    ("y = [i for i in x]", "comprehensions are not supported"),
    ("d = {'a': 1}", "dicts and sets are not supported"),
    ("if x:\n    pass", "'if' statements are not supported"),
    ("try:\n    pass\nexcept:\n    pass", "'try' is not supported"),
    ("del x", "'del' is not supported"),
    ("global x", "'global' is not supported"),
    ("f(*args)", "argument unpacking is not supported"),
    ("with open('f') as fh:\n    pass", "'with ... as' is not supported"),
    ("x = a | b", "the operator '|' is not supported"),
    ("raise ValueError()", "'raise' is not supported"),
  ])
  func refusedConstruct(source: String, message: String) {
    let e = refusal(source)
    #expect(e?.code == "invalid_argument")
    #expect(e?.message == message)
    #expect(e?.line == 1)
  }

  @Test func refusalPointsAtTheConstruct() {
    let e = refusal("x = 1\ny = 2\nfor i in x:\n    pass")
    #expect(e?.line == 3)
    #expect(e?.column == 1)
    let lambda = refusal("x = 1\ny = f(1, lambda: 2)")
    #expect(lambda?.line == 2)
    #expect(lambda?.column == 10)
  }
}
