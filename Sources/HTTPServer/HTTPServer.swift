import Dispatch
import Logging
import Synchronization

/// An HTTP/1.1 server on POSIX sockets and epoll, answering every request with one `HTTPHandler`.
///
/// ```swift
/// let server = HTTPServer(configuration: .init(port: 0), handler: MyHandler(), logger: logger)
/// let port = try server.start()
/// ...
/// await server.shutdown(deadline: .seconds(5))
/// ```
public final class HTTPServer: Sendable {
    private let core: ServerCore
    private let state = Mutex<Lifecycle>(.idle)

    private enum Lifecycle {
        case idle, running, stopped
    }

    public init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        core = ServerCore(configuration: configuration, handler: handler, logger: logger)
    }

    /// Binds and listens; returns the bound port (useful with port 0). Requests are served from then on.
    public func start() throws -> Int {
        try state.withLock { lifecycle in
            guard case .idle = lifecycle else { throw StartError.alreadyStarted }
            let configuration = core.configuration
            // Before binding, so an unusable certificate never leaves a half-started server behind.
            let tls = try configuration.tls.map(TLSContext.init)
            let (fd, port) = try Socket.listen(
                host: configuration.host, port: configuration.port, backlog: configuration.backlog)
            let interval = sweepInterval(core.timeouts)
            let slice = configuration.ioThreadSlice.map { max($0.nanoseconds, 1) }
            for loop in core.loops {
                loop.start(sweepInterval: interval, threadSlice: slice, logger: core.logger)
            }
            core.acceptor.start(fd: fd, core: core, tls: tls)
            lifecycle = .running
            core.logger.info("listening on \(configuration.host) port \(port)\(tls == nil ? "" : " (HTTPS)")")
            return port
        }
    }

    public enum StartError: Error {
        case alreadyStarted
    }

    /// Connections currently open (accepted and not yet closed).
    public var openConnectionCount: Int {
        core.openConnections.load(ordering: .relaxed)
    }

    /// Stops accepting, lets in-flight requests finish with `Connection: close`, closes idle connections, and
    /// force-closes whatever is left at `deadline`. Returns once every descriptor the server opened is closed.
    public func shutdown(deadline: Duration) async {
        let wasRunning = state.withLock { lifecycle in
            defer { lifecycle = .stopped }
            if case .running = lifecycle { return true }
            return false
        }
        guard wasRunning else { return }
        core.acceptor.stop()
        for loop in core.loops {
            loop.execute { loop.forEachConnection { $0.beginShutdown() } }
        }
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: deadline)
        while openConnectionCount > 0 && clock.now < end {
            try? await Task.sleep(for: .milliseconds(5))
        }
        for loop in core.loops {
            loop.execute { loop.forEachConnection { $0.close() } }
        }
        while openConnectionCount > 0 || !core.acceptor.isClosed {
            try? await Task.sleep(for: .milliseconds(2))
        }
        for loop in core.loops { loop.stop() }
        core.logger.info("server stopped")
    }

    /// Deadlines are checked at a quarter of the shortest timeout, between 5 ms and 1 s.
    private func sweepInterval(_ timeouts: ConnectionTimeouts) -> UInt64 {
        let shortest = min(
            timeouts.headerSection, timeouts.bodyProgress, timeouts.wholeBody, timeouts.idleKeepAlive,
            timeouts.write, timeouts.linger)
        return min(max(shortest / 4, 5_000_000), 1_000_000_000)
    }
}
