import COpenSSL

/// One connection's TLS session (`SSL`) over its non-blocking socket. The handshake happens inside the first
/// reads, so it is bounded by the same deadline as a request's first bytes.
///
/// Not thread-safe: used only under the owning connection's lock.
final class TLSStream {
    private let ssl: OpaquePointer
    /// Head and body of a small response are joined into one record: one record and one system call per response.
    private var joined: [UInt8] = []
    private static let recordBytes = 16 * 1024

    /// Nil when OpenSSL cannot allocate the session.
    init?(context: TLSContext, fd: Int32) {
        guard let ssl = copenssl_server_session(context.context, fd) else { return nil }
        self.ssl = ssl
    }

    deinit {
        SSL_free(ssl)
    }

    func receive(into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Transport.Result {
        Self.result(copenssl_read(ssl, buffer, count))
    }

    /// A retry after `.wait` passes the same bytes again (or more of them), as OpenSSL requires; their address may
    /// change (`SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER`).
    func send(head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) -> Transport.Result {
        if !head.isEmpty && !body.isEmpty && head.count + body.count <= Self.recordBytes {
            joined.removeAll(keepingCapacity: true)
            joined.append(contentsOf: head)
            joined.append(contentsOf: body)
            return joined.withUnsafeBytes { Self.result(copenssl_write(ssl, $0.baseAddress, $0.count)) }
        }
        let part = head.isEmpty ? body : head
        return Self.result(copenssl_write(ssl, part.baseAddress, part.count))
    }

    var hasBufferedInput: Bool {
        SSL_pending(ssl) > 0
    }

    func closeNotify() {
        copenssl_close_notify(ssl)
    }

    private static func result(_ value: Int) -> Transport.Result {
        switch value {
        case 1...: .transferred(value)
        case 0: .end
        case Int(COPENSSL_WANT_READ): .wait(.readable)
        case Int(COPENSSL_WANT_WRITE): .wait(.writable)
        default: .failed
        }
    }
}
