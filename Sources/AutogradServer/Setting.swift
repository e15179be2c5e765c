/// One `serve` setting: its flag, its `AUTOGRAD_` environment variable, its default, and the one parser that both
/// the flag's and the variable's text go through, so a value is valid or invalid the same way wherever it comes from.
struct Setting<Value: Sendable>: Sendable {
  /// The long flag without dashes (`max-body-size`); the environment variable is derived from it.
  let name: String
  let abstract: String
  let defaultValue: Value
  /// What a valid value looks like, for error messages ("an integer from 0 to 65535").
  let expectation: String
  let parse: @Sendable (String) -> Value?
  let render: @Sendable (Value) -> String

  var flag: String { "--" + name }

  /// `max-body-size` → `AUTOGRAD_MAX_BODY_SIZE`.
  var environmentKey: String {
    "AUTOGRAD_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
  }

  /// The `--help` line: what it does, its variable and its default.
  var help: String {
    "\(abstract) (env \(environmentKey); default \(render(defaultValue)))"
  }

  /// Flag over environment over default. An invalid value is an error, never silently replaced by the default.
  func resolve(flag text: String?, environment: [String: String]) throws -> Resolved<Value> {
    if let text {
      guard let value = parse(text) else {
        throw ConfigurationError(message: "\(flag) '\(text)': expected \(expectation)")
      }
      return Resolved(value: value, source: .flag(flag))
    }
    if let text = environment[environmentKey] {
      guard let value = parse(text) else {
        throw ConfigurationError(message: "\(environmentKey)='\(text)': expected \(expectation)")
      }
      return Resolved(value: value, source: .environment(environmentKey))
    }
    return Resolved(value: defaultValue, source: .default)
  }
}

/// A setting's value and where it came from (shown by `serve --dry-run`).
struct Resolved<Value: Sendable>: Sendable {
  enum Source: Sendable, Equatable {
    case flag(String)
    case environment(String)
    case `default`
  }

  let value: Value
  let source: Source
}

struct ConfigurationError: Error, CustomStringConvertible {
  let message: String
  var description: String { message }
}

extension Resolved.Source: CustomStringConvertible {
  var description: String {
    switch self {
    case .flag(let flag): "from \(flag)"
    case .environment(let key): "from \(key)"
    case .default: "default"
    }
  }
}
