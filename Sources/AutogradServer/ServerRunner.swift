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
    Self.returnLargeBlocksToTheSystem()
    PooledTensorText.install()
    let logger = Logger(label: "autograd-server")
    let service = AutogradService(configuration: settings.serviceConfiguration, logger: logger)
    let server = HTTPServer(
      configuration: settings.httpConfiguration, handler: service, logger: logger)
    // Installed before listening, so a signal that arrives during start-up is not lost.
    let (signals, signalContinuation) = try ShutdownSignals.install()
    let port = try server.start()
    logger.notice(
      "autograd-server \(AutogradServerCommand.version) serving",
      metadata: [
        "host": "\(settings.host.value)", "port": "\(port)",
        "scheme": "\(settings.tlsCertificate.value == nil ? "http" : "https")",
      ])

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

  /// glibc's dynamic mmap threshold grows after the first large free, so the multi-megabyte buffers of a big
  /// tensor request end up on the heap and stay in RSS after the session is deleted (measured: 23-25 MB kept
  /// per 1,000,000-element float32 tensor). A fixed 128 KiB threshold puts them in their own mappings, which
  /// `free` returns at once (measured: 4.0 MB while the tensor lives, 0.03 MB after).
  private static func returnLargeBlocksToTheSystem() {
    #if canImport(Glibc)
      let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD in <malloc.h>, which Glibc's module does not export
      _ = glibcMallopt(mmapThreshold, 128 * 1024)
    #endif
  }

  private func bootstrapLogging(level: Logger.Level) {
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
  }
}

#if canImport(Glibc)
  @_silgen_name("mallopt")
  private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
