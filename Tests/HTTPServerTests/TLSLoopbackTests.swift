import COpenSSL
import Glibc
import HTTPServer
import Logging
import Testing

/// HTTPS over loopback with an in-process OpenSSL client, against the self-signed `TLSFixture`.
@Suite struct TLSLoopbackTests {
    private func withTLSServer(
        configure: @escaping (inout HTTPServerConfiguration) -> Void = { _ in },
        _ body: @escaping @Sendable (Int, HTTPServer) throws -> Void
    ) async throws {
        try await withServer(
            configure: {
                $0.tls = TLSFixture.configuration
                configure(&$0)
            }, body)
    }

    @Test func keepAliveRequestsAndLargeBodiesTravelOverTLS13WithALPN() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port)
            #expect(client.version == "TLSv1.3")
            #expect(client.negotiatedProtocol == "http/1.1")
            try client.send("GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
            let hello = try client.readResponse()
            #expect(hello.status == 200)
            #expect(hello.text == "hello")
            // 8 MiB each way: more than the socket buffers hold, so both sides wait on readiness mid-body.
            let upload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
            try client.send(
                "POST /echo HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n"
                    + "Content-Length: \(upload.count)\r\n\r\n")
            try client.send(upload)
            let echoed = try client.readResponse()
            #expect(echoed.status == 200)
            #expect(echoed.body.count == upload.count)
            #expect(echoed.body == upload)
            try client.send("GET /big HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\n\r\n")
            let big = try client.readResponse()
            #expect(big.body == Array(repeating: UInt8(ascii: "z"), count: 100_000))
        }
    }

    @Test func pipelinedRequestsInOneRecordAreAnsweredInOrder() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port)
            try client.send(
                "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /method HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
            #expect(try client.readResponse().text == "GET head=false")
            #expect(try client.readResponse().status == 404)
        }
    }

    @Test func requestSplitOverSmallRecordsArrivingTogetherIsRead() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port)
            // One short record does not mean the socket is empty: the server must read on to the last record.
            try client.sendRecordsAtOnce(["GET /hel", "lo HTTP/1.1\r\n", "Host: x\r\n", "\r\n"])
            #expect(try client.readResponse().text == "hello")
            try client.sendRecordsAtOnce([
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\n", "ab", "cd", "ef",
            ])
            #expect(try client.readResponse().text == "abcdef")
        }
    }

    @Test func keyUpdatesMidConnectionAreFollowed() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port)
            for round in 0..<3 {
                try client.requestKeyUpdate()
                try client.send("GET /method HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().text == "GET head=false", "round \(round)")
            }
        }
    }

    @Test func tls12ClientIsServed() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port, maxVersion: TLS1_2_VERSION)
            #expect(client.version == "TLSv1.2")
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func clientOfferingOnlyH2StillGetsHTTP11WithoutALPN() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port, alpn: ["h2"])
            #expect(client.negotiatedProtocol == "")
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func tls11OnlyClientIsRefusedWithAProtocolVersionAlert() async throws {
        try await withTLSServer { port, _ in
            // Security level 0: otherwise the client's own OpenSSL refuses TLS 1.1 before asking the server.
            let refused = #expect(throws: TLSTestClient.Failure.self) {
                _ = try TLSTestClient(
                    port: port, minVersion: TLS1_1_VERSION, maxVersion: TLS1_1_VERSION, securityLevel: 0)
            }
            #expect(refused?.description.contains("protocol version") == true)
            let client = try TLSTestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func plainHTTPToTheTLSPortIsClosedWithoutAnHTTPAnswerAndOthersAreServed() async throws {
        try await withTLSServer { port, server in
            let secure = try TLSTestClient(port: port)
            let plain = try TestClient(port: port)
            try plain.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let answer = plain.readToEnd()  // returns once the server has closed
            #expect(!answer.starts(with: Array("HTTP/".utf8)))
            try secure.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try secure.readResponse().text == "hello")
            #expect(eventually { server.openConnectionCount == 1 })
        }
    }

    @Test func clientThatNeverHandshakesIsClosedAtTheHeaderDeadlineWhileOthersAreServed() async throws {
        try await withTLSServer(configure: { $0.timeouts.headerSection = .milliseconds(300) }) { port, _ in
            let silent = try TestClient(port: port)
            // A TLS record header promising a ClientHello that never comes.
            let stalled = try TestClient(port: port)
            try stalled.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])
            let client = try TLSTestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
            #expect(silent.isClosedByServer())
            #expect(stalled.isClosedByServer())
        }
    }

    @Test func connectionsOverTheCapAreClosedWithoutAHandshake() async throws {
        try await withTLSServer(configure: { $0.maxConnections = 1 }) { port, server in
            let first = try TLSTestClient(port: port)
            try first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try first.readResponse().status == 200)
            let second = try TestClient(port: port)
            #expect(second.isClosedByServer())
            #expect(eventually { server.openConnectionCount == 1 })
            try first.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try first.readResponse().status == 200)
        }
    }

    @Test func tlsClientThatStopsReadingIsClosedAtTheWriteDeadline() async throws {
        try await withTLSServer(configure: { $0.timeouts.write = .milliseconds(300) }) { port, server in
            let client = try TLSTestClient(port: port)
            // 10 MB of pipelined responses, more than both socket buffers hold, and never a byte read.
            let request = "GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n"
            try client.send(String(repeating: request, count: 100))
            #expect(eventually { server.openConnectionCount == 0 })
            withExtendedLifetime(client) {}
        }
    }

    @Test func slowlorisOverTLSGets408AtTheHeaderDeadline() async throws {
        try await withTLSServer(configure: { $0.timeouts.headerSection = .milliseconds(300) }) { port, _ in
            let client = try TLSTestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.header("Connection") == "close")
            #expect(client.receivedCloseNotify())
        }
    }

    @Test func connectionCloseEndsTheSessionWithCloseNotify() async throws {
        try await withTLSServer { port, _ in
            let client = try TLSTestClient(port: port)
            try client.send("GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "bye")
            #expect(client.receivedCloseNotify())
        }
    }

    @Test func idleTLSConnectionIsClosedWithCloseNotify() async throws {
        try await withTLSServer(configure: { $0.timeouts.idleKeepAlive = .milliseconds(200) }) { port, _ in
            let client = try TLSTestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.receivedCloseNotify())
        }
    }
}

