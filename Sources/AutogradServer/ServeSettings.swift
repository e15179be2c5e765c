import Logging

/// Everything `serve` can be told, resolved: flag over `AUTOGRAD_*` environment variable over default.
struct ServeSettings: Sendable {
  var host: Resolved<String>
  var port: Resolved<Int>
  var maxBodySize: Resolved<Int>
  var maxConnections: Resolved<Int>
  var idleTimeout: Resolved<Double>
  var requestTimeout: Resolved<Double>
  var maxSessions: Resolved<Int>
  var sessionTTL: Resolved<Double>
  var maxSessionTTL: Resolved<Double>
  var maxTensorsPerSession: Resolved<Int>
  var maxTensorElements: Resolved<Int>
  var maxJacobianElements: Resolved<Int>
  var apiKey: Resolved<String?>
  var logLevel: Resolved<Logger.Level>
  var drainDeadline: Resolved<Double>
}

/// The catalogue of settings: the one place that names each flag, variable, default and valid range. `--help`,
/// `--dry-run`, the README's table and the tests all follow it.
enum ServeCatalogue {
  static let host = Setting(
    name: "host",
    abstract: "Address to listen on (0.0.0.0 for all IPv4 interfaces, as in the container).",
    defaultValue: "127.0.0.1", expectation: "a host name or IP address", parse: ValueParsers.host,
    render: { $0 })
  static let port = Setting(
    name: "port", abstract: "TCP port to listen on (0 picks a free one, logged at start).",
    defaultValue: 8080, expectation: "an integer from 0 to 65535", parse: ValueParsers.port,
    render: { String($0) })
  static let maxBodySize = Setting(
    name: "max-body-size", abstract: "Largest request body accepted; larger ones get 413.",
    defaultValue: 64 << 20, expectation: "a positive byte count such as 1048576, 512KiB or 64MiB",
    parse: ValueParsers.byteCount, render: ValueParsers.renderBytes)
  static let maxConnections = Setting(
    name: "max-connections",
    abstract: "Open client connections at most; further ones wait in the backlog.",
    defaultValue: 1024, expectation: "a positive integer", parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let idleTimeout = Setting(
    name: "idle-timeout", abstract: "How long an idle keep-alive connection stays open.",
    defaultValue: 60.0, expectation: "a positive duration such as 30, 30s, 500ms, 5m or 1h",
    parse: ValueParsers.seconds, render: ValueParsers.renderSeconds)
  static let requestTimeout = Setting(
    name: "request-timeout", abstract: "How long a client may take to send one whole request.",
    defaultValue: 30.0, expectation: "a positive duration such as 30, 30s, 500ms, 5m or 1h",
    parse: ValueParsers.seconds, render: ValueParsers.renderSeconds)
  static let maxSessions = Setting(
    name: "max-sessions", abstract: "Live sessions at most; one more answers 429.",
    defaultValue: 10_000, expectation: "a positive integer", parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let sessionTTL = Setting(
    name: "session-ttl", abstract: "Idle lifetime of a session that asks for none.",
    defaultValue: 3600.0, expectation: "a positive duration such as 30, 30s, 500ms, 5m or 1h",
    parse: ValueParsers.seconds, render: ValueParsers.renderSeconds)
  static let maxSessionTTL = Setting(
    name: "max-session-ttl", abstract: "Longest idle lifetime a client may ask for (ttl_seconds).",
    defaultValue: 7 * 24 * 3600.0,
    expectation: "a positive duration such as 30, 30s, 500ms, 5m or 1h",
    parse: ValueParsers.seconds, render: ValueParsers.renderSeconds)
  static let maxTensorsPerSession = Setting(
    name: "max-tensors-per-session",
    abstract: "Tensors one session may hold; one more answers 429.",
    defaultValue: 100_000, expectation: "a positive integer", parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxTensorElements = Setting(
    name: "max-tensor-elements",
    abstract: "Elements of one tensor at most (created or computed); more answers 429.",
    defaultValue: 1 << 26, expectation: "a positive integer", parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxJacobianElements = Setting(
    name: "max-jacobian-elements",
    abstract: "Elements of one /jacobian answer at most; more answers 429.",
    defaultValue: 1 << 24, expectation: "a positive integer", parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let apiKey = Setting<String?>(
    name: "api-key",
    abstract:
      "When set, every /v1 request needs 'Authorization: Bearer KEY' (prefer the env var: flags show in ps).",
    defaultValue: nil, expectation: "a non-empty string", parse: { ValueParsers.secret($0) },
    render: { $0 == nil ? "none" : "(set)" })
  static let logLevel = Setting(
    name: "log-level", abstract: "Least severe log level written to stderr.",
    defaultValue: Logger.Level.info,
    expectation: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "),
    parse: ValueParsers.logLevel, render: \.rawValue)
  static let drainDeadline = Setting(
    name: "drain-deadline",
    abstract:
      "On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.",
    defaultValue: 5.0, expectation: "a positive duration such as 30, 30s, 500ms, 5m or 1h",
    parse: ValueParsers.seconds, render: ValueParsers.renderSeconds)
}
