/// Input that is not JSON: `invalid JSON at byte 17: expected ',' or ']'`.
public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
  /// Zero-based offset of the byte where the input stopped making sense.
  public let offset: Int
  public let message: String

  public init(offset: Int, message: String) {
    self.offset = offset
    self.message = message
  }

  public var description: String { "invalid JSON at byte \(offset): \(message)" }
}
