import Glibc
import HTTPServer
import Logging
import Testing

@testable import HTTPServer

@Suite(.serialized) struct HTTPServerLoopbackTests {
    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            for _ in 0..<3 {
                try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text == "hello")
                #expect(response.header("Content-Length") == "5")
                #expect(response.header("Connection") == nil)
                #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send(
                "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            #expect(try client.readResponse().text == "slow")
            #expect(try client.readResponse().text == "hello")
            #expect(try client.readResponse().text == "abc")
        }
    }

    @Test func requestArrivingWhileTheHandlerRunsIsServedAfterIt() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            usleep(100_000)  // the second request arrives while reading is suspended for the first
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "slow")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func busyHandlersDoNotStallOtherConnectionsIO() async throws {
        try await withServer { port, _ in
            let before = spinsFinished.load(ordering: .relaxed)
            let spinners = try (0..<4).map { _ in try TestClient(port: port) }
            for spinner in spinners { try spinner.send("GET /spin HTTP/1.1\r\nHost: x\r\n\r\n") }
            usleep(100_000)
            // Parsing and error answers happen on the I/O queues, not on the pool the spinning handlers occupy.
            let other = try TestClient(port: port)
            try other.send("GET / HTTP/1.1\r\n\r\n")
            #expect(try other.readResponse().status == 400)
            #expect(spinsFinished.load(ordering: .relaxed) == before)
            for spinner in spinners { #expect(try spinner.readResponse().text == "spun true") }
        }
    }

    @Test func manyBusyHandlersDoNotMultiplyThreads() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = try client.readResponse()
            let baseline = threadCount()
            let clients = try (0..<32).map { _ in try TestClient(port: port) }
            for client in clients { try client.send("GET /spin-short HTTP/1.1\r\nHost: x\r\n\r\n") }
            usleep(300_000)
            let during = threadCount()
            for client in clients { #expect(try client.readResponse().text == "short") }
            // Handlers share Swift's fixed-width pool: 32 CPU-bound requests add no thread per request.
            #expect(during <= baseline + 8, "threads went from \(baseline) to \(during)")
        }
    }

    @Test func http10KeepAliveIsHonouredAndEchoed() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let first = try client.readResponse()
            #expect(first.header("Connection") == "keep-alive")
            try client.send("GET /hello HTTP/1.0\r\n\r\n")
            let second = try client.readResponse()
            #expect(second.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func connectionCloseFromClientClosesAfterTheResponse() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "hello")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func connectionCloseFromHandlerClosesAfterTheResponse() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "bye")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func chunkedRequestBodyIsDecoded() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
            try client.send("4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nTrailer: t\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "Wikipedia")
        }
    }

    @Test func expectContinueGets100BeforeTheBodyIsSent() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("data")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "data")
        }
    }

    @Test func expectContinueWithTooLargeBodyGets413WithoutContinue() async throws {
        try await withServer(configure: { $0.limits.bodyBytes = 100 }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("PUT /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 101\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func headGetsGETsHeadersWithoutBody() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("HEAD /method HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(bodiless: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "\("GET head=true".utf8.count)")
            // The next response starts right after the head: no body bytes were sent.
            try client.send("GET /method HTTP/1.1\r\nHost: x\r\n\r\n")
            let get = try client.readResponse()
            #expect(get.text == "GET head=false")
        }
    }

    @Test func noContentResponseCarriesNoBodyAndNoLength() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let first = try client.readResponse()
            #expect(first.status == 204)
            #expect(first.header("Content-Length") == nil)
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func headerValuesCannotSplitTheResponse() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /inject HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Set-Cookie") == nil)
            #expect(response.header("X-Inject")?.contains("Set-Cookie") == true)
        }
    }

    @Test func largeResponsesAreGzippedWhenTheClientAcceptsIt() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\n\r\n")
            let zipped = try client.readResponse()
            #expect(zipped.header("Content-Encoding") == "gzip")
            #expect(zipped.header("Vary") == "Accept-Encoding")
            #expect(zipped.body.count < 1000)
            let inflated = try Gzip.decompress(zipped.body, limit: 1 << 20).get()
            #expect(inflated == Array(repeating: UInt8(ascii: "z"), count: 100_000))

            try client.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
            let plain = try client.readResponse()
            #expect(plain.header("Content-Encoding") == nil)
            #expect(plain.body.count == 100_000)

            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
            #expect(try client.readResponse().header("Content-Encoding") == nil)  // too small to be worth it
        }
    }

    @Test func gzipRequestBodiesAreInflated() async throws {
        try await withServer { port, _ in
            let original = Array("hello gzip world ".utf8) + Array(repeating: UInt8(ascii: "q"), count: 5000)
            let compressed = try #require(Gzip.compress(original, level: 6))
            let client = try TestClient(port: port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(compressed.count)\r\n\r\n"
            )
            try client.send(compressed)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body == original)
            #expect(response.header("X-Seen-Content-Encoding") == nil)
        }
    }

    @Test func gzipBombGets413() async throws {
        try await withServer(configure: { $0.limits.inflatedBodyBytes = 1 << 20 }) { port, _ in
            let bomb = try #require(Gzip.compress([UInt8](repeating: 0, count: 8 << 20), level: 9))
            let client = try TestClient(port: port)
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: \(bomb.count)\r\n\r\n")
            try client.send(bomb)
            let response = try client.readResponse()
            #expect(response.status == 413)
            #expect(response.header("Connection") == "close")
        }
    }

    @Test func corruptGzipGets400AndUnknownEncodingGets415() async throws {
        try await withServer { port, _ in
            let corrupt = try TestClient(port: port)
            try corrupt.send(
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nabcd")
            #expect(try corrupt.readResponse().status == 400)
            let brotli = try TestClient(port: port)
            try brotli.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Encoding: br\r\nContent-Length: 4\r\n\r\nabcd")
            #expect(try brotli.readResponse().status == 415)
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\n\r\n", 411),
        ("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2000\r\n\r\n", 413),
        ("GET /" + String(repeating: "a", count: 300) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
        ("GET / HTTP/1.1\r\nHost: a\r\nX: " + String(repeating: "a", count: 300) + "\r\n\r\n", 431),
        ("BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost: a\r\nExpect: tea\r\n\r\n", 417),
    ])
    func parserErrorsGetTheirStatusAndClose(request: String, status: Int) async throws {
        try await withServer(configure: {
            $0.limits.bodyBytes = 1000
            $0.limits.requestLineBytes = 256
            $0.limits.headerSectionBytes = 256
        }) { port, _ in
            let client = try TestClient(port: port)
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Length") == "0")
            #expect(client.isClosedByServer())
        }
    }

    @Test func unknownPathIsTheHandlersBusiness() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 404)
        }
    }

    @Test func incompleteHeaderSectionTimesOutWith408() async throws {
        try await withServer(configure: { $0.timeouts.headerSection = .milliseconds(200) }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET / HTTP/1.1\r\nHost: x\r\n")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByServer())
        }
    }

    @Test func stalledBodyTimesOutWith408() async throws {
        try await withServer(configure: { $0.timeouts.bodyProgress = .milliseconds(200) }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
            #expect(try client.readResponse().status == 408)
            #expect(client.isClosedByServer())
        }
    }

    @Test func idleKeepAliveConnectionIsClosedSilently() async throws {
        try await withServer(configure: { $0.timeouts.idleKeepAlive = .milliseconds(200) }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.isClosedByServer())
        }
    }

    @Test func connectionsOverTheCapGet503() async throws {
        try await withServer(configure: { $0.maxConnections = 1 }) { port, server in
            let first = try TestClient(port: port)
            try first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try first.readResponse().status == 200)
            let second = try TestClient(port: port)
            let refused = try second.readResponse()
            #expect(refused.status == 503)
            #expect(refused.header("Connection") == "close")
            #expect(second.isClosedByServer())
            // The first connection is unaffected.
            try first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try first.readResponse().status == 200)
            #expect(eventually { server.openConnectionCount == 1 })
        }
    }

    @Test func clientVanishingMidRequestFreesItsConnection() async throws {
        try await withServer { port, server in
            do {
                let partial = try TestClient(port: port)
                try partial.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly a bit")
                let waiting = try TestClient(port: port)
                try waiting.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
                // Both clients disappear: one mid-body, one before its response.
            }
            #expect(eventually { server.openConnectionCount == 0 })
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func halfClosedClientStillGetsItsResponse() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            client.finishSending()
            let response = try client.readResponse()
            #expect(response.text == "slow")
            // The end of input is noticed once reading resumes after the response; then the server closes.
            #expect(client.isClosedByServer())
        }
    }

    @Test func clientThatStopsReadingIsClosedAtTheWriteDeadline() async throws {
        try await withServer(configure: { $0.timeouts.write = .milliseconds(300) }) { port, server in
            let client = try TestClient(port: port, receiveBuffer: 4096)
            // 6.4 MB of responses that are never read: the socket buffers fill and the write source waits.
            try client.send(String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 64))
            #expect(eventually { server.openConnectionCount == 1 })
            #expect(eventually { server.openConnectionCount == 0 })
            withExtendedLifetime(client) {}
        }
    }

    @Test func largeResponseIsDeliveredWhole() async throws {
        try await withServer { port, _ in
            let client = try TestClient(port: port, receiveBuffer: 4096)
            try client.send(String(repeating: "GET /big HTTP/1.1\r\nHost: x\r\n\r\n", count: 8))
            for _ in 0..<8 {
                let response = try client.readResponse()
                #expect(response.body.count == 100_000)
                #expect(response.body.allSatisfy { $0 == UInt8(ascii: "z") })
            }
        }
    }

    @Test func ipv6LoopbackIsServed() async throws {
        try await withServer(configure: { $0.host = "::1" }) { port, _ in
            let client = try TestClient(port: port, host: "::1")
            try client.send("GET /hello HTTP/1.1\r\nHost: [::1]\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func shutdownFinishesInFlightRequestsAndReturnsDescriptorsToBaseline() async throws {
        var logger = Logger(label: "http-test")
        logger.logLevel = .critical
        // Dispatch opens its own descriptors (epoll, eventfd) on first use; warm it up before counting.
        let warmUp = HTTPServer(configuration: .init(port: 0), handler: TestHandler(), logger: logger)
        _ = try warmUp.start()
        await warmUp.shutdown(deadline: .seconds(1))
        let baseline = openDescriptorCount()
        let server = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), handler: TestHandler(),
            logger: logger)
        let port = try server.start()
        let idle = try TestClient(port: port)
        try idle.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        _ = try idle.readResponse()
        let slowBefore = slowStarted.load(ordering: .relaxed)
        let busy = try TestClient(port: port)
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(eventually { server.openConnectionCount == 2 })
        // In flight means its handler runs; bytes still in the socket at shutdown belong to an idle connection.
        #expect(eventually { slowStarted.load(ordering: .relaxed) > slowBefore })
        await server.shutdown(deadline: .seconds(5))
        #expect(server.openConnectionCount == 0)
        let response = try busy.readResponse()
        #expect(response.text == "slow")
        #expect(response.header("Connection") == "close")
        #expect(busy.isClosedByServer())
        #expect(idle.isClosedByServer())
        #expect(throws: (any Error).self) { try TestClient(port: port) }
        withExtendedLifetime((idle, busy)) {}
        // Two client sockets are still ours; every server-side descriptor is gone.
        #expect(openDescriptorCount() == baseline + 2)
    }
}
