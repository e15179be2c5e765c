import HTTPServer
import HTTPTypes
import Synchronization

/// Spinning handlers finished so far (see `/spin`).
let spinsFinished = Atomic<Int>(0)
/// Slow handlers started so far (see `/slow`): a test can wait until its request is in flight.
let slowStarted = Atomic<Int>(0)

/// Routes for the loopback tests.
struct TestHandler: HTTPHandler {
    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        let path = request.head.path ?? ""
        switch (request.head.method, path) {
        case (.get, "/hello"):
            return HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"], body: Array("hello".utf8))
        case (.post, "/echo"), (.put, "/echo"):
            var fields: HTTPFields = [.contentType: "application/octet-stream"]
            if let encoding = request.head.headerFields[.contentEncoding] {
                fields[HTTPField.Name("X-Seen-Content-Encoding")!] = encoding
            }
            return HTTPServerResponse(status: .ok, headerFields: fields, body: request.body)
        case (.get, "/big"):
            return HTTPServerResponse(status: .ok, body: Array(repeating: UInt8(ascii: "z"), count: 100_000))
        case (.get, "/slow"):
            slowStarted.add(1, ordering: .relaxed)
            try? await Task.sleep(for: .milliseconds(300))
            return HTTPServerResponse(status: .ok, body: Array("slow".utf8))
        case (.get, "/spin"):
            // Burns CPU without yielding, like a big matrix product.
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: .seconds(1))
            var counter = 0
            while clock.now < end { counter &+= 1 }
            spinsFinished.add(1, ordering: .relaxed)
            return HTTPServerResponse(status: .ok, body: Array("spun \(counter > 0)".utf8))
        case (.get, "/spin-short"):
            let clock = ContinuousClock()
            let end = clock.now.advanced(by: .milliseconds(100))
            while clock.now < end {}
            return HTTPServerResponse(status: .ok, body: Array("short".utf8))
        case (.get, "/no-content"):
            return HTTPServerResponse(status: .noContent, body: Array("dropped".utf8))
        case (.get, "/inject"):
            return HTTPServerResponse(
                status: .ok, headerFields: [HTTPField.Name("X-Inject")!: "a\r\nSet-Cookie: evil=1"], body: [])
        case (.get, "/close"):
            return HTTPServerResponse(status: .ok, headerFields: [.connection: "close"], body: Array("bye".utf8))
        case (.get, "/now"), (.get, "/now?wait"), (.post, "/now-echo"):
            return HTTPServerResponse(status: .ok, body: Array("from handle".utf8))
        case (.get, "/method"):
            return HTTPServerResponse(status: .ok, body: Array("\(request.head.method) head=\(request.isHEAD)".utf8))
        default:
            return HTTPServerResponse(status: .notFound, body: Array("not found".utf8))
        }
    }

    /// `/now` is answered without a task; `/now?wait` declines, as a handler that would have to wait does.
    func respondImmediately(to request: HTTPServerRequest) -> HTTPServerResponse? {
        switch (request.head.method, request.head.path ?? "") {
        case (.get, "/now"):
            return HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"],
                body: Array(repeating: UInt8(ascii: "n"), count: 2000))
        case (.post, "/now-echo"):
            var fields: HTTPFields = [:]
            if let encoding = request.head.headerFields[.contentEncoding] {
                fields[HTTPField.Name("X-Seen-Content-Encoding")!] = encoding
            }
            return HTTPServerResponse(status: .ok, headerFields: fields, body: request.body)
        case (.get, "/now-informational"):
            return HTTPServerResponse(status: .init(code: 103))
        default:
            return nil
        }
    }
}
