#include "copenssl.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

// MARK: A socket BIO that never raises SIGPIPE

// OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when the peer has reset the connection;
// a library must not change the process's signal disposition, so this one uses send(MSG_NOSIGNAL).

static int nosignal_write(BIO *bio, const char *data, int count) {
    int fd = (int)(intptr_t)BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    ssize_t written;
    do {
        written = send(fd, data, (size_t)count, MSG_NOSIGNAL);
    } while (written < 0 && errno == EINTR);
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(bio);
    return (int)written;
}

static int nosignal_read(BIO *bio, char *data, int capacity) {
    int fd = (int)(intptr_t)BIO_get_data(bio);
    BIO_clear_retry_flags(bio);
    ssize_t count;
    do {
        count = recv(fd, data, (size_t)capacity, 0);
    } while (count < 0 && errno == EINTR);
    if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(bio);
    return (int)count;
}

static long nosignal_ctrl(BIO *bio, int command, long number, void *pointer) {
    (void)bio;
    (void)number;
    (void)pointer;
    // OpenSSL flushes after every record; the socket has nothing to flush. Everything else is unsupported.
    return command == BIO_CTRL_FLUSH ? 1 : 0;
}

static int nosignal_create(BIO *bio) {
    BIO_set_init(bio, 1);
    return 1;
}

static BIO_METHOD *nosignal_method;
static pthread_once_t nosignal_once = PTHREAD_ONCE_INIT;

static void nosignal_method_create(void) {
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "socket without SIGPIPE");
    if (method == NULL) return;
    BIO_meth_set_write(method, nosignal_write);
    BIO_meth_set_read(method, nosignal_read);
    BIO_meth_set_ctrl(method, nosignal_ctrl);
    BIO_meth_set_create(method, nosignal_create);
    nosignal_method = method;
}

// MARK: Server

/// ALPN's wire format: each name preceded by its length.
static const unsigned char http11_wire[] = "\x08http/1.1";

