import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The pipe's write end, for the signal handler: set once in `install()` before the handler is installed, and only
/// read after that (a handler cannot capture context).
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// SIGTERM and SIGINT as an async sequence, so the server can drain instead of dying.
///
/// A plain handler writes the signal's number into a pipe, which a Dispatch read source drains. Not a Dispatch
/// signal source: those register with the kernel asynchronously, on Dispatch's manager thread, and until they have,
/// a signal sent right after start-up was lost — after `dispatch_main` the main thread waits in `sigsuspend` with
/// every signal unblocked, so it took the signal under the ignored disposition the sources need. A handler is in
/// place before `install()` returns, and the byte waits in the pipe however late the reader is registered.
enum ShutdownSignals {
  /// Whatever mask the parent left us, the signals must reach the handler on any thread.
  static func unblock() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGTERM)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
  }

  struct InstallError: Error, CustomStringConvertible {
    let description: String
  }

  /// Signals arrive on `stream`; `finish()` on the continuation ends it (and releases the reader).
  static func install() throws -> (
    stream: AsyncStream<Int32>, continuation: AsyncStream<Int32>.Continuation
  ) {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw InstallError(
        description: "cannot create the signal pipe: \(String(cString: strerror(errno)))")
    }
    for end in ends {
      _ = fcntl(end, F_SETFD, FD_CLOEXEC)
      _ = fcntl(end, F_SETFL, O_NONBLOCK)
    }
    signalPipeWriteEnd = ends[1]
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { number in
      // Async-signal-safe: one write(2), errno kept for the interrupted code.
      let savedErrno = errno
      var byte = UInt8(truncatingIfNeeded: number)
      _ = write(signalPipeWriteEnd, &byte, 1)
      errno = savedErrno
    }
    action.sa_flags = SA_RESTART
    sigemptyset(&action.sa_mask)
    for number in [SIGTERM, SIGINT] { sigaction(number, &action, nil) }

    let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
    let readEnd = ends[0]
    let source = DispatchSource.makeReadSource(
      fileDescriptor: readEnd, queue: DispatchQueue(label: "autograd-server.signals"))
    source.setEventHandler {
      var bytes = [UInt8](repeating: 0, count: 16)
      while true {
        let count = read(readEnd, &bytes, bytes.count)
        guard count > 0 else { break }
        for byte in bytes[..<count] { continuation.yield(Int32(byte)) }
      }
    }
    source.setCancelHandler { close(readEnd) }
    source.resume()
    let reader = SignalReader(source)
    continuation.onTermination = { _ in reader.cancel() }
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

/// Keeps the read source alive for as long as the stream is consumed.
// @unchecked: the source is immutable after init, and DispatchSource.cancel() may be called from any thread.
private final class SignalReader: @unchecked Sendable {
  private let source: any DispatchSourceRead

  init(_ source: any DispatchSourceRead) {
    self.source = source
  }

  func cancel() {
    source.cancel()
  }
}
