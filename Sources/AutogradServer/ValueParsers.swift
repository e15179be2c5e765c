import Foundation
import Logging

/// How the text of a flag or an environment variable becomes a typed value; `nil` means "not valid".
enum ValueParsers {
  static func host(_ text: String) -> String? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard !trimmed.isEmpty, !trimmed.contains(where: \.isWhitespace) else { return nil }
    return trimmed
  }

  /// A file path: anything but blank (whether the file is usable is checked when the server starts).
  static func path(_ text: String) -> String? {
    text.trimmingCharacters(in: .whitespaces).isEmpty ? nil : text
  }

  static func port(_ text: String) -> Int? {
    guard let port = Int(text.trimmingCharacters(in: .whitespaces)), (0...65_535).contains(port)
    else {
      return nil
    }
    return port
  }

  static func positiveCount(_ text: String) -> Int? {
    guard
      let count = Int(
        text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")),
      count > 0
    else { return nil }
    return count
  }

  private static let byteUnits: [(suffix: String, factor: Int)] = [
    ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20),
    ("G", 1 << 30),
    ("B", 1),
  ]

  /// A positive byte count: `1048576`, `64MiB`, `64M`, `512KiB` (binary units).
  static func byteCount(_ text: String) -> Int? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    for unit in byteUnits where trimmed.hasSuffix(unit.suffix) {
      let number = trimmed.dropLast(unit.suffix.count).trimmingCharacters(in: .whitespaces)
      guard let count = positiveCount(number) else { return nil }
      let (bytes, overflow) = count.multipliedReportingOverflow(by: unit.factor)
      return overflow ? nil : bytes
    }
    return positiveCount(trimmed)
  }

  private static let durationUnits: [(suffix: String, factor: Double)] = [
    ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600),
  ]

  /// A positive duration in seconds: `30`, `2.5`, `500ms`, `30s`, `15m`, `1h`.
  static func seconds(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    var number = Substring(trimmed)
    var factor = 1.0
    for unit in durationUnits where trimmed.hasSuffix(unit.suffix) {
      number = trimmed.dropLast(unit.suffix.count)
      factor = unit.factor
      break
    }
    guard let value = Double(number), value.isFinite, value > 0 else { return nil }
    let seconds = value * factor
    // Beyond a century is a typo, and keeps later conversions to nanoseconds far from overflow.
    guard seconds <= 3_153_600_000 else { return nil }
    return seconds
  }

  static func logLevel(_ text: String) -> Logger.Level? {
    Logger.Level(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased())
  }

  /// Comma-separated API keys: each non-empty visible ASCII without spaces (a header value carries it verbatim).
  static func keyList(_ text: String) -> [String]? {
    var keys: [String] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
      let key = part.trimmingCharacters(in: .whitespaces)
      guard let key = apiKey(key) else { return nil }
      keys.append(key)
    }
    return keys
  }

  static func apiKey(_ text: String) -> String? {
    guard !text.isEmpty, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") })
    else { return nil }
    return text
  }

  static func bool(_ text: String) -> Bool? {
    switch text.trimmingCharacters(in: .whitespaces).lowercased() {
    case "true", "1", "yes", "on": true
    case "false", "0", "no", "off": false
    default: nil
    }
  }

  /// The shortest exact spelling that `seconds(_:)` reads back: `1h`, `15m`, `30s`, `1.5s`.
  static func renderSeconds(_ seconds: Double) -> String {
    guard seconds == seconds.rounded(), seconds < 1e15 else { return "\(seconds)s" }
    let whole = Int(seconds)
    if whole >= 3600, whole % 3600 == 0 { return "\(whole / 3600)h" }
    if whole >= 60, whole % 60 == 0 { return "\(whole / 60)m" }
    return "\(whole)s"
  }

  static func renderBytes(_ bytes: Int) -> String {
    for (suffix, factor) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
    where bytes >= factor && bytes % factor == 0 {
      return "\(bytes / factor)\(suffix)"
    }
    return "\(bytes)"
  }
}
