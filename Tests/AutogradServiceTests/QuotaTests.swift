import AutogradEval
import Foundation
import HTTPServer
import Testing

@testable import AutogradService

/// Every quota at its boundary, over a real server on an ephemeral port: the limit itself is allowed, one more is
/// refused with 429 `limit_exceeded` naming the option and its value, and the session is unchanged afterwards.
@Suite struct QuotaTests {
  @Test func sessionsInAllStopAtMaxSessions() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxSessions: 2)) { t in
      try await t.expect(201, "POST", "/v1/sessions")
      try await t.expect(201, "POST", "/v1/sessions")
      let refused = try await t.refused("POST", "/v1/sessions")
      #expect(refused.detail.contains("max-sessions"))
      #expect(refused.detail.contains("2"))
      #expect(try await t.sessionCount() == 2)
    }
  }

  @Test func sessionsPerKeyStopAtMaxSessionsPerKey() async throws {
    let configuration = ServiceConfiguration(maxSessionsPerKey: 2, apiKeys: ["alpha", "beta"])
    try await withTarget(.live, configuration: configuration) { t in
      let alpha = [("Authorization", "Bearer alpha")]
      let beta = [("Authorization", "Bearer beta")]
      #expect(try await t.send("POST", "/v1/sessions", headers: alpha).status == 201)
      #expect(try await t.send("POST", "/v1/sessions", headers: alpha).status == 201)
      let refused = try await t.refused("POST", "/v1/sessions", headers: alpha)
      #expect(refused.detail.contains("max-sessions-per-key"))
      #expect(refused.detail.contains("2"))
      #expect(try await t.send("POST", "/v1/sessions", headers: beta).status == 201)
      #expect(try await t.sessionCount(headers: alpha) == 2)
    }
  }

  @Test func tensorsPerSessionStopAtMaxTensorsPerSession() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxTensorsPerSession: 3)) {
      t in
      let s = try await t.newSession()
      for name in ["a", "b", "c"] {
        try await t.expect(201, "POST", s + "/tensors", #"{"name": "\#(name)", "data": [1, 2]}"#)
      }
      let created = try await t.refused("POST", s + "/tensors", #"{"name": "d", "data": [1]}"#)
      #expect(created.detail.contains("max-tensors-per-session"))
      #expect(created.detail.contains("3"))
      let computed = try await t.refused(
        "POST", s + "/ops", #"{"op": "add", "args": ["a", 1], "name": "e"}"#)
      #expect(computed.detail.contains("max-tensors-per-session"))
      // Rebinding a name adds none.
      try await t.expect(201, "POST", s + "/ops", #"{"op": "add", "args": ["a", 1], "name": "c"}"#)
      #expect(try await t.tensorNames(s) == ["a", "b", "c"])
    }
  }

  @Test func graphNodesStopAtMaxGraphNodesPerSession() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxGraphNodesPerSession: 3)) {
      t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1, 2], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"""
        [{"op": "add", "args": ["x", 1], "name": "y"}, {"op": "mul", "args": ["y", 2], "name": "z"},
         {"op": "sum", "args": ["z"], "name": "w"}]
        """#)
      let refused = try await t.refused(
        "POST", s + "/ops", #"{"op": "mul", "args": ["w", 2], "name": "v"}"#)
      #expect(refused.detail.contains("max-graph-nodes-per-session"))
      #expect(refused.detail.contains("3"))
      // Untracked work records no node.
      try await t.expect(
        201, "POST", s + "/ops", #"{"op": "mul", "args": ["w", 2], "name": "u", "no_grad": true}"#)
      #expect(try await t.tensorNames(s) == ["x", "y", "z", "w", "u"])
      // Unbinding the graph's only head frees its node: one more fits again.
      #expect(try await t.send("DELETE", s + "/tensors/w").status == 204)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "mul", "args": ["z", 3], "name": "v"}"#)
    }
  }

  @Test func differentiableGradientsAreUndoneWhenTheirGraphPassesTheNodeQuota() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxGraphNodesPerSession: 3)) {
      t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1, 2], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "mul", "args": ["x", "x"], "name": "y"}, {"op": "sum", "args": ["y"], "name": "l"}]"#
      )
      let plain = try await t.expect(
        200, "POST", s + "/grad", #"{"outputs": ["l"], "inputs": ["x"], "retain_graph": true}"#)
      #expect(J.flat(plain["grads"]) == [2, 4])
      let refused = try await t.refused(
        "POST", s + "/grad",
        #"{"outputs": ["l"], "inputs": ["x"], "create_graph": true, "names": ["g"]}"#)
      #expect(refused.detail.contains("max-graph-nodes-per-session"))
      #expect(try await t.tensorNames(s) == ["x", "y", "l"])
    }
  }

  @Test func elementsPerTensorAreRefusedBeforeTheOpRuns() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxElementsPerTensor: 6)) {
      t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "a", "shape": [6, 1], "init": "ones"}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "b", "shape": [1, 6], "init": "ones"}"#)
      let created = try await t.refused(
        "POST", s + "/tensors", #"{"name": "c", "shape": [7], "init": "zeros"}"#)
      #expect(created.detail.contains("max-tensor-elements"))
      #expect(created.detail.contains("6"))
      for op in [
        #"{"op": "matmul", "args": ["a", "b"], "name": "m"}"#,
        #"{"op": "add", "args": ["a", "b"], "name": "m"}"#,
        #"{"op": "expand", "args": ["a", 6, 6], "name": "m"}"#,
        #"[{"op": "mul", "args": ["a", 2], "name": "k"}, {"op": "matmul", "args": ["k", "b"]}]"#,
      ] {
        let refused = try await t.refused("POST", s + "/ops", op)
        #expect(refused.detail.contains("max-tensor-elements"), "\(op)")
      }
      try await t.expect(201, "POST", s + "/ops", #"{"op": "matmul", "args": ["b", "a"]}"#)
      #expect(try await t.tensorNames(s).prefix(2) == ["a", "b"])
      #expect(try await t.tensorNames(s).count == 3)
    }
  }

  @Test func bytesPerSessionStopAtMaxSessionBytesCountingViewsOnce() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxSessionBytes: 64)) { t in
      let s = try await t.newSession()
      // 16 float32 values: exactly 64 bytes.
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "shape": [16], "init": "ones"}"#)
      let refused = try await t.refused(
        "POST", s + "/tensors", #"{"name": "y", "shape": [1], "init": "ones"}"#)
      #expect(refused.detail.contains("max-session-bytes"))
      #expect(refused.detail.contains("64"))
      let computed = try await t.refused(
        "POST", s + "/ops", #"{"op": "add", "args": ["x", 1], "name": "y"}"#)
      #expect(computed.detail.contains("max-session-bytes"))
      // Views read x's storage: nothing new to hold.
      try await t.expect(
        201, "POST", s + "/ops", #"{"op": "view", "args": ["x", 4, 4], "name": "v"}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "getitem", "args": ["v"], "kwargs": {"index": "1:3"}, "name": "g"}"#)
      #expect(try await t.tensorNames(s) == ["x", "v", "g"])
      // The storage is freed with the last name that reads it.
      #expect(try await t.send("DELETE", s + "/tensors/x").status == 204)
      #expect(try await t.send("DELETE", s + "/tensors/v").status == 204)
      _ = try await t.refused("POST", s + "/tensors", #"{"name": "y", "data": [1]}"#)
      #expect(try await t.send("DELETE", s + "/tensors/g").status == 204)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "y", "shape": [2, 8], "init": "ones"}"#)
    }
  }

  @Test func allSessionsTogetherStopAtMaxTotalBytes() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxTotalBytes: 96)) { t in
      let first = try await t.newSession()
      let second = try await t.newSession()
      try await t.expect(
        201, "POST", first + "/tensors", #"{"name": "x", "shape": [16], "init": "ones"}"#)
      try await t.expect(
        201, "POST", second + "/tensors",
        #"{"name": "y", "shape": [4], "init": "zeros", "dtype": "float64"}"#)
      let refused = try await t.refused(
        "POST", second + "/tensors", #"{"name": "z", "data": [1]}"#)
      #expect(refused.detail.contains("max-total-bytes"))
      #expect(refused.detail.contains("96"))
      #expect(try await t.tensorNames(second) == ["y"])
      let metrics = try await t.send("GET", "/metrics").text
      #expect(metrics.contains("autograd_memory_budget_used_bytes 96\n"))
      #expect(metrics.contains("autograd_memory_budget_bytes 96\n"))
      // Deleting a session gives its bytes back to the budget.
      #expect(try await t.send("DELETE", first).status == 204)
      try await t.expect(201, "POST", second + "/tensors", #"{"name": "z", "data": [1]}"#)
    }
  }

  @Test func expiredSessionsGiveTheirBytesBackToTheBudget() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(sweepInterval: 0.02)) { t in
      // Long enough that a loaded machine still creates the tensor and reads the metrics before the session
      // expires: load 12 once took over 2 s here, and a 5 s TTL expired first once at load ~8.
      let s = try await t.send("POST", "/v1/sessions", json: #"{"ttl_seconds": 10}"#)
      let id = try #require(s.object["id"] as? String)
      try await t.expect(
        201, "POST", "/v1/sessions/\(id)/tensors", #"{"name": "x", "shape": [8], "init": "ones"}"#)
      #expect(
        try await t.send("GET", "/metrics").text.contains("autograd_memory_budget_used_bytes 32\n"))
      // Polls rather than timing: the sweep only has to happen eventually.
      var released = false
      for _ in 0..<3000 where !released {
        try await Task.sleep(for: .milliseconds(10))
        released = try await t.send("GET", "/metrics").text.contains(
          "autograd_memory_budget_used_bytes 0\n")
      }
      #expect(released)
    }
  }

  @Test func jacobianStopsAtMaxJacobianElements() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxJacobianElements: 4)) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1, 2], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "a", "data": [1, 2, 3], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "mul", "args": ["x", 2], "name": "y"}, {"op": "mul", "args": ["a", 2], "name": "b"}]"#
      )
      let allowed = try await t.expect(
        200, "POST", s + "/jacobian", #"{"output": "y", "inputs": ["x"]}"#)
      #expect(J.flat(allowed["jacobians"]) == [2, 0, 0, 2])
      let refused = try await t.refused(
        "POST", s + "/jacobian", #"{"output": "b", "inputs": ["a"]}"#)
      #expect(refused.detail.contains("9 elements"))
      #expect(refused.detail.contains("(max-jacobian-elements) is 4"))
      let grad = try await t.expect(200, "GET", s + "/tensors/a/grad")
      #expect(grad["grad"] is NSNull)
    }
  }

  @Test func evalSourceStopsAtMaxSourceBytes() async throws {
    let configuration = ServiceConfiguration(evalLimits: EvalLimits(maxSourceBytes: 20))
    try await withTarget(.live, configuration: configuration) { t in
      let s = try await t.newSession()
      let twenty = "x = torch.ones(2)   "
      #expect(twenty.utf8.count == 20)
      let allowed = try await t.send(
        "POST", s + "/eval", body: twenty, headers: [("Content-Type", "text/plain")])
      #expect(allowed.status == 200)
      let refused = try await t.refused(
        "POST", s + "/eval", body: "y = torch.zeros(2)   ",
        headers: [("Content-Type", "text/plain")])
      #expect(refused.detail.contains("20 bytes (max-eval-source-bytes)"))
      #expect(try await t.tensorNames(s) == ["x"])
    }
  }

  @Test func evalStatementsStopAtMaxStatements() async throws {
    let configuration = ServiceConfiguration(evalLimits: EvalLimits(maxStatements: 2))
    try await withTarget(.live, configuration: configuration) { t in
      let s = try await t.newSession()
      try await t.expect(200, "POST", s + "/eval", #"{"source": "a = torch.ones(1)\nb = a + 1"}"#)
      let refused = try await t.refused(
        "POST", s + "/eval", #"{"source": "c = torch.ones(1)\nd = c + 1\ne = d + 1"}"#)
      #expect(refused.detail.contains("2 statements (max-eval-statements)"))
      #expect(try await t.tensorNames(s) == ["a", "b"])
    }
  }

  @Test func aBatchThatWouldPassAQuotaIsRefusedWholeAtTheFailingOp() async throws {
    try await withTarget(.live, configuration: ServiceConfiguration(maxTensorsPerSession: 3)) {
      t in
      let s = try await t.newSession()
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "a", "data": [1, 2]}"#)
      let response = try await t.send(
        "POST", s + "/ops",
        json: #"""
          [{"op": "add", "args": ["a", 1], "name": "b"}, {"op": "mul", "args": ["b", 2], "name": "c"},
           {"op": "mul", "args": ["c", 2], "name": "d"}]
          """#)
      #expect(response.status == 429)
      #expect(response.object["code"] as? String == "limit_exceeded")
      #expect(response.object["op_index"] as? Int == 2)
      #expect(try await t.tensorNames(s) == ["a"])
    }
  }

  @Test func evalIsUndoneWhenItLeavesMoreThanTheSessionMayHold() async throws {
    let configuration = ServiceConfiguration(maxGraphNodesPerSession: 2, maxSessionBytes: 64)
    try await withTarget(.live, configuration: configuration) { t in
      let s = try await t.newSession()
      try await t.expect(200, "POST", s + "/eval", #"{"source": "a = torch.ones(16)"}"#)
      let bytes = try await t.refused(
        "POST", s + "/eval", #"{"source": "b = torch.ones(1)"}"#)
      #expect(bytes.detail.contains("max-session-bytes"))
      #expect(try await t.send("DELETE", s + "/tensors/a").status == 204)
      try await t.expect(
        200, "POST", s + "/eval",
        #"{"source": "x = torch.ones(2, requires_grad=True)\ny = x + 1\nz = y * 2"}"#)
      let nodes = try await t.refused("POST", s + "/eval", #"{"source": "w = z.sum()"}"#)
      #expect(nodes.detail.contains("max-graph-nodes-per-session"))
      #expect(try await t.tensorNames(s) == ["x", "y", "z"])
    }
  }

  @Test func bodiesStopAtTheBodyLimitWith413() async throws {
    var server = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
    server.limits.bodyBytes = 64
    server.errorBody = AutogradService.serverErrorBody(status:)
    try await withTarget(.live, server: server) { t in
      let s = try await t.newSession()
      func body(_ size: Int) -> String {
        let head = #"{"name": "x", "data": [1]"#
        return head + String(repeating: " ", count: size - head.utf8.count - 1) + "}"
      }
      #expect(try await t.send("POST", s + "/tensors", json: body(64)).status == 201)
      let refused = try await t.send("POST", s + "/tensors", json: body(65))
      #expect(refused.status == 413)
      #expect(refused.object["code"] as? String == "payload_too_large")
      #expect(try await t.tensorNames(s) == ["x"])
    }
  }
}

/// A refusal as the quota tests read it.
struct Refusal {
  var detail: String
}

extension TestTarget {
  /// Sends, and fails the test unless the answer is 429 `limit_exceeded` problem+json.
  func refused(
    _ method: String, _ path: String, _ json: String? = nil, body: String? = nil,
    headers: [(String, String)] = []
  ) async throws -> Refusal {
    let response =
      body == nil
      ? try await send(method, path, json: json, headers: headers)
      : try await send(method, path, body: body, headers: headers)
    #expect(response.status == 429, "\(method) \(path): \(response.text)")
    #expect(response.header("Content-Type") == "application/problem+json")
    #expect(response.object["code"] as? String == "limit_exceeded")
    return Refusal(detail: response.object["detail"] as? String ?? "")
  }

  func sessionCount(headers: [(String, String)] = []) async throws -> Int {
    let listing = try await send("GET", "/v1/sessions", headers: headers)
    return (listing.object["sessions"] as? [Any])?.count ?? -1
  }

  /// The session's tensor names, oldest first.
  func tensorNames(_ session: String) async throws -> [String] {
    let listing = try await send("GET", session + "/tensors?data=false")
    let tensors = listing.object["tensors"] as? [[String: Any]] ?? []
    return tensors.compactMap { $0["name"] as? String }
  }
}
