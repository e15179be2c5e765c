import Dispatch
import Glibc
import Logging

/// The listening socket and its read source.
///
/// `@unchecked Sendable`: after `start`, every mutable property is touched only on `queue`.
final class Acceptor: @unchecked Sendable {
    let queue = DispatchQueue(label: "http.accept")
    private var source: DispatchSourceRead?
    private var suspended = false
    private var nextLoop = 0
    /// Set (under `queue`) once the listener's descriptor is closed.
    private var listenerClosed = true
    private var stopped = false
    /// Set by `start`; nil serves plain HTTP.
    private var tls: TLSContext?

    /// Connections over the cap still get a 503; past this many more they are closed unanswered.
    private static let rejectReserve = 256
    /// Accepts per wake-up: enough for bursts (Vapor's 1.5 % drops came from NIO's 4), bounded for fairness.
    private static let burst = 256

    func start(fd: Int32, core: ServerCore, tls: TLSContext?) {
        queue.sync {
            self.tls = tls
            let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
            source.setEventHandler { [weak self, weak core] in
                guard let self, let core else { return }
                acceptConnections(listener: fd, core: core)
            }
            source.setCancelHandler { [self] in
                Glibc.close(fd)
                listenerClosed = true
            }
            self.source = source
            listenerClosed = false
            source.activate()
        }
    }

    private func acceptConnections(listener: Int32, core: ServerCore) {
        for _ in 0..<Self.burst {
            guard let fd = Socket.accept(listener) else {
                let error = errno
                switch error {
                case EAGAIN, EWOULDBLOCK:
                    return
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: retrying at once would spin; pause accepting (NIO's AcceptBackoffHandler).
                    core.logger.warning("accept failed (errno \(error)); pausing accepts for 100 ms")
                    pause(for: .milliseconds(100))
                    return
                default:
                    core.logger.error("accept failed (errno \(error))")
                    return
                }
            }
            let open = core.openConnections.add(1, ordering: .relaxed).newValue
            let maximum = core.configuration.maxConnections
            // Over TLS a 503 would cost a whole handshake, more than it is worth to a flood: close at once.
            if open > maximum + Self.rejectReserve || (open > maximum && tls != nil) {
                Glibc.close(fd)
                core.connectionClosed()
                continue
            }
            let transport: Transport
            if let tls {
                guard let stream = TLSStream(context: tls, fd: fd) else {
                    Glibc.close(fd)
                    core.connectionClosed()
                    continue
                }
                transport = .tls(stream)
            } else {
                transport = .plain
            }
            let loop = core.loops[nextLoop]
            nextLoop = (nextLoop + 1) % core.loops.count
            let connection = Connection(
                fd: fd, loop: loop, core: core, rejected: open > maximum, transport: transport)
            connection.start()
        }
    }

    private func pause(for interval: DispatchTimeInterval) {
        guard let source, !suspended else { return }
        suspended = true
        source.suspend()
        queue.asyncAfter(deadline: .now() + interval) { [self] in
            guard suspended, !stopped, let source = self.source else { return }
            suspended = false
            source.resume()
        }
    }

    /// Stops accepting and closes the listener (in the source's cancel handler).
    func stop() {
        queue.sync {
            stopped = true
            guard let source else { return }
            if suspended {
                suspended = false
                source.resume()
            }
            source.cancel()
            self.source = nil
        }
    }

    var isClosed: Bool {
        queue.sync { listenerClosed }
    }
}
