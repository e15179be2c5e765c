import Testing

@testable import AutogradService

@Suite struct SessionTests {
  @Test func createSessionAnswers201WithLocationAndExpiry() async throws {
    let target = InProcessTarget()
    let response = try await target.send("POST", "/v1/sessions", json: #"{"ttl_seconds": 60}"#)
    #expect(response.status == 201)
    let id = try #require(response.object["id"] as? String)
    #expect(id.utf8.count == 22)
    #expect(response.header("Location") == "/v1/sessions/" + id)
    #expect((response.object["tensors"] as? [Any])?.isEmpty == true)
    let expires = try #require(response.object["expires_at"] as? String)
    #expect(expires.utf8.count == 20 && expires.hasSuffix("Z"))
  }

  @Test func sessionsAreListedFetchedAndDeleted() async throws {
    let target = InProcessTarget()
    let path = try await target.newSession()
    let list = try await target.send("GET", "/v1/sessions")
    let sessions = try #require(list.object["sessions"] as? [[String: Any]])
    #expect(sessions.count == 1)
    #expect("/v1/sessions/" + (sessions[0]["id"] as? String ?? "") == path)
    let one = try await target.send("GET", path)
    #expect(one.status == 200)
    let deleted = try await target.send("DELETE", path)
    #expect(deleted.status == 204)
    #expect(deleted.body.isEmpty)
    let gone = try await target.send("GET", path)
    #expect(gone.status == 404)
    #expect(gone.object["code"] as? String == "not_found")
  }

  @Test func badTTLIsInvalidArgument() async throws {
    let target = InProcessTarget()
    let response = try await target.send("POST", "/v1/sessions", json: #"{"ttl_seconds": -1}"#)
    #expect(response.status == 400)
    #expect(response.object["code"] as? String == "invalid_argument")
    let unknown = try await target.send("POST", "/v1/sessions", json: #"{"ttl": 5}"#)
    #expect(unknown.status == 400)
  }

  @Test func malformedJSONIsInvalidJSON() async throws {
    let target = InProcessTarget()
    let response = try await target.send("POST", "/v1/sessions", json: #"{"ttl_seconds": }"#)
    #expect(response.status == 400)
    #expect(response.object["code"] as? String == "invalid_json")
  }

  @Test func wrongMediaTypeIs415() async throws {
    let target = InProcessTarget()
    let response = try await target.send(
      "POST", "/v1/sessions", json: "ttl_seconds=5",
      headers: [("Content-Type", "application/x-www-form-urlencoded")])
    #expect(response.status == 415)
    #expect(response.object["code"] as? String == "unsupported_media_type")
  }

  @Test func sessionCapIs429() async throws {
    let target = InProcessTarget(configuration: ServiceConfiguration(maxSessions: 2))
    _ = try await target.newSession()
    _ = try await target.newSession()
    let third = try await target.send("POST", "/v1/sessions")
    #expect(third.status == 429)
    #expect(third.object["code"] as? String == "limit_exceeded")
  }

  @Test func idleSessionExpiresAtTheSweep() async throws {
    let target = InProcessTarget()
    let created = try await target.send("POST", "/v1/sessions", json: #"{"ttl_seconds": 60}"#)
    let id = try #require(created.object["id"] as? String)
    target.service.store.sweep(now: WallClock.now() + 30)
    #expect(try await target.send("GET", "/v1/sessions/" + id).status == 200)
    target.service.store.sweep(now: WallClock.now() + 61)
    #expect(target.service.store.count == 0)
    #expect(try await target.send("GET", "/v1/sessions/" + id).status == 404)
  }

  @Test func sweeperTimerDropsIdleSessions() async throws {
    let target = InProcessTarget(configuration: ServiceConfiguration(sweepInterval: 0.02))
    _ = try await target.send("POST", "/v1/sessions", json: #"{"ttl_seconds": 0.05}"#)
    // Polls rather than asserting a duration: the sweep only has to happen eventually.
    for _ in 0..<500 where target.service.store.count > 0 {
      try await Task.sleep(for: .milliseconds(10))
    }
    #expect(target.service.store.count == 0)
  }

  @Test func apiKeyIsRequiredAndSessionsBelongToTheirKey() async throws {
    let target = InProcessTarget(configuration: ServiceConfiguration(apiKeys: ["k1"]))
    let missing = try await target.send("POST", "/v1/sessions")
    #expect(missing.status == 401)
    #expect(missing.object["code"] as? String == "unauthorized")
    let created = try await target.send(
      "POST", "/v1/sessions", headers: [("Authorization", "Bearer k1")])
    #expect(created.status == 201)
    let id = try #require(created.object["id"] as? String)
    let otherKey = try await target.send(
      "GET", "/v1/sessions/" + id, headers: [("X-API-Key", "k2")])
    #expect(otherKey.status == 401)
    let sameKey = try await target.send("GET", "/v1/sessions/" + id, headers: [("X-API-Key", "k1")])
    #expect(sameKey.status == 200)
    let health = try await target.send("GET", "/healthz")
    #expect(health.status == 200)
  }

  @Test func readyzIs503WhileDraining() async throws {
    let target = InProcessTarget()
    #expect(try await target.send("GET", "/readyz").status == 200)
    target.service.beginDraining()
    let draining = try await target.send("GET", "/readyz")
    #expect(draining.status == 503)
  }

  @Test func metricsCountRequestsByRouteTemplate() async throws {
    let target = InProcessTarget()
    let path = try await target.newSession()
    _ = try await target.send("GET", path)
    _ = try await target.send("GET", "/nope")
    let metrics = try await target.send("GET", "/metrics")
    #expect(metrics.status == 200)
    let text = metrics.text
    #expect(
      text.contains(#"http_requests_total{method="POST",route="/v1/sessions",status="201"} 1"#))
    #expect(
      text.contains(#"http_requests_total{method="GET",route="/v1/sessions/{sid}",status="200"} 1"#)
    )
    #expect(text.contains(#"http_requests_total{method="GET",route="unmatched",status="404"} 1"#))
    #expect(
      text.contains(#"http_request_duration_seconds_bucket{route="/v1/sessions",le="+Inf"} 1"#))
    #expect(text.contains("autograd_sessions 1"))
    #expect(!text.contains(String(path.dropFirst("/v1/sessions/".count))))
  }
}
