import Foundation
import HTTPServer
import Logging

/// Like `withServer`, but the blocking client runs on a thread of its own instead of Dispatch's global queue.
///
/// Dispatch runs the server's I/O queues on the same small pool of global threads; a blocking client on one of them
/// takes a thread from the server it waits for, and a few such clients in parallel suites left servers without any
/// (responses then arrived only after the clients' 10 s receive timeout).
func withServerOnOwnThread(
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
        let thread = Thread {
            continuation.resume(returning: Result { try body(port, server) })
        }
        thread.start()
    }
    await server.shutdown(deadline: .seconds(2))
    try result.get()
}
