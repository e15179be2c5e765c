import Foundation
import HTTPServer
import Testing

@testable import AutogradService

/// The service behind the real HTTP server, over loopback sockets.
@Suite struct LiveServerTests {
  @Test func sessionLifecycleOverSockets() async throws {
    try await withTarget(.live) { t in
      let created = try await t.send("POST", "/v1/sessions", json: #"{"ttl_seconds": 120}"#)
      #expect(created.status == 201)
      let id = try #require(created.object["id"] as? String)
      #expect(created.header("Location") == "/v1/sessions/" + id)
      #expect(created.header("Content-Type") == "application/json")
      #expect(try await t.send("GET", "/v1/sessions/" + id).status == 200)
      #expect(try await t.send("DELETE", "/v1/sessions/" + id).status == 204)
      #expect(try await t.send("GET", "/v1/sessions/" + id).status == 404)
    }
  }

  @Test func errorsOverSocketsAreProblemJSON() async throws {
    try await withTarget(.live) { t in
      let missing = try await t.send("GET", "/v1/nothing/here")
      #expect(missing.status == 404)
      #expect(missing.header("Content-Type") == "application/problem+json")
      let wrong = try await t.send("DELETE", "/v1/sessions")
      #expect(wrong.status == 405)
      #expect(wrong.header("Allow") == "GET, POST")
      let media = try await t.send(
        "POST", "/v1/sessions", json: "<x/>", headers: [("Content-Type", "application/xml")])
      #expect(media.status == 415)
      #expect(media.object["code"] as? String == "unsupported_media_type")
      let tagged = try await t.send("GET", "/healthz", headers: [("X-Request-Id", "trace-42")])
      #expect(tagged.header("X-Request-Id") == "trace-42")
    }
  }

  @Test func bodyOverTheServerLimitIs413() async throws {
    var server = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
    server.limits.bodyBytes = 64
    server.errorBody = AutogradService.serverErrorBody(status:)
    try await withTarget(.live, server: server) { t in
      let big = "{\"ttl_seconds\": 5" + String(repeating: " ", count: 100) + "}"
      let response = try await t.send("POST", "/v1/sessions", json: big)
      #expect(response.status == 413)
      #expect(response.header("Content-Type") == "application/problem+json")
      #expect(response.object["code"] as? String == "payload_too_large")
      #expect(response.object["status"] as? Int == 413)
      #expect(response.object["title"] as? String == "Content Too Large")
    }
  }

  @Test func operationalEndpointsOverSockets() async throws {
    try await withTarget(.live) { t in
      #expect(try await t.send("GET", "/healthz").status == 200)
      #expect(try await t.send("GET", "/readyz").status == 200)
      let metrics = try await t.send("GET", "/metrics")
      #expect(metrics.status == 200)
      #expect(metrics.text.contains("# TYPE http_requests_total counter"))
      let openapi = try await t.send("GET", "/openapi.yaml")
      #expect(openapi.status == 200)
      #expect(openapi.text.hasPrefix("openapi: 3.1"))
    }
  }
}
