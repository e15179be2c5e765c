import AutogradService
import HTTPServer
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
  var maxSessionsPerKey: Resolved<Int>
  var sessionTTL: Resolved<Double>
  var maxSessionTTL: Resolved<Double>
  var maxTensorsPerSession: Resolved<Int>
  var maxGraphNodesPerSession: Resolved<Int>
  var maxTensorElements: Resolved<Int>
  var maxJacobianElements: Resolved<Int>
  var maxSessionBytes: Resolved<Int>
  var maxTotalBytes: Resolved<Int>
  var maxEvalSourceBytes: Resolved<Int>
  var maxEvalStatements: Resolved<Int>
  var apiKeys: Resolved<[String]>
  var apiKeysFile: Resolved<String?>
  /// The keys read from `apiKeysFile` (never shown).
  var fileKeys: [String] = []
  var metricsPublic: Resolved<Bool>
  var logLevel: Resolved<Logger.Level>
  var drainDeadline: Resolved<Double>
  var tlsCertificate: Resolved<String?>
  var tlsKey: Resolved<String?>
}

/// The catalogue of settings: the one place that names each flag, variable, default and valid range. `--help`,
/// `--dry-run`, the README's table and the tests all follow it.
enum ServeCatalogue {
  // The libraries' own defaults, so a server built in-process and the executable run with the same limits.
  private static let http = HTTPServerConfiguration()
  private static let service = ServiceConfiguration()

