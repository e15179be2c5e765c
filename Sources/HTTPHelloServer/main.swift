// A trivial server for scripts/bench-http.sh and manual checks: GET / answers "hello", POST /echo echoes.
import Dispatch
import Glibc
import HTTPServer
import HTTPTypes
import Logging

struct HelloHandler: HTTPHandler {
    static let hello = Array("hello, world\n".utf8)

    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
        switch (request.head.method, request.head.path ?? "") {
        case (.post, "/echo"):
            return HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "application/octet-stream"], body: request.body)
        case (.get, "/big"):
            return HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"],
                body: Array(repeating: UInt8(ascii: "a"), count: 100_000))
        default:
            return HTTPServerResponse(
                status: .ok, headerFields: [.contentType: "text/plain"], body: Self.hello)
        }
    }

    /// Every answer here takes microseconds.
    func handlesInline(_ request: HTTPServerRequest) -> Bool { true }
}

let arguments = CommandLine.arguments
let port = arguments.count > 1 ? Int(arguments[1]) ?? 8080 : 8080
let host = arguments.count > 2 ? arguments[2] : "127.0.0.1"
var logger = Logger(label: "hello")
logger.logLevel = .warning
let server = HTTPServer(
    configuration: HTTPServerConfiguration(host: host, port: port), handler: HelloHandler(),
    logger: logger)
let bound = try server.start()
print("listening on \(host):\(bound)")
fflush(nil)  // flushes every output stream; scripts read the port from this line
dispatchMain()

enum ProcessInfoLite {
    static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
