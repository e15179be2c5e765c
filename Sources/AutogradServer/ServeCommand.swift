import ArgumentParser
import Foundation

/// `autograd-server serve` (the default command): resolves the settings, then runs the service until SIGTERM/SIGINT.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the autograd API over HTTP (the default command).",
    discussion: """
      Every option can also be set through its AUTOGRAD_ environment variable; a flag wins over the variable, \
      the variable over the default. Durations take s, ms, m or h (plain numbers are seconds); sizes take \
      KiB, MiB or GiB.
      """)

  @Option(name: .customLong(ServeCatalogue.host.name), help: .init(ServeCatalogue.host.help))
  var host: String?
  @Option(name: .customLong(ServeCatalogue.port.name), help: .init(ServeCatalogue.port.help))
  var port: String?
  @Option(
    name: .customLong(ServeCatalogue.maxBodySize.name), help: .init(ServeCatalogue.maxBodySize.help)
  )
  var maxBodySize: String?
  @Option(
    name: .customLong(ServeCatalogue.maxConnections.name),
    help: .init(ServeCatalogue.maxConnections.help))
  var maxConnections: String?
  @Option(
    name: .customLong(ServeCatalogue.idleTimeout.name), help: .init(ServeCatalogue.idleTimeout.help)
  )
  var idleTimeout: String?
  @Option(
    name: .customLong(ServeCatalogue.requestTimeout.name),
    help: .init(ServeCatalogue.requestTimeout.help))
  var requestTimeout: String?
  @Option(
    name: .customLong(ServeCatalogue.maxSessions.name), help: .init(ServeCatalogue.maxSessions.help)
  )
  var maxSessions: String?
  @Option(
    name: .customLong(ServeCatalogue.sessionTTL.name), help: .init(ServeCatalogue.sessionTTL.help))
  var sessionTTL: String?
  @Option(
    name: .customLong(ServeCatalogue.maxSessionTTL.name),
    help: .init(ServeCatalogue.maxSessionTTL.help))
  var maxSessionTTL: String?
  @Option(
    name: .customLong(ServeCatalogue.maxTensorsPerSession.name),
    help: .init(ServeCatalogue.maxTensorsPerSession.help))
  var maxTensorsPerSession: String?
  @Option(
    name: .customLong(ServeCatalogue.maxTensorElements.name),
    help: .init(ServeCatalogue.maxTensorElements.help))
  var maxTensorElements: String?
  @Option(
    name: .customLong(ServeCatalogue.maxJacobianElements.name),
    help: .init(ServeCatalogue.maxJacobianElements.help))
  var maxJacobianElements: String?
  @Option(
    name: .customLong(ServeCatalogue.maxSessionsPerKey.name),
    help: .init(ServeCatalogue.maxSessionsPerKey.help))
  var maxSessionsPerKey: String?
  @Option(
    name: .customLong(ServeCatalogue.maxGraphNodesPerSession.name),
    help: .init(ServeCatalogue.maxGraphNodesPerSession.help))
  var maxGraphNodesPerSession: String?
  @Option(
    name: .customLong(ServeCatalogue.maxSessionBytes.name),
    help: .init(ServeCatalogue.maxSessionBytes.help))
  var maxSessionBytes: String?
  @Option(
    name: .customLong(ServeCatalogue.maxTotalBytes.name),
    help: .init(ServeCatalogue.maxTotalBytes.help))
  var maxTotalBytes: String?
  @Option(
    name: .customLong(ServeCatalogue.maxEvalSourceBytes.name),
    help: .init(ServeCatalogue.maxEvalSourceBytes.help))
  var maxEvalSourceBytes: String?
  @Option(
    name: .customLong(ServeCatalogue.maxEvalStatements.name),
    help: .init(ServeCatalogue.maxEvalStatements.help))
  var maxEvalStatements: String?
  @Option(name: .customLong(ServeCatalogue.apiKeys.name), help: .init(ServeCatalogue.apiKeys.help))
  var apiKey: [String] = []
  @Option(
    name: .customLong(ServeCatalogue.apiKeysFile.name),
    help: .init(ServeCatalogue.apiKeysFile.help))
  var apiKeysFile: String?
  @Option(
    name: .customLong(ServeCatalogue.metricsPublic.name),
    help: .init(ServeCatalogue.metricsPublic.help))
  var metricsPublic: String?
  @Option(
    name: .customLong(ServeCatalogue.logLevel.name), help: .init(ServeCatalogue.logLevel.help))
  var logLevel: String?
  @Option(
    name: .customLong(ServeCatalogue.drainDeadline.name),
    help: .init(ServeCatalogue.drainDeadline.help))
  var drainDeadline: String?
  @Option(
    name: .customLong(ServeCatalogue.tlsCertificate.name),
    help: .init(ServeCatalogue.tlsCertificate.help))
  var tlsCertificate: String?
  @Option(name: .customLong(ServeCatalogue.tlsKey.name), help: .init(ServeCatalogue.tlsKey.help))
  var tlsKey: String?

  @Flag(
    help: "Print the resolved settings, one AUTOGRAD_ variable a line with its source, and exit.")
  var dryRun = false

  func settings(environment: [String: String]) throws -> ServeSettings {
    typealias C = ServeCatalogue
    let env = environment
    var settings = ServeSettings(
      host: try C.host.resolve(flag: host, environment: env),
      port: try C.port.resolve(flag: port, environment: env),
      maxBodySize: try C.maxBodySize.resolve(flag: maxBodySize, environment: env),
      maxConnections: try C.maxConnections.resolve(flag: maxConnections, environment: env),
      idleTimeout: try C.idleTimeout.resolve(flag: idleTimeout, environment: env),
      requestTimeout: try C.requestTimeout.resolve(flag: requestTimeout, environment: env),
      maxSessions: try C.maxSessions.resolve(flag: maxSessions, environment: env),
      maxSessionsPerKey: try C.maxSessionsPerKey.resolve(flag: maxSessionsPerKey, environment: env),
      sessionTTL: try C.sessionTTL.resolve(flag: sessionTTL, environment: env),
      maxSessionTTL: try C.maxSessionTTL.resolve(flag: maxSessionTTL, environment: env),
      maxTensorsPerSession: try C.maxTensorsPerSession.resolve(
        flag: maxTensorsPerSession, environment: env),
      maxGraphNodesPerSession: try C.maxGraphNodesPerSession.resolve(
        flag: maxGraphNodesPerSession, environment: env),
      maxTensorElements: try C.maxTensorElements.resolve(flag: maxTensorElements, environment: env),
      maxJacobianElements: try C.maxJacobianElements.resolve(
        flag: maxJacobianElements, environment: env),
      maxSessionBytes: try C.maxSessionBytes.resolve(flag: maxSessionBytes, environment: env),
      maxTotalBytes: try C.maxTotalBytes.resolve(flag: maxTotalBytes, environment: env),
      maxEvalSourceBytes: try C.maxEvalSourceBytes.resolve(
        flag: maxEvalSourceBytes, environment: env),
      maxEvalStatements: try C.maxEvalStatements.resolve(flag: maxEvalStatements, environment: env),
      apiKeys: try C.apiKeys.resolve(
        flag: apiKey.isEmpty ? nil : apiKey.joined(separator: ","), environment: env),
      apiKeysFile: try C.apiKeysFile.resolve(flag: apiKeysFile, environment: env),
      metricsPublic: try C.metricsPublic.resolve(flag: metricsPublic, environment: env),
      logLevel: try C.logLevel.resolve(flag: logLevel, environment: env),
      drainDeadline: try C.drainDeadline.resolve(flag: drainDeadline, environment: env),
      tlsCertificate: try C.tlsCertificate.resolve(flag: tlsCertificate, environment: env),
      tlsKey: try C.tlsKey.resolve(flag: tlsKey, environment: env))
    if let path = settings.apiKeysFile.value {
      settings.fileKeys = try APIKeyFile.load(path)
    }
    return settings
  }

  /// Settings that are valid one by one but not together.
  static func validate(_ settings: ServeSettings) throws {
    try validateTLS(settings)
    guard settings.sessionTTL.value <= settings.maxSessionTTL.value else {
      let render = ValueParsers.renderSeconds
      throw ConfigurationError(
        message:
          "session TTL \(render(settings.sessionTTL.value)) (\(settings.sessionTTL.source)) is above the "
          + "maximum session TTL \(render(settings.maxSessionTTL.value)) (\(settings.maxSessionTTL.source))"
      )
    }
  }

  /// A certificate without its key (or the reverse) is a mistake, not a request for plain HTTP.
  static func validateTLS(_ settings: ServeSettings) throws {
    let certificate = settings.tlsCertificate
    let key = settings.tlsKey
    if certificate.value != nil && key.value == nil {
      throw ConfigurationError(
        message:
          "a TLS certificate is set (\(certificate.source)) but no key: set \(ServeCatalogue.tlsKey.flag) "
          + "or \(ServeCatalogue.tlsKey.environmentKey) too")
    }
    if key.value != nil && certificate.value == nil {
      throw ConfigurationError(
        message:
          "a TLS key is set (\(key.source)) but no certificate: set \(ServeCatalogue.tlsCertificate.flag) "
          + "or \(ServeCatalogue.tlsCertificate.environmentKey) too")
    }
  }

  func run() async throws {
    let settings = try settings(environment: ProcessInfo.processInfo.environment)
    try Self.validate(settings)
    if dryRun {
      print(settings.report, terminator: "")
      return
    }
    try await ServerRunner(settings: settings).run()
  }
}
