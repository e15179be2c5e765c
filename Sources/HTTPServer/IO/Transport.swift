import Glibc

/// How a connection's bytes reach its socket: as they are (the default, and the fast path), or through TLS.
///
/// An enum rather than a protocol, so the plain case costs one predictable branch instead of a dynamic call.
/// Used only under the owning connection's lock.
enum Transport {
    case plain
    case tls(TLSStream)

    enum Result {
        /// Bytes moved (more than zero, unless nothing was asked for).
        case transferred(Int)
        /// The peer has finished sending (EOF, or TLS close_notify).
        case end
        /// Nothing moved; try again once the socket is ready for this. TLS may need to write while reading (its
        /// handshake, a key update) or, in principle, read while writing.
        case wait(Readiness)
        /// The connection is unusable: reset, or a TLS protocol or handshake failure.
        case failed
    }

    enum Readiness {
        case readable, writable
    }

    @inline(__always)
    func receive(fd: Int32, into buffer: UnsafeMutablePointer<UInt8>, count: Int) -> Result {
        switch self {
        case .plain:
            while true {
                let received = recv(fd, buffer, count, 0)
                if received > 0 { return .transferred(received) }
                if received == 0 { return .end }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wait(.readable)
                default: return .failed
                }
            }
        case .tls(let stream):
            return stream.receive(into: buffer, count: count)
        }
    }

    /// Sends from `head` then `body` as far as the socket takes them; the count covers head bytes first.
    @inline(__always)
    func send(fd: Int32, head: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer) -> Result {
        switch self {
        case .plain:
            while true {
                // Head and body in one `sendmsg`: one system call and, for small responses, one segment.
                var vectors = (
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count),
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: body.baseAddress), iov_len: body.count)
                )
                let written = withUnsafeMutableBytes(of: &vectors) { raw in
                    var message = msghdr()
                    message.msg_iov = raw.baseAddress?.assumingMemoryBound(to: iovec.self)
                    message.msg_iovlen = 2
                    return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
                }
                if written >= 0 { return .transferred(written) }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return .wait(.writable)
                default: return .failed  // EPIPE, ECONNRESET: the client is gone
                }
            }
        case .tls(let stream):
            return stream.send(head: head, body: body)
        }
    }

    /// Whether fewer bytes than asked for means the socket is empty. Not under TLS: it returns one record at a time,
    /// while more records (or decrypted bytes of this one) may be waiting, which no readiness event would announce.
    var shortReadMeansDrained: Bool {
        switch self {
        case .plain: true
        case .tls: false
        }
    }

    /// Decrypted bytes held inside TLS: the socket will not signal them, so the reader must ask.
    var hasBufferedInput: Bool {
        switch self {
        case .plain: false
        case .tls(let stream): stream.hasBufferedInput
        }
    }

    /// Ends our side (close_notify first, under TLS) while the peer may still send: the lingering close.
    func finishSending(fd: Int32) {
        if case .tls(let stream) = self { stream.closeNotify() }
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Before the descriptor closes: TLS says close_notify, so the peer can tell our close from a truncation.
    func closing() {
        if case .tls(let stream) = self { stream.closeNotify() }
    }
}
