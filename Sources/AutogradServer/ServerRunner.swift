import AutogradService
import Dispatch
import HTTPServer
import Logging

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs the service with resolved settings until SIGTERM/SIGINT, then drains: `/readyz` answers 503, the listener
/// closes, in-flight requests finish (or are cut at the drain deadline), and `run()` returns so the process exits 0.
/// A second signal during the drain exits at once, with status 1.
struct ServerRunner {
  let settings: ServeSettings

  func run() async throws {
    bootstrapLogging(level: settings.logLevel.value)
    let logger = Logger(label: "autograd-server")
    let service = AutogradService(configuration: settings.serviceConfiguration, logger: logger)
    let server = HTTPServer(
      configuration: settings.httpConfiguration, handler: service, logger: logger)
    // Installed before listening, so a signal that arrives during start-up is not lost.
    let (signals, signalContinuation) = ShutdownSignals.install()
    let port = try server.start()
    logger.notice(
      "autograd-server \(AutogradServerCommand.version) serving",
      metadata: ["host": "\(settings.host.value)", "port": "\(port)"])

    let deadline = settings.drainDeadline.value
    var received = 0
    for await signal in signals {
      received += 1
      guard received == 1 else {
        logger.warning("second \(ShutdownSignals.name(signal)) while draining: exiting now")
        exit(1)
      }
      service.beginDraining()
      logger.notice(
        "draining",
        metadata: ["signal": "\(ShutdownSignals.name(signal))", "deadline_seconds": "\(deadline)"])
      Self.armWatchdog(after: deadline + 2, logger: logger)
      Task {
        await server.shutdown(deadline: .milliseconds(Int64((deadline * 1000).rounded())))
        signalContinuation.finish()
      }
    }
    logger.notice("stopped")
  }

  /// `shutdown` force-closes connections at the deadline; this is the backstop should anything still hang on.
  private static func armWatchdog(after seconds: Double, logger: Logger) {
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
      logger.warning("drain did not finish \(seconds) s after the signal: exiting")
      exit(0)
    }
  }

  private func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
  }
}