static int select_http11(SSL *ssl, const unsigned char **out, unsigned char *out_length, const unsigned char *in,
                         unsigned int in_length, void *argument) {
    (void)ssl;
    (void)argument;
    // A client that offers only other protocols (h2) still gets HTTP/1.1 without ALPN rather than a failed handshake.
    unsigned char *selected = NULL;
    if (SSL_select_next_proto(&selected, out_length, http11_wire, sizeof http11_wire - 1, in, in_length) ==
        OPENSSL_NPN_NEGOTIATED) {
        *out = selected;
        return SSL_TLSEXT_ERR_OK;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

static void describe_error(const char *what, const char *path, char *message, size_t capacity) {
    char reason[256] = "";
    unsigned long error = ERR_peek_last_error();
    if (error != 0) {
        ERR_error_string_n(error, reason, sizeof reason);
    } else if (errno != 0) {
        snprintf(reason, sizeof reason, "%s", strerror(errno));
    }
    snprintf(message, capacity, "%s '%s': %s", what, path, reason[0] ? reason : "unknown error");
    ERR_clear_error();
}

static int readable(const char *what, const char *path, char *message, size_t capacity) {
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        snprintf(message, capacity, "%s '%s': %s", what, path, strerror(errno));
        return 0;
    }
    fclose(file);
    return 1;
}

SSL_CTX *copenssl_server_context(const char *certificate_path, const char *key_path, char *message,
                                 size_t capacity) {
    ERR_clear_error();
    if (!readable("cannot read TLS certificate", certificate_path, message, capacity)) return NULL;
    if (!readable("cannot read TLS private key", key_path, message, capacity)) return NULL;
    errno = 0;
    SSL_CTX *context = SSL_CTX_new(TLS_server_method());
    if (context == NULL) {
        describe_error("cannot create a TLS context for", certificate_path, message, capacity);
        return NULL;
    }
    SSL_CTX_set_security_level(context, 2);
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                                     SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Partial writes let a large body go out record by record; moving buffers because the caller's arrays may be
    // re-pinned between retries; released buffers keep idle and slow connections at a few hundred bytes each.
    SSL_CTX_set_mode(context,
                     SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(context, select_http11, NULL);
    if (SSL_CTX_use_certificate_chain_file(context, certificate_path) != 1) {
        describe_error("cannot load the TLS certificate chain (PEM) from", certificate_path, message, capacity);
        SSL_CTX_free(context);
        return NULL;
    }
    // OpenSSL notices a key of another certificate while loading it, or else in the explicit check.
    int loaded = SSL_CTX_use_PrivateKey_file(context, key_path, SSL_FILETYPE_PEM) == 1;
    if (!loaded && ERR_GET_REASON(ERR_peek_last_error()) != X509_R_KEY_VALUES_MISMATCH) {
        describe_error("cannot load the TLS private key (PEM) from", key_path, message, capacity);
        SSL_CTX_free(context);
        return NULL;
    }
    if (!loaded || SSL_CTX_check_private_key(context) != 1) {
        snprintf(message, capacity, "the TLS private key '%s' does not match the certificate '%s'", key_path,
                 certificate_path);
        ERR_clear_error();
        SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

SSL *copenssl_server_session(SSL_CTX *context, int fd) {
    pthread_once(&nosignal_once, nosignal_method_create);
    if (nosignal_method == NULL) return NULL;
    SSL *ssl = SSL_new(context);
    if (ssl == NULL) return NULL;
    BIO *bio = BIO_new(nosignal_method);
    if (bio == NULL) {
        SSL_free(ssl);
        return NULL;
    }
    BIO_set_data(bio, (void *)(intptr_t)fd);
    SSL_set_bio(ssl, bio, bio);
    SSL_set_accept_state(ssl);
    return ssl;
}

static long classify(SSL *ssl, int result) {
    switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
        return COPENSSL_WANT_READ;
    case SSL_ERROR_WANT_WRITE:
        return COPENSSL_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    default:
        // SSL_ERROR_SSL, SSL_ERROR_SYSCALL: the connection is unusable, and close_notify must not follow.
        SSL_set_quiet_shutdown(ssl, 1);
        ERR_clear_error();
        return COPENSSL_FAILED;
    }
}

long copenssl_read(SSL *ssl, void *buffer, size_t capacity) {
    // The error queue is per thread and Dispatch threads serve many connections: start clean.
    ERR_clear_error();
    size_t count = 0;
    int result = SSL_read_ex(ssl, buffer, capacity, &count);
    if (result == 1) return (long)count;
    return classify(ssl, result);
}

long copenssl_write(SSL *ssl, const void *buffer, size_t count) {
    if (count == 0) return 0;
    ERR_clear_error();
    size_t written = 0;
    int result = SSL_write_ex(ssl, buffer, count, &written);
    if (result == 1) return (long)written;
    long classified = classify(ssl, result);
    // A write never "ends": the peer's close_notify while we still have a response to send is a failure here.
    return classified == 0 ? COPENSSL_FAILED : classified;
}

void copenssl_close_notify(SSL *ssl) {
    if (!SSL_is_init_finished(ssl) || SSL_get_quiet_shutdown(ssl)) return;
    if (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) return;
    ERR_clear_error();
    // Best effort: on a full socket buffer the alert is dropped, and the close follows anyway.
    (void)SSL_shutdown(ssl);
    ERR_clear_error();
}

// MARK: Client (tests)

SSL_CTX *copenssl_client_context(int min_version, int max_version, int security_level) {
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context == NULL) return NULL;
    SSL_CTX_set_security_level(context, security_level);
    if (min_version != 0) SSL_CTX_set_min_proto_version(context, min_version);
    if (max_version != 0) SSL_CTX_set_max_proto_version(context, max_version);
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, NULL);
    return context;
}

void copenssl_last_error(char *message, size_t capacity) {
    if (capacity == 0) return;
    message[0] = 0;
    unsigned long error = ERR_peek_last_error();
    if (error != 0) ERR_error_string_n(error, message, capacity);
}
