import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// SIGTERM and SIGINT as an async sequence. The default actions are ignored first, so the signals reach the Dispatch
/// sources instead of killing the process, and the server can drain.
enum ShutdownSignals {
  /// On Linux, Dispatch reads signals through a signalfd, which sees only signals that every thread blocks: a thread
  /// that leaves SIGTERM unblocked takes it and the source never fires. Called first thing on the main thread, before
  /// other threads exist, so all of them inherit the mask.
  static func blockForSources() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_BLOCK, &set, nil)
  }

  /// Signals arrive on `stream`; `finish()` on the continuation ends it (and releases the sources).
  static func install() -> (
    stream: AsyncStream<Int32>, continuation: AsyncStream<Int32>.Continuation
  ) {
    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    let queue = DispatchQueue(label: "autograd-server.signals")
    let sources = SignalSources(
      [SIGTERM, SIGINT].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
        source.setEventHandler { continuation.yield(number) }
        source.resume()
        return source
      })
    continuation.onTermination = { _ in sources.cancel() }
    return (stream, continuation)
  }

  static func name(_ number: Int32) -> String {
    switch number {
    case SIGTERM: "SIGTERM"
    case SIGINT: "SIGINT"
    default: "signal \(number)"
    }
  }
}

/// Keeps the sources alive for as long as the stream is consumed.
// @unchecked: the array is immutable after init, and DispatchSource.cancel() may be called from any thread.
private final class SignalSources: @unchecked Sendable {
  private let sources: [any DispatchSourceSignal]

  init(_ sources: [any DispatchSourceSignal]) {
    self.sources = sources
  }

  func cancel() {
    for source in sources { source.cancel() }
  }
}
