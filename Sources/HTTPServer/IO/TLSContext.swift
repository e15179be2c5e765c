import COpenSSL

/// The server's configured `SSL_CTX`: certificate chain and key loaded and checked once, at start.
///
/// `@unchecked Sendable`: after `init` the context is never configured again, and OpenSSL allows `SSL_new` on
/// such a context from any thread; every session holds its own reference, so `deinit` frees it only after the last.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    init(_ configuration: HTTPServerConfiguration.TLS) throws {
        var message = [CChar](repeating: 0, count: 512)
        let capacity = message.count
        let created = message.withUnsafeMutableBufferPointer { buffer in
            copenssl_server_context(
                configuration.certificatePath, configuration.privateKeyPath, buffer.baseAddress, capacity)
        }
        guard let created else {
            let text = message.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map { String(cString: $0) } ?? ""
            }
            throw TLSConfigurationError(description: text)
        }
        context = created
    }

    deinit {
        SSL_CTX_free(context)
    }
}
