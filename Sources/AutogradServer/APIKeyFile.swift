import Foundation

/// `--api-keys-file`: one key a line; blank lines and lines starting with `#` are skipped, surrounding spaces
/// trimmed. A key that could not travel in a header is an error naming its line (never its text).
enum APIKeyFile {
  static func load(_ path: String) throws -> [String] {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw ConfigurationError(message: "--api-keys-file '\(path)': cannot be read")
    }
    var keys: [String] = []
    let text = String(decoding: data, as: UTF8.self)
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let trimmed = line.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
      if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
      guard let key = ValueParsers.apiKey(trimmed) else {
        throw ConfigurationError(
          message:
            "--api-keys-file '\(path)' line \(index + 1): a key is visible ASCII without spaces or commas"
        )
      }
      keys.append(key)
    }
    guard !keys.isEmpty else {
      throw ConfigurationError(message: "--api-keys-file '\(path)' holds no key")
    }
    return keys
  }
}
