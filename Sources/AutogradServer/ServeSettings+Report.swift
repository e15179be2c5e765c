extension ServeSettings {
  /// `KEY=value  # source` lines, usable as an env file once the comments are read; the API key is never shown.
  var report: String {
    typealias C = ServeCatalogue
    var lines: [String] = []
    func add<Value>(_ setting: Setting<Value>, _ resolved: Resolved<Value>) {
      lines.append(
        "\(setting.environmentKey)=\(setting.render(resolved.value))  # \(resolved.source)")
    }
    add(C.host, host)
    add(C.port, port)
    add(C.maxBodySize, maxBodySize)
    add(C.maxConnections, maxConnections)
    add(C.idleTimeout, idleTimeout)
    add(C.requestTimeout, requestTimeout)
    add(C.maxSessions, maxSessions)
    add(C.sessionTTL, sessionTTL)
    add(C.maxSessionTTL, maxSessionTTL)
    add(C.maxTensorsPerSession, maxTensorsPerSession)
    add(C.maxTensorElements, maxTensorElements)
    add(C.maxJacobianElements, maxJacobianElements)
    add(C.maxSessionsPerKey, maxSessionsPerKey)
    add(C.maxGraphNodesPerSession, maxGraphNodesPerSession)
    add(C.maxSessionBytes, maxSessionBytes)
    add(C.maxTotalBytes, maxTotalBytes)
    add(C.maxEvalSourceBytes, maxEvalSourceBytes)
    add(C.maxEvalStatements, maxEvalStatements)
    // A secret never reaches a terminal or a log; the commented line keeps the output a valid env file.
    lines.append(
      "# \(C.apiKeys.environmentKey) is \(apiKeys.value.isEmpty ? "unset" : "set (not shown)")  # \(apiKeys.source)"
    )
    add(C.apiKeysFile, apiKeysFile)
    lines.append("# \(allAPIKeys.count) API key(s) in all")
    add(C.metricsPublic, metricsPublic)
    add(C.logLevel, logLevel)
    add(C.drainDeadline, drainDeadline)
    // Unset paths stay comments, so the output remains a valid env file (an empty path would be refused).
    for (setting, resolved) in [(C.tlsCertificate, tlsCertificate), (C.tlsKey, tlsKey)] {
      if resolved.value == nil {
        lines.append("# \(setting.environmentKey) is unset (plain HTTP)  # \(resolved.source)")
      } else {
        add(setting, resolved)
      }
    }
    return lines.map { $0 + "\n" }.joined()
  }
}
