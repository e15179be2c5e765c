import Foundation
import Testing

/// The `autograd-server` executable as users run it: the built binary, started as a process.
// Serialized: each test starts the binary; one at a time keeps the machine usable for the other suites.
@Suite(.serialized) struct ServerCommandTests {
  @Test func versionFlagPrintsTheVersion() async throws {
    let run = try await ServerBinary.run(["--version"])
    #expect(run.status == 0)
    #expect(run.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "got \(run.stdout)")
  }

  @Test func defaultsApplyWhenNeitherFlagNorEnvironmentIsGiven() async throws {
    let run = try await ServerBinary.run(["serve", "--dry-run"], environment: [:])
    #expect(run.status == 0)
    #expect(run.lines.contains("AUTOGRAD_HOST=127.0.0.1  # default"))
    #expect(run.lines.contains("AUTOGRAD_PORT=8080  # default"))
    #expect(run.lines.contains("AUTOGRAD_SESSION_TTL=1h  # default"))
    #expect(run.lines.contains("AUTOGRAD_LOG_LEVEL=info  # default"))
    #expect(run.lines.contains("# AUTOGRAD_API_KEY is unset  # default"))
  }

  @Test func serveIsTheDefaultCommand() async throws {
    let run = try await ServerBinary.run(["--dry-run", "--port", "9001"], environment: [:])
    #expect(run.status == 0)
    #expect(run.lines.contains("AUTOGRAD_PORT=9001  # from --port"))
  }

  @Test func environmentOverridesTheDefault() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run"],
      environment: [
        "AUTOGRAD_PORT": "9000", "AUTOGRAD_MAX_BODY_SIZE": "1MiB", "AUTOGRAD_SESSION_TTL": "15m",
        "AUTOGRAD_LOG_LEVEL": "DEBUG", "AUTOGRAD_DRAIN_DEADLINE": "500ms",
      ])
    #expect(run.status == 0)
    #expect(run.lines.contains("AUTOGRAD_PORT=9000  # from AUTOGRAD_PORT"))
    #expect(run.lines.contains("AUTOGRAD_MAX_BODY_SIZE=1MiB  # from AUTOGRAD_MAX_BODY_SIZE"))
    #expect(run.lines.contains("AUTOGRAD_SESSION_TTL=15m  # from AUTOGRAD_SESSION_TTL"))
    #expect(run.lines.contains("AUTOGRAD_LOG_LEVEL=debug  # from AUTOGRAD_LOG_LEVEL"))
    #expect(run.lines.contains("AUTOGRAD_DRAIN_DEADLINE=0.5s  # from AUTOGRAD_DRAIN_DEADLINE"))
  }

  @Test func flagOverridesTheEnvironment() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--port", "9100", "--max-sessions", "7"],
      environment: ["AUTOGRAD_PORT": "9000", "AUTOGRAD_MAX_SESSIONS": "5"])
    #expect(run.status == 0)
    #expect(run.lines.contains("AUTOGRAD_PORT=9100  # from --port"))
    #expect(run.lines.contains("AUTOGRAD_MAX_SESSIONS=7  # from --max-sessions"))
  }

  @Test func apiKeyIsNeverPrinted() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run"], environment: ["AUTOGRAD_API_KEY": "s3cret-key"])
    #expect(run.status == 0)
    #expect(run.lines.contains("# AUTOGRAD_API_KEY is set (not shown)  # from AUTOGRAD_API_KEY"))
    #expect(!run.stdout.contains("s3cret-key"))
  }

  @Test(arguments: [
    ("AUTOGRAD_PORT", "http"), ("AUTOGRAD_PORT", "65536"), ("AUTOGRAD_MAX_SESSIONS", "0"),
    ("AUTOGRAD_MAX_BODY_SIZE", "12XB"), ("AUTOGRAD_SESSION_TTL", "forever"),
    ("AUTOGRAD_LOG_LEVEL", "loud"),
    ("AUTOGRAD_DRAIN_DEADLINE", "-1"),
  ])
  func invalidEnvironmentValueFailsNamingTheVariable(variable: String, value: String) async throws {
    let run = try await ServerBinary.run(["serve", "--dry-run"], environment: [variable: value])
    #expect(run.status != 0)
    #expect(run.stderr.contains("\(variable)='\(value)': expected"), "stderr: \(run.stderr)")
    #expect(run.stdout.isEmpty)
  }

  @Test func invalidFlagValueFailsNamingTheFlag() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--port", "99999"], environment: [:])
    #expect(run.status != 0)
    #expect(
      run.stderr.contains("--port '99999': expected an integer from 0 to 65535"),
      "stderr: \(run.stderr)")
  }

  @Test func healthcheckFailsWhenNothingListens() async throws {
    let port = try FreePort.reserve()
    let run = try await ServerBinary.run(
      ["healthcheck", "--port", String(port), "--timeout", "2s"], environment: [:])
    #expect(run.status == 1)
    #expect(
      run.stderr.contains("healthcheck: cannot connect to 127.0.0.1:\(port)"),
      "stderr: \(run.stderr)")
  }

  @Test func readmeConfigurationTableListsEveryVariableWithItsDefault() async throws {
    let readme = try String(
      contentsOf: OpenAPIRoutesTests.repositoryRoot.appendingPathComponent("README.md"),
      encoding: .utf8)
    let run = try await ServerBinary.run(["serve", "--dry-run"], environment: [:])
    #expect(run.lines.count >= 15)
    for line in run.lines {
      if let match = line.wholeMatch(of: /(AUTOGRAD_[A-Z_]+)=(\S+)  # default/) {
        #expect(
          readme.contains("| `\(match.1)` | `\(match.2)` |"),
          "README.md: \(match.1) should default to \(match.2)")
      } else if let match = line.firstMatch(of: /AUTOGRAD_[A-Z_]+/) {
        #expect(readme.contains("| `\(match.0)` |"), "README.md does not document \(match.0)")
      }
    }
  }

  @Test func sessionTTLAboveTheMaximumIsRefused() async throws {
    let run = try await ServerBinary.run(
      ["serve", "--dry-run", "--session-ttl", "2h"], environment: ["AUTOGRAD_MAX_SESSION_TTL": "1h"]
    )
    #expect(run.status != 0)
    #expect(
      run.stderr.contains(
        "session TTL 2h (from --session-ttl) is above the maximum session TTL 1h (from AUTOGRAD_MAX_SESSION_TTL)"
      ), "stderr: \(run.stderr)")
  }
}
