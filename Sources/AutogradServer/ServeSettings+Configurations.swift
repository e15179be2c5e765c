import AutogradService
import HTTPServer

extension ServeSettings {
  var httpConfiguration: HTTPServerConfiguration {
    var configuration = HTTPServerConfiguration(host: host.value, port: port.value)
    // One limit for what the application receives: the body as sent, and after gzip inflation.
    configuration.limits.bodyBytes = maxBodySize.value
    configuration.limits.inflatedBodyBytes = maxBodySize.value
    configuration.maxConnections = maxConnections.value
    configuration.timeouts.idleKeepAlive = .seconds(idleTimeout.value)
    configuration.timeouts.headerSection = .seconds(requestTimeout.value)
    configuration.timeouts.bodyProgress = .seconds(requestTimeout.value)
    configuration.errorBody = AutogradService.serverErrorBody(status:)
    if let certificate = tlsCertificate.value, let key = tlsKey.value {
      configuration.tls = .init(certificatePath: certificate, privateKeyPath: key)
    }
    return configuration
  }

  var serviceConfiguration: ServiceConfiguration {
    var configuration = ServiceConfiguration()
    configuration.maxSessions = maxSessions.value
    configuration.defaultTTL = sessionTTL.value
    configuration.maxTTL = maxSessionTTL.value
    configuration.maxTensorsPerSession = maxTensorsPerSession.value
    configuration.maxElementsPerTensor = maxTensorElements.value
    configuration.maxJacobianElements = maxJacobianElements.value
    configuration.maxSessionsPerKey = maxSessionsPerKey.value
    configuration.maxGraphNodesPerSession = maxGraphNodesPerSession.value
    configuration.maxSessionBytes = maxSessionBytes.value
    configuration.maxTotalBytes = maxTotalBytes.value
    configuration.evalLimits.maxSourceBytes = maxEvalSourceBytes.value
    configuration.evalLimits.maxStatements = maxEvalStatements.value
    configuration.apiKeys = allAPIKeys
    configuration.metricsPublic = metricsPublic.value
    return configuration
  }

  /// The keys of --api-key / AUTOGRAD_API_KEY and of the keys file, each once.
  var allAPIKeys: [String] {
    var seen: Set<String> = []
    return (apiKeys.value + fileKeys).filter { seen.insert($0).inserted }
  }
}
