import COpenSSL
import Glibc

/// A blocking TLS client over a `TestClient`'s socket, through OpenSSL in-process (no curl needed), trusting any
/// certificate: the tests are about the server's transport, not about verification.
final class TLSTestClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let tcp: TestClient
    private let context: OpaquePointer
    private let ssl: OpaquePointer
    private var buffer: [UInt8] = []

    /// Connects and completes the handshake; throws with OpenSSL's reason when the handshake fails.
    init(
        port: Int, minVersion: Int32 = 0, maxVersion: Int32 = 0, securityLevel: Int32 = 2,
        alpn: [String] = ["http/1.1"]
    ) throws {
        // OpenSSL's client socket BIO writes with write(2): a server that resets must fail the test, not kill it.
        signal(SIGPIPE, SIG_IGN)
        tcp = try TestClient(port: port)
        guard let context = copenssl_client_context(minVersion, maxVersion, securityLevel) else {
            throw Failure(description: "no client context")
        }
        self.context = context
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw Failure(description: "no client session")
        }
        self.ssl = ssl
        SSL_set_fd(ssl, tcp.fd)
        var wire: [UInt8] = []
        for name in alpn {
            wire.append(UInt8(name.utf8.count))
            wire.append(contentsOf: name.utf8)
        }
        if !wire.isEmpty { _ = SSL_set_alpn_protos(ssl, wire, UInt32(wire.count)) }
        ERR_clear_error()
        guard SSL_connect(ssl) == 1 else {
            throw Failure(description: "handshake failed: " + Self.lastError())
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// "TLSv1.3", "TLSv1.2", …
    var version: String { String(cString: SSL_get_version(ssl)) }

    var negotiatedProtocol: String {
        var data: UnsafePointer<UInt8>?
        var length: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &data, &length)
        guard let data else { return "" }
        return String(decoding: UnsafeBufferPointer(start: data, count: Int(length)), as: UTF8.self)
    }

    /// TLS 1.3 KeyUpdate asking the server to update its keys too; it goes out with the next write.
    func requestKeyUpdate() throws {
        guard SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED) == 1 else {
            throw Failure(description: "SSL_key_update: " + Self.lastError())
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Each piece in its own TLS record, all leaving in one TCP segment (corked), so the server gets one readiness
    /// event for several records.
    func sendRecordsAtOnce(_ pieces: [String]) throws {
        var on: Int32 = 1
        setsockopt(tcp.fd, Int32(IPPROTO_TCP), TCP_CORK, &on, socklen_t(MemoryLayout<Int32>.size))
        for piece in pieces { try send(piece) }
        var off: Int32 = 0
        setsockopt(tcp.fd, Int32(IPPROTO_TCP), TCP_CORK, &off, socklen_t(MemoryLayout<Int32>.size))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32($0.count)) }
            guard written > 0 else { throw Failure(description: "SSL_write: " + Self.lastError()) }
            offset += Int(written)
        }
    }

    /// Appends more bytes to `buffer`; false at the end of the stream.
    private func fill(_ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        guard count > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<Int(count)])
        return true
    }

    func readResponse() throws -> TestClient.Response {
        try readHTTPResponse(from: &buffer) { fill(&$0) }
    }

    /// Reads to the end; true when the server ended the session with close_notify (not a bare TCP close).
    func receivedCloseNotify() -> Bool {
        while fill(&buffer) {}
        return SSL_get_shutdown(ssl) & Int32(SSL_RECEIVED_SHUTDOWN) != 0
    }

    private static func lastError() -> String {
        var message = [CChar](repeating: 0, count: 256)
        let capacity = message.count
        message.withUnsafeMutableBufferPointer { copenssl_last_error($0.baseAddress, capacity) }
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
