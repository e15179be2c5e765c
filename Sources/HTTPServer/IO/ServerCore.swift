import Dispatch
import Glibc
import HTTPTypes
import Logging
import Synchronization

/// The server's shared parts: configuration, handler, I/O queues, the listener and the connection count.
final class ServerCore: Sendable {
    let configuration: HTTPServerConfiguration
    let timeouts: ConnectionTimeouts
    let handler: any HTTPHandler
    let logger: Logger
    let loops: [IOLoop]
    /// Accepted connections whose descriptor is not yet closed.
    let openConnections = Atomic<Int>(0)
    let acceptor: Acceptor

    init(configuration: HTTPServerConfiguration, handler: any HTTPHandler, logger: Logger) {
        self.configuration = configuration
        self.timeouts = ConnectionTimeouts(configuration.timeouts)
        self.handler = handler
        self.logger = logger
        let count =
            configuration.ioQueueCount > 0 ? configuration.ioQueueCount : max(1, System.coreCount)
        self.loops = (0..<count).map { _ in IOLoop() }
        self.acceptor = Acceptor()
    }

    func connectionClosed() {
        openConnections.subtract(1, ordering: .relaxed)
    }

    /// The response and whether it must end the connection.
    struct Outcome: Sendable {
        var response: HTTPServerResponse
        var close: Bool
    }

    /// Runs off the I/O queues: body decoding, the handler, and response compression.
    /// `hasContentEncoding`: the parser saw the field (most requests have none, and the lookup costs a scan).
    func respond(to request: HTTPServerRequest, acceptsGzip: Bool, hasContentEncoding: Bool) async
        -> Outcome
    {
        var request = request
        if hasContentEncoding, let encoding = request.headerValue(.contentEncoding) {
            switch decodeBody(&request, encoding: encoding) {
            case .some(let status):
                return Outcome(response: HTTPServerResponse(status: .init(code: status)), close: true)
            case .none:
                break
            }
        }
        return finish(await handler.handle(request), acceptsGzip: acceptsGzip)
    }

    /// `respond` without a task, when the handler can answer at once (`HTTPHandler.respondImmediately`); nil when
    /// it cannot. Not for encoded bodies: their decoding would be done twice when the handler says nil.
    func respondImmediately(to request: HTTPServerRequest, acceptsGzip: Bool) -> Outcome? {
        guard let response = handler.respondImmediately(to: request) else { return nil }
        return finish(response, acceptsGzip: acceptsGzip)
    }

    private func finish(_ response: HTTPServerResponse, acceptsGzip: Bool) -> Outcome {
        var response = response
        if response.status.code < 200 {
            // A final response is required; an informational one would leave the client waiting.
            logger.error("handler returned informational status \(response.status.code); sending 500")
            response = HTTPServerResponse(status: .internalServerError)
        }
        if acceptsGzip { compressIfWorthIt(&response) }
        let close = response.headerFields.contains {
            $0.name == .connection && $0.value.lowercased().contains("close")
        }
        return Outcome(response: response, close: close)
    }

    /// Inflates a gzip body in place; returns an error status when it cannot.
    private func decodeBody(_ request: inout HTTPServerRequest, encoding: String) -> Int? {
        let coding = String(encoding.lowercased().filter { $0 != " " && $0 != "\t" })
        if coding == "identity" {
            request.removeHeaderFields(.contentEncoding)
            return nil
        }
        guard coding == "gzip" || coding == "x-gzip" else { return 415 }
        switch Gzip.decompress(request.body, limit: configuration.limits.inflatedBodyBytes) {
        case .success(let inflated):
            request.body = inflated
            request.removeHeaderFields(.contentEncoding)
            request.removeHeaderFields(.contentLength)
            return nil
        case .failure(.tooLarge):
            return 413
        case .failure(.corrupt):
            return 400
        }
    }

    private func compressIfWorthIt(_ response: inout HTTPServerResponse) {
        let gzip = configuration.gzip
        guard gzip.enabled, response.body.count >= gzip.minimumBodyBytes,
            ResponseEncoder.statusAllowsBody(response.status.code),
            response.headerFields[.contentEncoding] == nil,
            let compressed = Gzip.compress(response.body, level: gzip.level),
            compressed.count < response.body.count
        else { return }
        response.body = compressed
        response.headerFields[.contentEncoding] = "gzip"
        if let vary = response.headerFields[.vary] {
            if !vary.lowercased().contains("accept-encoding") {
                response.headerFields[.vary] = vary + ", Accept-Encoding"
            }
        } else {
            response.headerFields[.vary] = "Accept-Encoding"
        }
    }
}

enum System {
    static var coreCount: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }
}