/// Start-up with an unusable certificate or key: an error naming the file, no crash, no listener left behind.
@Suite struct TLSConfigurationTests {
    private func startError(certificate: String, key: String) -> String? {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = .init(certificatePath: certificate, privateKeyPath: key)
        var logger = Logger(label: "http-test")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, handler: TestHandler(), logger: logger)
        do {
            _ = try server.start()
            return nil
        } catch let error as TLSConfigurationError {
            return error.description
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func missingCertificateFileIsNamed() {
        let files = TLSFixture.files
        let message = startError(certificate: files.missing, key: files.privateKey)
        #expect(message == "cannot read TLS certificate '\(files.missing)': No such file or directory")
    }

    @Test func missingKeyFileIsNamed() {
        let files = TLSFixture.files
        let message = startError(certificate: files.certificate, key: files.missing)
        #expect(message == "cannot read TLS private key '\(files.missing)': No such file or directory")
    }

    @Test func fileThatIsNotPEMIsRefused() {
        let files = TLSFixture.files
        let message = startError(certificate: files.notPEM, key: files.privateKey) ?? ""
        #expect(message.hasPrefix("cannot load the TLS certificate chain (PEM) from '\(files.notPEM)': "))
    }

    @Test func keyOfAnotherCertificateIsRefused() {
        let files = TLSFixture.files
        let message = startError(certificate: files.certificate, key: files.unrelatedKey)
        #expect(
            message
                == "the TLS private key '\(files.unrelatedKey)' does not match the certificate '\(files.certificate)'")
    }

    @Test func matchingCertificateAndKeyStart() async {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.tls = TLSFixture.configuration
        var logger = Logger(label: "http-test")
        logger.logLevel = .critical
        let server = HTTPServer(configuration: configuration, handler: TestHandler(), logger: logger)
        let port = try? server.start()
        #expect(port != nil)
        await server.shutdown(deadline: .seconds(1))
    }
}
