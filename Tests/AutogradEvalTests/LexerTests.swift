import Testing

@testable import AutogradEval

@Suite struct LexerTests {
  private func kinds(_ source: String) throws -> [Token.Kind] {
    try Lexer.tokenize(source).map(\.kind)
  }

  @Test func numbersInEveryPythonSpelling() throws {
    #expect(
      try kinds("1 1. .5 1e-3 2.5E+2 1_000") == [
        .int(1), .float(1.0), .float(0.5), .float(0.001), .float(250.0), .int(1000), .newline, .end,
      ])
  }

  @Test func stringsWithEitherQuoteAndEscapes() throws {
    #expect(
      try kinds(#"'sum' "a\"b" 'x\ny'"#) == [
        .string("sum"), .string("a\"b"), .string("x\ny"), .newline, .end,
      ])
  }

  @Test func keywordsAndNamesAreDistinguished() throws {
    #expect(
      try kinds("True False None x_1") == [
        .keyword("True"), .keyword("False"), .keyword("None"), .name("x_1"), .newline, .end,
      ])
  }

  @Test func commentsAndBlankLinesProduceNothing() throws {
    #expect(
      try kinds("x = 1  # set x\n\n   # indented comment\ny") == [
        .name("x"), .op("="), .int(1), .newline, .name("y"), .newline, .end,
      ])
  }

  @Test func indentationBecomesIndentAndDedent() throws {
    #expect(
      try kinds("with a:\n    b\nc\n") == [
        .keyword("with"), .name("a"), .op(":"), .newline, .indent, .name("b"), .newline, .dedent,
        .name("c"),
        .newline, .end,
      ])
  }

  @Test func newlinesInsideBracketsJoinLines() throws {
    #expect(
      try kinds("f(1,\n  2)") == [
        .name("f"), .op("("), .int(1), .op(","), .int(2), .op(")"), .newline, .end,
      ])
  }

  @Test func longestOperatorWins() throws {
    #expect(
      try kinds("a **= b // c ... @") == [
        .name("a"), .op("**="), .name("b"), .op("//"), .name("c"), .op("..."), .op("@"), .newline,
        .end,
      ])
  }

  @Test func tokensCarryLineAndColumn() throws {
    let tokens = try Lexer.tokenize("x = 1\n  \ny = x ** 2")
    let y = try #require(tokens.first { $0.kind == .name("y") })
    #expect(y.position == SourcePosition(line: 3, column: 1))
    let power = try #require(tokens.first { $0.kind == .op("**") })
    #expect(power.position == SourcePosition(line: 3, column: 7))
  }

  @Test func unterminatedStringIsASyntaxErrorAtItsStart() {
    #expect(
      throws: EvalError(
        code: "invalid_argument", message: "SyntaxError: unterminated string literal", line: 2,
        column: 7)
    ) {
      try Lexer.tokenize("x = 1\nprint('abc")
    }
  }

  @Test func inconsistentDedentIsRefused() {
    #expect(throws: EvalError.self) { try Lexer.tokenize("with a:\n    b\n  c\n") }
  }

  @Test func unknownCharacterIsRefusedWithPosition() {
    #expect(
      throws: EvalError(
        code: "invalid_argument", message: "SyntaxError: invalid character '$'", line: 1, column: 5)
    ) {
      try Lexer.tokenize("x = $")
    }
  }

  @Test func hugeIntegerLiteralIsRefusedNotTrapped() {
    #expect(throws: EvalError.self) { try Lexer.tokenize("x = 99999999999999999999999") }
  }

  @Test func deepBracketsAreRefusedBeforeParsing() {
    let source = String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500)
    #expect(
      throws: EvalError(
        code: "limit_exceeded", message: "brackets nest deeper than 100 levels", line: 1,
        column: 101)
    ) {
      try Lexer.tokenize(source)
    }
  }
}
