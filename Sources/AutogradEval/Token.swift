/// One lexical unit of the Python subset.
struct Token: Sendable, Equatable {
  enum Kind: Sendable, Equatable {
    case name(String)
    case keyword(String)
    case int(Int)
    case float(Double)
    case string(String)
    /// An f-string's text, escapes resolved, replacement fields still inside braces.
    case formattedString(String)
    /// Operators and punctuation, spelled as in the source (`**`, `+=`, `(`, `...`).
    case op(String)
    case newline
    case indent
    case dedent
    case end
  }

  var kind: Kind
  var position: SourcePosition

  var opText: String? {
    if case .op(let text) = kind { return text }
    return nil
  }

  func isOp(_ text: String) -> Bool { opText == text }

  func isKeyword(_ word: String) -> Bool {
    if case .keyword(let w) = kind { return w == word }
    return false
  }

  var describe: String {
    switch kind {
    case .name(let n): return "name '\(n)'"
    case .keyword(let k): return "'\(k)'"
    case .int(let i): return "number \(i)"
    case .float(let d): return "number \(d)"
    case .string, .formattedString: return "string"
    case .op(let o): return "'\(o)'"
    case .newline: return "end of line"
    case .indent: return "indent"
    case .dedent: return "dedent"
    case .end: return "end of program"
    }
  }
}

/// Python's keywords. Those the subset does not run are still keywords, so the parser can refuse them by name.
let pythonKeywords: Set<String> = [
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
  "def", "del",
  "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
  "lambda", "nonlocal",
  "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
]
