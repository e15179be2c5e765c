import Foundation
import Testing

@testable import AutogradService

/// Two API keys against a real server on an ephemeral port: each key is blind to the other's sessions, and a
/// request without a valid key gets 401 with a Bearer challenge.
@Suite struct APIKeyTests {
  static let alpha = [("Authorization", "Bearer alpha-key-1")]
  static let beta = [("Authorization", "Bearer beta-key-2")]
  static let twoKeys = ServiceConfiguration(apiKeys: ["alpha-key-1", "beta-key-2"])

  @Test func anotherKeysSessionIsNotFoundExactlyLikeAMissingOne() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t in
      let mine = try await t.session(Self.alpha)
      let theirs = try await t.session(Self.beta)
      _ = try await t.send(
        "POST", theirs + "/tensors", json: #"{"name": "x", "data": [1]}"#, headers: Self.beta)

      let foreign = try await t.send("GET", theirs, headers: Self.alpha)
      let missingID = "AAAAAAAAAAAAAAAAAAAAAA"
      let missing = try await t.send("GET", "/v1/sessions/" + missingID, headers: Self.alpha)
      #expect(foreign.status == 404)
      #expect(foreign.header("Content-Type") == "application/problem+json")
      let theirID = String(theirs.dropFirst("/v1/sessions/".count))
      #expect(
        foreign.text.replacingOccurrences(of: theirID, with: "ID")
          == missing.text.replacingOccurrences(of: missingID, with: "ID"))

      for (method, path, body) in [
        ("GET", theirs + "/tensors", nil), ("GET", theirs + "/tensors/x", nil),
        ("POST", theirs + "/ops", #"{"op": "add", "args": ["x", 1]}"#),
        ("POST", theirs + "/eval", #"{"source": "y = x + 1"}"#), ("DELETE", theirs, nil),
      ] as [(String, String, String?)] {
        let response = try await t.send(method, path, json: body, headers: Self.alpha)
        #expect(response.status == 404, "\(method) \(path)")
      }
      // Nothing the other key tried changed the session.
      let owned = try await t.send("GET", theirs + "/tensors", headers: Self.beta)
      #expect(owned.status == 200)
      #expect((owned.object["tensors"] as? [Any])?.count == 1)
      #expect(try await t.send("GET", mine, headers: Self.alpha).status == 200)
    }
  }

  @Test func listingsShowOnlyTheCallersSessions() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t in
      let mine = try await t.session(Self.alpha)
      let theirs = try await t.session(Self.beta)
      #expect(try await t.sessionIDs(Self.alpha) == [String(mine.dropFirst(13))])
      #expect(try await t.sessionIDs(Self.beta) == [String(theirs.dropFirst(13))])
    }
  }

  @Test func missingOrWrongKeyIs401WithABearerChallenge() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t in
      for headers in [
        [], [("Authorization", "Bearer wrong")], [("Authorization", "Bearer alpha-key-")],
        [("Authorization", "Basic YWxwaGEta2V5LTE6")], [("Authorization", "Bearer ")],
        [("X-API-Key", "beta-key-3")],
      ] as [[(String, String)]] {
        let response = try await t.send("GET", "/v1/sessions", headers: headers)
        #expect(response.status == 401, "\(headers)")
        #expect(response.header("WWW-Authenticate") == #"Bearer realm="autograd""#)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.object["code"] as? String == "unauthorized")
        #expect(response.header("X-Request-Id") != nil)
      }
      #expect(try await t.send("POST", "/v1/sessions").status == 401)
      #expect(try await t.send("GET", "/v1/ops").status == 401)
    }
  }

  @Test func bothHeaderFormsAndSchemeCaseAreAccepted() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t throws in
      for headers in [
        [("Authorization", "Bearer alpha-key-1")], [("Authorization", "bearer beta-key-2")],
        [("X-API-Key", "beta-key-2")],
      ] as [[(String, String)]] {
        #expect(try await t.send("GET", "/v1/sessions", headers: headers).status == 200)
      }
    }
  }

  @Test func healthAndReadinessStayOpen() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t throws in
      #expect(try await t.send("GET", "/healthz").status == 200)
      #expect(try await t.send("GET", "/readyz").status == 200)
      #expect(try await t.send("GET", "/openapi.yaml").status == 200)
    }
  }

  @Test func metricsNeedAKeyUnlessTheOptionOpensThem() async throws {
    try await withTarget(.live, configuration: Self.twoKeys) { t in
      let closed = try await t.send("GET", "/metrics")
      #expect(closed.status == 401)
      #expect(closed.header("WWW-Authenticate") == #"Bearer realm="autograd""#)
      #expect(try await t.send("GET", "/metrics", headers: Self.beta).status == 200)
    }
    var open = Self.twoKeys
    open.metricsPublic = true
    try await withTarget(.live, configuration: open) { t throws in
      #expect(try await t.send("GET", "/metrics").status == 200)
    }
  }

  @Test func keysComparedInConstantTimeStillMatchExactly() {
    let key = Array("alpha-key-1".utf8)
    #expect(APIKeys.constantTimeEqual(key, key))
    #expect(!APIKeys.constantTimeEqual(Array("alpha-key-".utf8), key))
    #expect(!APIKeys.constantTimeEqual(Array("alpha-key-11".utf8), key))
    #expect(!APIKeys.constantTimeEqual(Array("alpha-key-2".utf8), key))
    #expect(!APIKeys.constantTimeEqual([], key))
  }
}

extension TestTarget {
  func session(_ headers: [(String, String)]) async throws -> String {
    let response = try await send("POST", "/v1/sessions", headers: headers)
    guard let id = response.object["id"] as? String else {
      throw TestFailure("session not created: \(response.status) \(response.text)")
    }
    return "/v1/sessions/" + id
  }

  func sessionIDs(_ headers: [(String, String)]) async throws -> [String] {
    let listing = try await send("GET", "/v1/sessions", headers: headers)
    let sessions = listing.object["sessions"] as? [[String: Any]] ?? []
    return sessions.compactMap { $0["id"] as? String }
  }
}
