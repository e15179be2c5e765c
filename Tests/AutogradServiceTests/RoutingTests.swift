import Testing

@testable import AutogradService

@Suite struct RoutingTests {
  @Test func unknownRouteIsNotFoundProblem() async throws {
    let target = InProcessTarget()
    let response = try await target.send("GET", "/v2/nothing")
    #expect(response.status == 404)
    #expect(response.header("Content-Type") == "application/problem+json")
    #expect(response.object["code"] as? String == "not_found")
    #expect(response.object["type"] as? String == "about:blank")
    #expect(response.object["title"] as? String == "Not Found")
    #expect(response.object["status"] as? Int == 404)
  }

  @Test func knownPathWrongMethodIs405WithAllow() async throws {
    let target = InProcessTarget()
    let response = try await target.send("PUT", "/v1/sessions")
    #expect(response.status == 405)
    #expect(response.header("Allow") == "GET, POST")
    #expect(response.object["code"] as? String == "method_not_allowed")
    let tensor = try await target.send("POST", "/v1/sessions/abc/tensors/x")
    #expect(tensor.header("Allow") == "DELETE, GET, PATCH")
  }

  @Test func requestIDIsEchoedOrGenerated() async throws {
    let target = InProcessTarget()
    let echoed = try await target.send("GET", "/healthz", headers: [("X-Request-Id", "abc-123")])
    #expect(echoed.header("X-Request-Id") == "abc-123")
    let generated = try await target.send(
      "GET", "/healthz", headers: [("X-Request-Id", "bad id with spaces")])
    let id = try #require(generated.header("X-Request-Id"))
    #expect(id != "bad id with spaces")
    #expect(!id.isEmpty)
  }

  @Test func routeTemplatesListEveryContractRoute() {
    let templates = AutogradService.routeTemplates.map { "\($0.method) \($0.path)" }
    #expect(templates.count == 23)
    #expect(templates.contains("POST /v1/sessions/{sid}/tensors/{name}/grad/zero"))
    #expect(Set(templates).count == templates.count)
  }

  @Test func rfc3339FormatsUTCSeconds() {
    #expect(WallClock.rfc3339(0) == "1970-01-01T00:00:00Z")
    #expect(WallClock.rfc3339(1_795_809_955) == "2026-11-27T20:05:55Z")
    #expect(WallClock.rfc3339(951_782_400) == "2000-02-29T00:00:00Z")
  }

  @Test func sessionIDsAre22Base64URLCharacters() {
    let id = SessionStore.newID()
    #expect(id.utf8.count == 22)
    #expect(
      id.utf8.allSatisfy {
        ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45
          || $0 == 95
      })
    #expect(SessionStore.newID() != id)
  }
}
