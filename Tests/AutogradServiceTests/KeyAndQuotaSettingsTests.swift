import Foundation
import Testing

/// API keys and quotas as the executable reads them: flags, `AUTOGRAD_*` variables and a keys file.
// Serialized: each test starts the binary; one at a time keeps the machine usable for the other suites.
@Suite(.serialized) struct KeyAndQuotaSettingsTests {
  @Test func quotasHaveDefaultsShownByDryRun() async throws {
    let run = try await ServerBinary.run(["serve", "--dry-run"], environment: [:])
    #expect(run.status == 0)
    for line in [
      "AUTOGRAD_MAX_SESSIONS=10000  # default", "AUTOGRAD_MAX_SESSIONS_PER_KEY=1000  # default",
      "AUTOGRAD_MAX_TENSORS_PER_SESSION=100000  # default",
      "AUTOGRAD_MAX_GRAPH_NODES_PER_SESSION=1000000  # default",
      "AUTOGRAD_MAX_TENSOR_ELEMENTS=67108864  # default",
      "AUTOGRAD_MAX_SESSION_BYTES=2GiB  # default", "AUTOGRAD_MAX_TOTAL_BYTES=8GiB  # default",
      "AUTOGRAD_MAX_JACOBIAN_ELEMENTS=16777216  # default",
      "AUTOGRAD_MAX_EVAL_SOURCE_BYTES=64KiB  # default",
      "AUTOGRAD_MAX_EVAL_STATEMENTS=1000  # default", "AUTOGRAD_API_KEYS_FILE=none  # default",
      "# 0 API key(s) in all", "AUTOGRAD_METRICS_PUBLIC=false  # default",
    ] {
      #expect(run.lines.contains(line), "missing \(line) in\n\(run.stdout)")
    }
  }

  @Test func quotaFlagsAndVariablesAreRead() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--max-total-bytes", "1GiB", "--max-graph-nodes-per-session", "50"],
      environment: ["AUTOGRAD_MAX_SESSION_BYTES": "256MiB", "AUTOGRAD_METRICS_PUBLIC": "true"])
    #expect(run.status == 0, "stderr: \(run.stderr)")
    #expect(run.lines.contains("AUTOGRAD_MAX_TOTAL_BYTES=1GiB  # from --max-total-bytes"))
    #expect(
      run.lines.contains(
        "AUTOGRAD_MAX_GRAPH_NODES_PER_SESSION=50  # from --max-graph-nodes-per-session"))
    #expect(
      run.lines.contains("AUTOGRAD_MAX_SESSION_BYTES=256MiB  # from AUTOGRAD_MAX_SESSION_BYTES"))
    #expect(run.lines.contains("AUTOGRAD_METRICS_PUBLIC=true  # from AUTOGRAD_METRICS_PUBLIC"))
  }

  @Test func severalKeysFromFlagsVariableAndFileAreCountedNeverShown() async throws {
    let file = try KeyFile("# team keys\nfile-key-1\n\n  file-key-2  \n# retired: old-key\n")
    defer { file.remove() }
    let flags = try await ServerBinary.run(
      ["serve", "--dry-run", "--api-key", "flag-1", "--api-key", "flag-2"], environment: [:])
    #expect(flags.lines.contains("# 2 API key(s) in all"))
    let variable = try await ServerBinary.run(
      ["serve", "--dry-run", "--api-keys-file", file.path],
      environment: ["AUTOGRAD_API_KEY": "env-1, env-2,env-3"])
    #expect(variable.status == 0, "stderr: \(variable.stderr)")
    #expect(variable.lines.contains("# 5 API key(s) in all"))
    for secret in ["env-1", "file-key-1", "flag-1"] {
      #expect(!variable.stdout.contains(secret) && !flags.stdout.contains(secret))
    }
  }

  @Test func unreadableOrInvalidKeyFilesFailAtStart() async throws {
    let missing = try await ServerBinary.run(
      ["serve", "--dry-run", "--api-keys-file", "/nonexistent/keys"], environment: [:])
    #expect(missing.status != 0)
    #expect(missing.stderr.contains("--api-keys-file '/nonexistent/keys': cannot be read"))
    let spaced = try KeyFile("good-key\nbad key\n")
    defer { spaced.remove() }
    let invalid = try await ServerBinary.run(
      ["serve", "--dry-run", "--api-keys-file", spaced.path], environment: [:])
    #expect(invalid.status != 0)
    #expect(invalid.stderr.contains("line 2"))
    #expect(!invalid.stderr.contains("bad key"))
  }

  @Test func keysFromAFileGuardARunningServer() async throws {
    let file = try KeyFile("# comment\nfile-alpha\nfile-beta\n")
    defer { file.remove() }
    let server = try await RunningServer.start(["--api-keys-file", file.path])
    defer { server.kill() }
    let t = LiveTarget(port: UInt16(server.port))
    let refused = try await t.send("POST", "/v1/sessions")
    #expect(refused.status == 401)
    #expect(refused.header("WWW-Authenticate") == #"Bearer realm="autograd""#)
    let created = try await t.send(
      "POST", "/v1/sessions", headers: [("Authorization", "Bearer file-beta")])
    #expect(created.status == 201)
    let id = try #require(created.object["id"] as? String)
    let other = try await t.send(
      "GET", "/v1/sessions/" + id, headers: [("Authorization", "Bearer file-alpha")])
    #expect(other.status == 404)
    #expect(try await t.send("GET", "/healthz").status == 200)
    #expect(try await t.send("GET", "/metrics").status == 401)
  }
}

extension KeyAndQuotaSettingsTests {
  /// The request log at its most verbose, after a request with a right key and one with a wrong key.
  @Test func keysNeverReachTheLog() async throws {
    let (process, _, stderr) = try ServerBinary.start(
      ["serve", "--port", "0", "--log-level", "trace"],
      environment: ["AUTOGRAD_API_KEY": "sekrit-right-key"])
    defer { if process.isRunning { process.terminate() } }
    let log = StepLog(LogReader(stderr.fileHandleForReading))
    let serving = try await offThePool { try log.reader.waitFor("serving") }
    let port = try #require(serving.firstMatch(of: /port=(\d+)/).flatMap { UInt16($0.1) })
    let t = LiveTarget(port: port)
    let right = try await t.send(
      "GET", "/v1/sessions", headers: [("Authorization", "Bearer sekrit-right-key")])
    #expect(right.status == 200)
    let wrong = try await t.send(
      "GET", "/v1/sessions", headers: [("X-API-Key", "sekrit-wrong-key")])
    #expect(wrong.status == 401)
    // Both requests are logged (the log line names the status) before the keys are looked for.
    _ = try await offThePool { try log.reader.waitFor("status=401") }
    #expect(!log.reader.seen.joined(separator: "\n").contains("sekrit"))
  }
}

/// A child's log read off the pool.
// @unchecked: one test drives it, one awaited step at a time, so the reader is never used by two threads at once.
final class StepLog: @unchecked Sendable {
  let reader: LogReader
  init(_ reader: LogReader) { self.reader = reader }
}

/// A temporary keys file.
struct KeyFile {
  let path: String

  init(_ contents: String) throws {
    path = NSTemporaryDirectory() + "autograd-keys-\(UUID().uuidString)"
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
  }

  func remove() { try? FileManager.default.removeItem(atPath: path) }
}
