/// Caps that keep one program from exhausting the server. Every one is checked before the work it bounds.
public struct EvalLimits: Sendable, Equatable {
  /// Source size in UTF-8 bytes.
  public var maxSourceBytes: Int
  /// Statements executed (there are no loops, so this is also the number of statements in the program).
  public var maxStatements: Int
  /// Nesting of brackets and expressions (and links of `a + b + ...` chains): bounds the recursion of the
  /// parser and the evaluator.
  public var maxNestingDepth: Int
  /// Elements of all tensors the program creates, summed (factories, literals, op results).
  public var maxCreatedElements: Int
  /// Elements of one list literal (before it becomes a tensor).
  public var maxLiteralElements: Int
  /// Bytes `print` may write.
  public var maxOutputBytes: Int
  /// When set, a program runs on a thread of its own with this much stack (see `EvalProgram.run`); when nil,
  /// on the caller's thread.
  public var stackBytes: Int?

  public init(
    maxSourceBytes: Int = 64 * 1024, maxStatements: Int = 1000, maxNestingDepth: Int = 100,
    maxCreatedElements: Int = 16_000_000, maxLiteralElements: Int = 1_000_000,
    maxOutputBytes: Int = 1 << 20, stackBytes: Int? = nil
  ) {
    self.maxSourceBytes = maxSourceBytes
    self.maxStatements = maxStatements
    self.maxNestingDepth = maxNestingDepth
    self.maxCreatedElements = maxCreatedElements
    self.maxLiteralElements = maxLiteralElements
    self.maxOutputBytes = maxOutputBytes
    self.stackBytes = stackBytes
  }

  public static let `default` = EvalLimits()
}
