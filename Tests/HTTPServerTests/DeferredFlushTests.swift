import HTTPServer
import Testing

/// Responses answered on the I/O thread are sent when the loop has handled the events at hand (at most 8 held
/// back): every one still arrives, whole and in order, whether a batch holds fewer or more than that.
@Suite(.serialized) struct DeferredFlushTests {
    @Test func manyConnectionsWithRequestsWaitingAtOnceAllGetTheirOwnAnswers() async throws {
        try await withServer(configure: { $0.ioQueueCount = 1 }) { port, _ in
            let clients = try (0..<20).map { _ in try TestClient(port: port) }
            // All requests are on their way before any answer is read, so one epoll batch sees many of them.
            for (k, client) in clients.enumerated() {
                try client.send(
                    "POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nc\(k < 10 ? "0" : "")\(k)!")
            }
            for (k, client) in clients.enumerated() {
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "c\(k < 10 ? "0" : "")\(k)!")
            }
            // And the connections stay usable.
            for client in clients {
                try client.send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().body.count == 2000)
            }
        }
    }

    @Test func pipelinedImmediateAnswersPastTheLimitKeepTheirOrder() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            var burst = ""
            for k in 0..<30 {
                burst += "POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n\(k < 10 ? "0" : "")\(k)"
            }
            try client.send(burst)
            for k in 0..<30 {
                #expect(try client.readResponse().text == "\(k < 10 ? "0" : "")\(k)")
            }
        }
    }
}
