import Foundation
import Testing

@testable import AutogradService

@Suite struct ConcurrencyTests {
  /// Every request runs alone on its session: each sees the version the one before it left, none is lost.
  @Test(arguments: TargetKind.allCases)
  func parallelRequestsOnOneSessionRunOneAtATimeAndLoseNothing(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "acc", "data": [0.0]}"#)
      let count = 64
      let seen = try await withThrowingTaskGroup(of: (Int, Double).self) { group in
        for _ in 0..<count {
          group.addTask {
            let client = try await t.fork()
            let r = try await client.expect(
              201, "POST", s + "/ops", #"{"op": "add_", "args": ["acc", 1]}"#)
            return (r["version"] as? Int ?? -1, J.flat(r["data"]).first ?? -1)
          }
        }
        var all: [(Int, Double)] = []
        for try await pair in group { all.append(pair) }
        return all
      }
      #expect(seen.map(\.0).sorted() == Array(1...count))
      #expect(seen.allSatisfy { Double($0.0) == $0.1 })
      let acc = try await t.expect(200, "GET", s + "/tensors/acc")
      #expect(J.flat(acc["data"]) == [Double(count)])
    }
  }

  /// Sessions share nothing: the same names in parallel sessions keep their own values and gradients.
  @Test(arguments: TargetKind.allCases)
  func parallelSessionsDoNotInterfere(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let grads = try await withThrowingTaskGroup(of: (Double, [Double]).self) { group in
        for k in 1...8 {
          group.addTask {
            let client = try await t.fork()
            let s = try await client.newSession()
            try await client.expect(
              201, "POST", s + "/tensors",
              #"{"name": "x", "shape": [3], "init": "full", "value": \#(k), "requires_grad": true}"#
            )
            try await client.expect(
              201, "POST", s + "/ops",
              #"[{"op": "mul", "args": ["x", "x"], "name": "y"}, {"op": "sum", "args": ["y"], "name": "out"}]"#
            )
            try await client.expect(200, "POST", s + "/tensors/out/backward", "{}")
            let g = try await client.expect(200, "GET", s + "/tensors/x/grad")
            return (Double(k), J.flat(g["grad"]))
          }
        }
        var all: [(Double, [Double])] = []
        for try await pair in group { all.append(pair) }
        return all
      }
      #expect(grads.count == 8)
      for (k, grad) in grads { #expect(grad == [2 * k, 2 * k, 2 * k]) }
    }
  }

  /// Requests pipelined on one connection run in the order they were sent: each sees the version the previous
  /// one left.
  @Test func pipelinedRequestsRunInArrivalOrder() async throws {
    try await withTarget(.live) { t in
      guard let live = t as? LiveTarget else { return }
      let s = try await t.newSession()
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "acc", "data": [0.0]}"#)
      let body = #"{"op": "add_", "args": ["acc", 1]}"#
      let raw = Array(
        "POST \(s)/ops HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
          .utf8)
      let responses = try await live.client.pipeline(Array(repeating: raw, count: 32))
      #expect(responses.map(\.status) == Array(repeating: 201, count: 32))
      #expect(responses.map { $0.object["version"] as? Int ?? -1 } == Array(1...32))
      #expect(responses.map { J.flat($0.object["data"]).first ?? -1 } == (1...32).map(Double.init))
    }
  }
}
