import Testing

/// `serve --tls-cert/--tls-key` as users run it: both or neither, shown by `--dry-run`, unusable files stop start-up.
@Suite(.serialized) struct ServeTLSCommandTests {
  @Test func certificateWithoutKeyIsRefused() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--tls-cert", "cert.pem"], environment: [:])
    #expect(run.status != 0)
    #expect(
      run.stderr.contains(
        "a TLS certificate is set (from --tls-cert) but no key: set --tls-key or AUTOGRAD_TLS_KEY too"
      ),
      "stderr: \(run.stderr)")
  }

  @Test func keyWithoutCertificateIsRefused() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run"], environment: ["AUTOGRAD_TLS_KEY": "key.pem"])
    #expect(run.status != 0)
    #expect(
      run.stderr.contains(
        "a TLS key is set (from AUTOGRAD_TLS_KEY) but no certificate: set --tls-cert or AUTOGRAD_TLS_CERT too"
      ),
      "stderr: \(run.stderr)")
  }

  @Test func dryRunShowsThePathsAndWhereTheyCameFrom() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--tls-key", "/etc/key.pem"],
      environment: ["AUTOGRAD_TLS_CERT": "/etc/cert.pem"])
    #expect(run.status == 0)
    #expect(run.lines.contains("AUTOGRAD_TLS_CERT=/etc/cert.pem  # from AUTOGRAD_TLS_CERT"))
    #expect(run.lines.contains("AUTOGRAD_TLS_KEY=/etc/key.pem  # from --tls-key"))
  }

  @Test func unreadableCertificateStopsStartUpNamingTheFile() async throws {
    let missing = "/nonexistent/autograd-cert.pem"
    let run = try await ServerBinary.run(
      ["serve", "--port", "0", "--tls-cert", missing, "--tls-key", missing], environment: [:])
    #expect(run.status == 1)
    #expect(
      run.stderr.contains("cannot read TLS certificate '\(missing)': No such file or directory"),
      "stderr: \(run.stderr)")
  }
}
