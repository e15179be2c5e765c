import Foundation
import Glibc
import HTTPServer
import Logging

/// Starts a server on an ephemeral port, runs `body` on a thread of its own, then shuts the server down.
///
/// The test client blocks: on a thread of Dispatch's global pool it would take a thread the server's handlers need,
/// and a few such clients in parallel suites left servers without any (responses then arrived only after the
/// clients' 10 s receive timeout).
func withServer(
    configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    _ body: @escaping @Sendable (Int, HTTPServer) throws -> Void
) async throws {
    var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
    configure(&configuration)
    var logger = Logger(label: "http-test")
    logger.logLevel = .critical
    let server = HTTPServer(configuration: configuration, handler: TestHandler(), logger: logger)
    let port = try server.start()
    let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: Result { try body(port, server) }) }.start()
    }
    await server.shutdown(deadline: .seconds(2))
    try result.get()
}

/// Waits (up to a generous bound) until `condition` holds; for effects that happen asynchronously on the server.
func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        usleep(5000)
    }
    return condition()
}
