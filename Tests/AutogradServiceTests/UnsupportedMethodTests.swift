import HTTPServer
import Testing

@testable import AutogradService

/// Methods a path does not take, as schema testers send them: 405 with `Allow`, problem+json and a request id.
@Suite struct UnsupportedMethodTests {
  @Test(arguments: ["QUERY", "PUT", "TRACE", "OPTIONS"])
  func aKnownPathAnswers405WithAllow(method: String) async throws {
    try await withTarget(.live) { t in
      let response = try await t.send(method, "/v1/sessions")
      #expect(response.status == 405)
      #expect(response.header("Allow") == "GET, POST")
      #expect(response.header("Content-Type") == "application/problem+json")
      #expect(response.object["code"] as? String == "method_not_allowed")
      #expect(response.header("X-Request-Id") != nil)
    }
  }

  @Test func anUnknownMethodIs501ProblemJSON() async throws {
    var server = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
    server.errorBody = AutogradService.serverErrorBody(status:)
    try await withTarget(.live, server: server) { t in
      let response = try await t.send("BREW", "/v1/sessions")
      #expect(response.status == 501)
      #expect(response.header("Content-Type") == "application/problem+json")
    }
  }
}
