import COpenSSL

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The health probe's connection: the blocking socket itself, or TLS over it (its timeouts still apply).
enum ProbeChannel {
  case plain(Int32)
  case tls(context: OpaquePointer, session: OpaquePointer)

  /// Handshakes over `socket`; no certificate check, since the probe only asks whether the local server answers.
  static func tls(socket: Int32) throws(HealthProbe.Failure) -> ProbeChannel {
    guard let context = copenssl_client_context(TLS1_2_VERSION, 0, 2) else {
      throw HealthProbe.Failure(description: "cannot create a TLS client")
    }
    guard let session = SSL_new(context) else {
      SSL_CTX_free(context)
      throw HealthProbe.Failure(description: "cannot create a TLS client")
    }
    SSL_set_fd(session, socket)
    ERR_clear_error()
    guard SSL_connect(session) == 1 else {
      var message = [CChar](repeating: 0, count: 256)
      let capacity = message.count
      message.withUnsafeMutableBufferPointer { copenssl_last_error($0.baseAddress, capacity) }
      SSL_free(session)
      SSL_CTX_free(context)
      let reason = String(
        decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw HealthProbe.Failure(
        description: "TLS handshake failed: \(reason.isEmpty ? "connection closed" : reason)")
    }
    return .tls(context: context, session: session)
  }

  /// Like write(2): bytes written, or -1.
  func send(_ bytes: UnsafeRawBufferPointer) -> Int {
    switch self {
    case .plain(let fd):
      return write(fd, bytes.baseAddress, bytes.count)
    case .tls(_, let session):
      let written = SSL_write(session, bytes.baseAddress, Int32(clamping: bytes.count))
      return written > 0 ? Int(written) : -1
    }
  }

  /// Like read(2): bytes read, 0 at the end, or -1.
  func receive(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
    switch self {
    case .plain(let fd):
      return read(fd, buffer.baseAddress, buffer.count)
    case .tls(_, let session):
      let count = SSL_read(session, buffer.baseAddress, Int32(clamping: buffer.count))
      if count > 0 { return Int(count) }
      return SSL_get_error(session, count) == SSL_ERROR_ZERO_RETURN ? 0 : -1
    }
  }

  func finish() {
    if case .tls(let context, let session) = self {
      SSL_free(session)
      SSL_CTX_free(context)
    }
  }
}