  private static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }

  private static let count = "a positive integer"
  private static let duration = "a positive duration such as 30, 30s, 500ms, 5m or 1h"

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
    name: "max-body-size",
    abstract: "Largest request body accepted (also after gzip decoding); larger ones get 413.",
    defaultValue: http.limits.bodyBytes,
    expectation: "a positive byte count such as 1048576, 512KiB or 64MiB",
    parse: ValueParsers.byteCount, render: ValueParsers.renderBytes)
  static let maxConnections = Setting(
    name: "max-connections",
    abstract: "Open client connections at most; further ones get 503 and are closed.",
    defaultValue: http.maxConnections, expectation: count, parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let idleTimeout = Setting(
    name: "idle-timeout", abstract: "How long an idle keep-alive connection stays open.",
    defaultValue: seconds(http.timeouts.idleKeepAlive), expectation: duration,
    parse: ValueParsers.seconds,
    render: ValueParsers.renderSeconds)
  static let requestTimeout = Setting(
    name: "request-timeout",
    abstract:
      "How long a client may take to send a request's head, or pause while sending its body.",
    defaultValue: seconds(http.timeouts.headerSection), expectation: duration,
    parse: ValueParsers.seconds,
    render: ValueParsers.renderSeconds)
  static let maxSessions = Setting(
    name: "max-sessions", abstract: "Live sessions at most; one more answers 429.",
    defaultValue: service.maxSessions, expectation: count, parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let sessionTTL = Setting(
    name: "session-ttl", abstract: "Idle lifetime of a session that asks for none.",
    defaultValue: service.defaultTTL, expectation: duration, parse: ValueParsers.seconds,
    render: ValueParsers.renderSeconds)
  static let maxSessionTTL = Setting(
    name: "max-session-ttl", abstract: "Longest idle lifetime a client may ask for (ttl_seconds).",
    defaultValue: service.maxTTL, expectation: duration, parse: ValueParsers.seconds,
    render: ValueParsers.renderSeconds)
  static let maxTensorsPerSession = Setting(
    name: "max-tensors-per-session",
    abstract: "Tensors one session may hold; one more answers 429.",
    defaultValue: service.maxTensorsPerSession, expectation: count,
    parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxTensorElements = Setting(
    name: "max-tensor-elements",
    abstract: "Elements of one tensor at most (created or computed); more answers 429.",
    defaultValue: service.maxElementsPerTensor, expectation: count,
    parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxJacobianElements = Setting(
    name: "max-jacobian-elements",
    abstract: "Elements of one /jacobian answer at most; more answers 429.",
    defaultValue: service.maxJacobianElements, expectation: count,
    parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxSessionsPerKey = Setting(
    name: "max-sessions-per-key",
    abstract:
      "Live sessions one API key may hold (when keys are configured); one more answers 429.",
    defaultValue: service.maxSessionsPerKey, expectation: count, parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let maxGraphNodesPerSession = Setting(
    name: "max-graph-nodes-per-session",
    abstract:
      "Autograd nodes (grad_fns) the graphs behind one session's tensors may hold; more answers 429.",
    defaultValue: service.maxGraphNodesPerSession, expectation: count,
    parse: ValueParsers.positiveCount, render: { String($0) })
  static let maxSessionBytes = Setting(
    name: "max-session-bytes",
    abstract:
      "Tensor storage one session's named tensors may hold (views counted once); more answers 429.",
    defaultValue: service.maxSessionBytes,
    expectation: "a positive byte count such as 1048576, 512MiB or 2GiB",
    parse: ValueParsers.byteCount, render: ValueParsers.renderBytes)
  static let maxTotalBytes = Setting(
    name: "max-total-bytes",
    abstract:
      "Global memory budget: tensor storage all sessions together may hold; more answers 429.",
    defaultValue: service.maxTotalBytes,
    expectation: "a positive byte count such as 1048576, 512MiB or 8GiB",
    parse: ValueParsers.byteCount, render: ValueParsers.renderBytes)
  static let maxEvalSourceBytes = Setting(
    name: "max-eval-source-bytes",
    abstract: "Largest /eval program (UTF-8 bytes); a longer one answers 429.",
    defaultValue: service.evalLimits.maxSourceBytes,
    expectation: "a positive byte count such as 65536 or 64KiB",
    parse: ValueParsers.byteCount, render: ValueParsers.renderBytes)
  static let maxEvalStatements = Setting(
    name: "max-eval-statements",
    abstract: "Statements one /eval program may have; more answers 429.",
    defaultValue: service.evalLimits.maxStatements, expectation: count,
    parse: ValueParsers.positiveCount,
    render: { String($0) })
  static let apiKeys = Setting<[String]>(
    name: "api-key",
    abstract:
      "An API key; repeat the flag, or give several comma-separated in the variable. With any key set, every "
      + "/v1 request needs 'Authorization: Bearer KEY' (prefer the env var or a file: flags show in ps).",
    defaultValue: [], expectation: "comma-separated keys of visible ASCII characters, no spaces",
    parse: ValueParsers.keyList, render: { $0.isEmpty ? "none" : "(set)" })
  static let apiKeysFile = Setting<String?>(
    name: "api-keys-file",
    abstract:
      "A file of API keys, one a line ('#' starts a comment); used together with --api-key.",
    defaultValue: nil, expectation: "a file path", parse: { $0.isEmpty ? nil : $0 },
    render: { $0 ?? "none" })
  static let metricsPublic = Setting(
    name: "metrics-public",
    abstract: "Serve /metrics without an API key even when keys are configured.",
    defaultValue: service.metricsPublic, expectation: "true or false", parse: ValueParsers.bool,
    render: { String($0) })
  static let logLevel = Setting(
    name: "log-level", abstract: "Least severe log level written to stderr.",
    defaultValue: Logger.Level.info,
    expectation: "one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "),
    parse: ValueParsers.logLevel, render: \.rawValue)
  static let drainDeadline = Setting(
    name: "drain-deadline",
    abstract:
      "On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.",
    defaultValue: 5.0, expectation: duration, parse: ValueParsers.seconds,
    render: ValueParsers.renderSeconds)
  static let tlsCertificate = Setting<String?>(
    name: "tls-cert",
    abstract:
      "PEM certificate chain (server certificate first); with --tls-key, serve HTTPS (TLS 1.2+) instead of HTTP.",
    defaultValue: nil, expectation: "the path of a PEM file", parse: { ValueParsers.path($0) },
    render: { $0 ?? "none" })
  static let tlsKey = Setting<String?>(
    name: "tls-key", abstract: "PEM private key of --tls-cert (unencrypted; read once at start).",
    defaultValue: nil, expectation: "the path of a PEM file", parse: { ValueParsers.path($0) },
    render: { $0 ?? "none" })
}
