#ifndef COPENSSL_H
#define COPENSSL_H

#include <stddef.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/// Results of `copenssl_read`/`copenssl_write` besides a byte count (> 0) or end of input (0).
enum {
    COPENSSL_FAILED = -1,      ///< fatal: protocol error, handshake failure, reset; close without close_notify
    COPENSSL_WANT_READ = -2,   ///< retry once the socket is readable
    COPENSSL_WANT_WRITE = -3,  ///< retry once the socket is writable (the same bytes, when writing)
};

/// A server context: TLS 1.2 minimum, security level 2, no renegotiation, partial writes with moving buffers,
/// ALPN `http/1.1`, the PEM certificate chain and private key loaded and checked against each other.
/// Returns NULL with a sentence in `message` when a file cannot be read or the key does not match.
SSL_CTX *copenssl_server_context(const char *certificate_path, const char *key_path, char *message,
                                 size_t message_capacity);

/// A server-side session on a connected non-blocking socket; its BIO writes with MSG_NOSIGNAL (no SIGPIPE).
SSL *copenssl_server_session(SSL_CTX *context, int fd);

/// One SSL_read (doing the handshake first if needed): bytes read, 0 at the peer's close_notify or EOF, or a
/// COPENSSL_ code.
long copenssl_read(SSL *ssl, void *buffer, size_t capacity);

/// One SSL_write: bytes written (possibly fewer than `count`, one record at a time), or a COPENSSL_ code.
long copenssl_write(SSL *ssl, const void *buffer, size_t count);

/// Sends close_notify once, if the handshake finished; never waits for the peer's.
void copenssl_close_notify(SSL *ssl);

/// The client side, for tests: a context limited to [min_version, max_version] (0 = no bound) at `security_level`,
/// trusting no one (tests pin nothing; they only need the handshake).
SSL_CTX *copenssl_client_context(int min_version, int max_version, int security_level);

/// The most recent OpenSSL error on this thread as text, for messages; "" when there is none.
void copenssl_last_error(char *message, size_t message_capacity);

#endif
