/// f-strings: literal text and `{expression!conversion:spec}` fields.
extension Parser {
  /// Splits an f-string into literal text and fields; each field's expression is parsed by a nested parser that
  /// continues this one's depth count.
  func parseFormatted(_ text: String, at position: SourcePosition) throws(EvalError)
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
        .field(expression.moved(to: position), conversion: conversion, spec: spec))
      i = j + 1
    }
    if !literal.isEmpty { parts.append(.literal(literal)) }
    return parts
  }
}

extension Expr {
  /// The same node at `position`: an f-string field's nodes were parsed from the field alone, so their own
  /// positions are relative to it.
  func moved(to position: SourcePosition) -> Expr {
    var copy = self
    copy.position = position
    return copy
  }
}
