/// A position in the program's source, 1-based, counted in Unicode scalars.
public struct SourcePosition: Sendable, Equatable, CustomStringConvertible {
  public var line: Int
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  public var description: String { "line \(line), column \(column)" }
}

/// Why a program failed. `code` uses API.md's error codes so the service maps it like any other error:
/// `invalid_argument` for syntax errors and refused constructs, `not_found` for unknown names, `limit_exceeded`
/// for the caps of `EvalLimits`, and the engine's own codes passed through unchanged.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
  public var code: String
  public var message: String
  public var line: Int
  public var column: Int
  /// What `print` wrote before the failure: useful to the caller, even though the program's effects are undone.
  public var stdout: String

  public init(code: String, message: String, line: Int, column: Int, stdout: String = "") {
    self.code = code
    self.message = message
    self.line = line
    self.column = column
    self.stdout = stdout
  }

  init(_ code: String, _ message: String, at position: SourcePosition) {
    self.init(code: code, message: message, line: position.line, column: position.column)
  }

  static func syntax(_ message: String, at position: SourcePosition) -> EvalError {
    EvalError("invalid_argument", "SyntaxError: \(message)", at: position)
  }

  static func refused(_ message: String, at position: SourcePosition) -> EvalError {
    EvalError("invalid_argument", message, at: position)
  }

  public var description: String { "\(code) at line \(line), column \(column): \(message)" }
}
