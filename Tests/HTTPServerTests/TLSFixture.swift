import Foundation
import HTTPServer

/// A self-signed certificate for `localhost` and 127.0.0.1 (EC P-256, valid until 2126), its key, and an unrelated
/// key; written to a temporary directory once per test run.
///
/// Made with: `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500
/// -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1` and `openssl genpkey -algorithm EC`.
enum TLSFixture {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBmzCCAUGgAwIBAgIUR6gO9SIKOyIDtkR1UqftyzMKxoQwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzIzMDkzOFoYDzIxMjYxMTAz
        MjMwOTM4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAS251eU6Y4Fm0jyzuh1KNZrOAj/9oNZfRLmFX/uvr3if3Wg5FVUYbBO
        9V8BJktgTiRGVq+0h3ZVBj25V/id8sBwo28wbTAdBgNVHQ4EFgQUp3IplNs9WaY8
        4XMsHYuQr27oOOAwHwYDVR0jBBgwFoAUp3IplNs9WaY84XMsHYuQr27oOOAwDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDSAAwRQIgNZn95p1UJnb32HKhxvewbani5YhC52ztAVTnexm6iu0CIQDY
        48nKP6N30Kw7yA4nHylXDklFX5O4FleUQ7DibST/JQ==
        -----END CERTIFICATE-----
        """

    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgJvYcM8WOa/a3goiE
        hkhX4qzWB5HS8m5d/0RyBMiFanGhRANCAAS251eU6Y4Fm0jyzuh1KNZrOAj/9oNZ
        fRLmFX/uvr3if3Wg5FVUYbBO9V8BJktgTiRGVq+0h3ZVBj25V/id8sBw
        -----END PRIVATE KEY-----
        """

    static let unrelatedKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgF1deRbMnR6OrcVCh
        tVOJihEWXSumlVM5LTRFYIWp40yhRANCAARAodJyo/vckmtsP9ndOzKfykmniaUW
        Y25zZ6wRFWN6EPAO/4PS5K+evuqiNKkXPdRCE0FAffxUXHx3jrGuJgc1
        -----END PRIVATE KEY-----
        """

    struct Files: Sendable {
        var directory: String
        var certificate: String { directory + "/cert.pem" }
        var privateKey: String { directory + "/key.pem" }
        var unrelatedKey: String { directory + "/other-key.pem" }
        var notPEM: String { directory + "/not-pem.txt" }
        var missing: String { directory + "/missing.pem" }
    }

    static let files: Files = {
        let directory = NSTemporaryDirectory() + "http-tls-fixture-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = Files(directory: directory)
        _ = FileManager.default.createFile(atPath: files.certificate, contents: Data(certificatePEM.utf8))
        _ = FileManager.default.createFile(atPath: files.privateKey, contents: Data(privateKeyPEM.utf8))
        _ = FileManager.default.createFile(atPath: files.unrelatedKey, contents: Data(unrelatedKeyPEM.utf8))
        _ = FileManager.default.createFile(atPath: files.notPEM, contents: Data("not a certificate".utf8))
        return files
    }()

    static var configuration: HTTPServerConfiguration.TLS {
        HTTPServerConfiguration.TLS(certificatePath: files.certificate, privateKeyPath: files.privateKey)
    }
}
