/// Thrown by `HTTPServer.start()` when the certificate or key of `HTTPServerConfiguration.tls` cannot be used;
/// the message names the file and OpenSSL's reason.
public struct TLSConfigurationError: Error, CustomStringConvertible {
    public var description: String
}
