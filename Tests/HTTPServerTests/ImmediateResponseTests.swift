import Glibc
import HTTPServer
import Testing

@testable import HTTPServer

/// `HTTPHandler.respondImmediately`: answers without a task when it can, and hands the request to `handle` when it
/// says nil, for encoded bodies, and for large bodies.
@Suite(.serialized) struct ImmediateResponseTests {
    @Test func immediateAnswerIsSentWithServerFraming() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /now HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body == Array(repeating: UInt8(ascii: "n"), count: 2000))
            #expect(response.header("Content-Length") == "2000")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
        }
    }

    @Test func declinedRequestIsAnsweredByHandle() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /now?wait HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "from handle")
        }
    }

    @Test func immediateAnswersAreGzippedAndHEADDropsTheBody() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /now HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            let zipped = try client.readResponse()
            #expect(zipped.header("Content-Encoding") == "gzip")
            let inflated = try Gzip.decompress(zipped.body, limit: 1 << 20).get()
            #expect(inflated == Array(repeating: UInt8(ascii: "n"), count: 2000))

            try client.send("HEAD /now HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(bodiless: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "2000")
            #expect(head.body.isEmpty)
        }
    }

    @Test func informationalImmediateAnswerBecomes500() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /now-informational HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 500)
        }
    }

    @Test func encodedAndLargeBodiesGoToHandle() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            #expect(try client.readResponse().text == "abc")

            let compressed = try #require(Gzip.compress(Array("abc".utf8), level: 6))
            try client.send(
                "POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
                    + "Content-Length: \(compressed.count)\r\n\r\n")
            try client.send(compressed)
            #expect(try client.readResponse().text == "from handle")

            let large = 64 * 1024 + 1
            try client.send("POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(large)\r\n\r\n")
            try client.send([UInt8](repeating: UInt8(ascii: "b"), count: large))
            #expect(try client.readResponse().text == "from handle")
        }
    }

    @Test func pipelinedImmediateAndTaskAnswersKeepTheirOrder() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send(
                "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /now?wait HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /now-echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok")
            #expect(try client.readResponse().text == "slow")
            #expect(try client.readResponse().text == "from handle")
            #expect(try client.readResponse().text == "ok")
        }
    }
}
