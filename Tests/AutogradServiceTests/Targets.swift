import Foundation
import HTTPServer
import Logging
import Testing

@testable import AutogradService

/// Where a test's requests go: straight into the handler, or over loopback sockets to a real server on an
/// ephemeral port (the same test body runs against both).
enum TargetKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
  case inProcess
  case live
  var testDescription: String { rawValue }
}

/// Runs `body` against a fresh service of the given kind.
func withTarget(
  _ kind: TargetKind, configuration: ServiceConfiguration = ServiceConfiguration(),
  server serverConfiguration: HTTPServerConfiguration = HTTPServerConfiguration(
    host: "127.0.0.1", port: 0),
  _ body: (any TestTarget) async throws -> Void
) async throws {
  switch kind {
  case .inProcess:
    try await body(InProcessTarget(configuration: configuration))
  case .live:
    let service = AutogradService(configuration: configuration, logger: quietLogger)
    let server = HTTPServer(
      configuration: serverConfiguration, handler: service, logger: quietLogger)
    let port = try server.start()
    do {
      try await body(LiveTarget(port: UInt16(port)))
    } catch {
      await server.shutdown(deadline: .seconds(2))
      throw error
    }
    await server.shutdown(deadline: .seconds(2))
  }
}

let quietLogger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
