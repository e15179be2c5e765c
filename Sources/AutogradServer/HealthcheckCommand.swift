import ArgumentParser
import Foundation

/// `autograd-server healthcheck`: asks the local server's `/healthz` and exits 0 when it answers 200, 1 otherwise.
/// It reads the same `AUTOGRAD_HOST`/`AUTOGRAD_PORT` as `serve`, so a container's HEALTHCHECK follows the
/// configuration without repeating it.
struct HealthcheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "healthcheck",
    abstract:
      "Exit 0 if the local server answers GET /healthz with 200, else 1 (for a container HEALTHCHECK)."
  )

  @Option(
    help: .init("Host of the server (0.0.0.0 and :: mean this machine). [env: AUTOGRAD_HOST]"))
  var host: String?
  @Option(help: .init("Port of the server. [env: AUTOGRAD_PORT]"))
  var port: String?
  @Option(help: "Give up after this long (seconds, or with s/ms/m).")
  var timeout: String = "3"
  @Flag(help: "Speak HTTPS (implied when AUTOGRAD_TLS_CERT is set, as for serve).")
  var tls = false

  func run() throws {
    let environment = ProcessInfo.processInfo.environment
    let host = try ServeCatalogue.host.resolve(flag: host, environment: environment).value
    let port = try ServeCatalogue.port.resolve(flag: port, environment: environment).value
    guard let timeout = ValueParsers.seconds(timeout) else {
      throw ValidationError(
        "--timeout '\(timeout)': expected a positive duration such as 3, 3s or 500ms")
    }
    let tlsCertificate = try ServeCatalogue.tlsCertificate.resolve(
      flag: nil, environment: environment)
    do {
      let probe = HealthProbe(
        host: Self.reachableHost(host), port: port, timeout: timeout,
        tls: tls || tlsCertificate.value != nil)
      let status = try probe.status(of: "/healthz")
      guard status == 200 else {
        printError("healthcheck: GET /healthz answered \(status)")
        throw ExitCode.failure
      }
    } catch let error as HealthProbe.Failure {
      printError("healthcheck: \(error)")
      throw ExitCode.failure
    }
  }

  /// A server bound to every interface is reached on the loopback one.
  static func reachableHost(_ host: String) -> String {
    switch host {
    case "0.0.0.0", "": "127.0.0.1"
    case "::", "[::]": "::1"
    default: host
    }
  }

  private func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
  }
}
