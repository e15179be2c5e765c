/// Turns source text into tokens, Python-style: INDENT/DEDENT from leading whitespace, newlines ignored inside
/// brackets and after a backslash, `#` comments dropped.
struct Lexer {
  private let chars: [Unicode.Scalar]
  private var index = 0
  private var line = 1
  private var column = 1
  private var bracketDepth = 0
  private var indents: [Int] = [0]
  private var tokens: [Token] = []
  private let maxNestingDepth: Int

  init(source: String, maxNestingDepth: Int = EvalLimits.default.maxNestingDepth) {
    self.chars = Array(source.unicodeScalars)
    self.maxNestingDepth = maxNestingDepth
  }

  static func tokenize(_ source: String, maxNestingDepth: Int = EvalLimits.default.maxNestingDepth)
    throws(EvalError) -> [Token]
  {
    var lexer = Lexer(source: source, maxNestingDepth: maxNestingDepth)
    return try lexer.run()
  }

  /// ASCII first: Unicode property lookups are the lexer's slowest step.
  private static func startsName(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII { return c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c) }
    return c.properties.isXIDStart
  }

  private static func continuesName(_ c: Unicode.Scalar) -> Bool {
    if c.isASCII { return startsName(c) || ("0"..."9").contains(c) }
    return c.properties.isXIDContinue
  }

  private var position: SourcePosition { SourcePosition(line: line, column: column) }

  private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
    let i = index + offset
    return i < chars.count ? chars[i] : nil
  }

  private mutating func advance() {
    guard index < chars.count else { return }
    if chars[index] == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
    index += 1
  }

  private mutating func emit(_ kind: Token.Kind, at position: SourcePosition) {
    tokens.append(Token(kind: kind, position: position))
  }

  private mutating func run() throws(EvalError) -> [Token] {
    var atLineStart = true
    while index < chars.count {
      if atLineStart {
        atLineStart = false
        if try handleIndentation() { continue }
      }
      guard let c = peek() else { break }
      let start = position
      switch c {
      case " ", "\t", "\u{0C}":
        advance()
      case "\r":
        advance()
      case "\n":
        advance()
        if bracketDepth == 0 {
          if let last = tokens.last, last.kind != .newline {
            emit(.newline, at: start)
          }
          atLineStart = true
        }
      case "#":
        while let c = peek(), c != "\n" { advance() }
      case "\\":
        advance()
        if peek() == "\r" { advance() }
        guard peek() == "\n" else {
          throw .syntax("unexpected character after line continuation character", at: start)
        }
        advance()
      case "\"", "'":
        try lexString(quote: c, at: start)
      case "0"..."9":
        try lexNumber(at: start)
      case ".":
        if let next = peek(1), ("0"..."9").contains(next) {
          try lexNumber(at: start)
        } else if peek(1) == ".", peek(2) == "." {
          advance()
          advance()
          advance()
          emit(.op("..."), at: start)
        } else {
          advance()
          emit(.op("."), at: start)
        }
      default:
        if Self.startsName(c) {
          try lexName(at: start)
        } else {
          try lexOperator(at: start)
        }
      }
    }
    let endPosition = position
    if bracketDepth > 0 {
      throw .syntax("unexpected end of program: a bracket is not closed", at: endPosition)
    }
    if let last = tokens.last, last.kind != .newline {
      emit(.newline, at: endPosition)
    }
    while indents.count > 1 {
      indents.removeLast()
      emit(.dedent, at: endPosition)
    }
    emit(.end, at: endPosition)
    return tokens
  }

  /// Measures a logical line's indentation and emits INDENT/DEDENT. Returns true when the line was blank or a
  /// comment (nothing to emit; the caller starts over on the next line).
  private mutating func handleIndentation() throws(EvalError) -> Bool {
    var width = 0
    while let c = peek(), c == " " || c == "\t" || c == "\u{0C}" {
      // A tab advances to the next multiple of 8, as in Python's tokenizer.
      width = c == "\t" ? (width / 8 + 1) * 8 : (c == " " ? width + 1 : 0)
      advance()
    }
    switch peek() {
    case nil:
      return true
    case "\n", "#", "\r":
      // Blank and comment-only lines do not count for indentation.
      while let c = peek(), c != "\n" { advance() }
      if peek() == "\n" { advance() }
      return true
    default:
      break
    }
    let start = position
    guard let current = indents.last else { return false }
    if width > current {
      indents.append(width)
      emit(.indent, at: start)
    } else if width < current {
      while let last = indents.last, last > width {
        indents.removeLast()
        emit(.dedent, at: start)
      }
      if indents.last != width {
        throw .syntax("unindent does not match any outer indentation level", at: start)
      }
    }
    return false
  }

  private mutating func lexName(at start: SourcePosition) throws(EvalError) {
    var text = ""
    while let c = peek(), Self.continuesName(c) {
      text.unicodeScalars.append(c)
      advance()
    }
    if let quote = peek(), quote == "\"" || quote == "'" {
      // String prefixes: r (raw), u (plain), f (formatted); bytes are not part of the subset.
      switch text.lowercased() {
      case "r", "u":
        try lexString(quote: quote, at: start, raw: text.lowercased() == "r")
        return
      case "f", "rf", "fr":
        try lexString(quote: quote, at: start, raw: text.count == 2, formatted: true)
        return
      case "b", "rb", "br":
        throw .syntax("bytes literals are not supported", at: start)
      default:
        break
      }
    }
    emit(pythonKeywords.contains(text) ? .keyword(text) : .name(text), at: start)
  }

  private mutating func lexNumber(at start: SourcePosition) throws(EvalError) {
    var text = ""
    var isFloat = false
    func isDigit(_ c: Unicode.Scalar?) -> Bool { c.map { ("0"..."9").contains($0) } ?? false }
    if peek() == "0", let x = peek(1),
      x == "x" || x == "X" || x == "o" || x == "O" || x == "b" || x == "B"
    {
      throw .syntax("only decimal numbers are supported", at: start)
    }
    while isDigit(peek()) || peek() == "_" {
      if let c = peek(), c != "_" { text.unicodeScalars.append(c) }
      advance()
    }
    if peek() == "." {
      isFloat = true
      text.append(".")
      advance()
      while isDigit(peek()) || peek() == "_" {
        if let c = peek(), c != "_" { text.unicodeScalars.append(c) }
        advance()
      }
    }
    if let e = peek(), e == "e" || e == "E" {
      let signed = peek(1) == "+" || peek(1) == "-"
      if isDigit(peek(signed ? 2 : 1)) {
        isFloat = true
        text.append("e")
        advance()
        if signed, let s = peek() {
          text.unicodeScalars.append(s)
          advance()
        }
        while isDigit(peek()) {
          if let c = peek() { text.unicodeScalars.append(c) }
          advance()
        }
      }
    }
    if let c = peek(), c == "j" || c == "J" {
      throw .syntax("complex numbers are not supported", at: start)
    }
    if let c = peek(), Self.startsName(c) {
      throw .syntax("invalid decimal literal", at: start)
    }
    if isFloat {
      guard let value = Double(text) else { throw .syntax("invalid number '\(text)'", at: start) }
      emit(.float(value), at: start)
    } else {
      if text.count > 1, text.hasPrefix("0"), text.contains(where: { $0 != "0" }) {
        throw .syntax(
          "leading zeros in decimal integer literals are not permitted", at: start)
      }
      guard let value = Int(text) else {
        throw .syntax("integer literal too large: \(text)", at: start)
      }
      emit(.int(value), at: start)
    }
  }

  private mutating func lexString(
    quote: Unicode.Scalar, at start: SourcePosition, raw: Bool = false, formatted: Bool = false
  ) throws(EvalError) {
    if peek(1) == quote, peek(2) == quote {
      throw .syntax("triple-quoted strings are not supported", at: start)
    }
    advance()
    var text = ""
    while true {
      guard let c = peek(), c != "\n" else {
        throw .syntax("unterminated string literal", at: start)
      }
      advance()
      if c == quote { break }
      if c == "\\" && raw {
        if let e = peek(), e == quote || e == "\\" {
          text.unicodeScalars.append(c)
          text.unicodeScalars.append(e)
          advance()
        } else {
          text.unicodeScalars.append(c)
        }
      } else if c == "\\" {
        guard let e = peek() else { throw .syntax("unterminated string literal", at: start) }
        advance()
        switch e {
        case "n": text.append("\n")
        case "t": text.append("\t")
        case "r": text.append("\r")
        case "0": text.append("\0")
        case "\\": text.append("\\")
        case "'": text.append("'")
        case "\"": text.append("\"")
        case "\n": break
        default:
          text.append("\\")
          text.unicodeScalars.append(e)
        }
      } else {
        text.unicodeScalars.append(c)
      }
    }
    if let c = peek(), Self.continuesName(c) {
      throw .syntax("invalid syntax after string literal", at: position)
    }
    emit(formatted ? .formattedString(text) : .string(text), at: start)
  }

  private static let threeCharOps: Set<String> = ["**=", "//=", ">>=", "<<="]
  private static let twoCharOps: Set<String> = [
    "**", "//", "==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "@=", "%=", "->", "<<", ">>", "&=",
    "|=",
    "^=", ":=",
  ]
  private static let oneCharOps: Set<String> = [
    "+", "-", "*", "/", "%", "@", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ";", "~",
    "&", "|",
    "^",
  ]

  private mutating func lexOperator(at start: SourcePosition) throws(EvalError) {
    func text(_ n: Int) -> String {
      var s = ""
      for i in 0..<n {
        guard let c = peek(i) else { return "" }
        s.unicodeScalars.append(c)
      }
      return s
    }
    let op: String
    if Self.threeCharOps.contains(text(3)) {
      op = text(3)
    } else if Self.twoCharOps.contains(text(2)) {
      op = text(2)
    } else if Self.oneCharOps.contains(text(1)) {
      op = text(1)
    } else {
      let c = peek().map { String($0) } ?? ""
      throw .syntax("invalid character '\(c)'", at: start)
    }
    for _ in 0..<op.unicodeScalars.count { advance() }
    switch op {
    case "(", "[", "{":
      bracketDepth += 1
      if bracketDepth > maxNestingDepth {
        throw EvalError(
          "limit_exceeded", "brackets nest deeper than \(maxNestingDepth) levels", at: start)
      }
    case ")", "]", "}":
      guard bracketDepth > 0 else { throw .syntax("unmatched '\(op)'", at: start) }
      bracketDepth -= 1
    default:
      break
    }
    emit(.op(op), at: start)
  }
}
