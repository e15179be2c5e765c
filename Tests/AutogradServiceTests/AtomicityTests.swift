import Foundation
import Testing

@testable import AutogradService

@Suite struct AtomicityTests {
  @Test(arguments: TargetKind.allCases)
  func failingBatchLeavesNoResultsBindingsOrInPlaceChanges(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "w", "data": [1.0, 2.0]}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "keep", "data": [5.0]}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "v", "data": [1.0, 2.0, 3.0]}"#)
      let failed = try await t.send(
        "POST", s + "/ops",
        json: #"""
          [{"op": "add", "args": ["w", 1], "name": "a"},
           {"op": "mul_", "args": ["w", 10]},
           {"op": "neg", "args": ["w"], "name": "keep"},
           {"op": "add", "args": ["w", "v"], "name": "bad"}]
          """#)
      #expect(failed.status == 422)
      #expect(failed.object["op_index"] as? Int == 3)
      #expect(failed.object["code"] as? String == "shape_mismatch")
      #expect(
        failed.object["detail"] as? String
          == "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"
      )
      #expect(try await t.send("GET", s + "/tensors/a").status == 404)
      let w = try await t.expect(200, "GET", s + "/tensors/w")
      #expect(J.flat(w["data"]) == [1.0, 2.0])
      #expect(w["version"] as? Int == 0)
      let keep = try await t.expect(200, "GET", s + "/tensors/keep")
      #expect(J.flat(keep["data"]) == [5.0])
      let list = try await t.expect(200, "GET", s + "/tensors")
      #expect((list["tensors"] as? [Any])?.count == 3)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func unknownNameInBatchIsNotFoundWithIndex(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "w", "data": [1.0, 2.0]}"#)
      let failed = try await t.send(
        "POST", s + "/ops",
        json: #"[{"op": "add", "args": ["w", 1], "name": "a"}, {"op": "add", "args": ["nope", 1]}]"#
      )
      #expect(failed.status == 404)
      #expect(failed.object["op_index"] as? Int == 1)
      #expect(try await t.send("GET", s + "/tensors/a").status == 404)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func failedBackwardKeepsEarlierGradients(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1.0, 2.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "exp", "args": ["x"], "name": "e"}, {"op": "sum", "args": ["e"], "name": "s"}]"#)
      let bad = try await t.send(
        "POST", s + "/tensors/s/backward", json: #"{"gradient": [1.0, 2.0]}"#)
      #expect(bad.status == 422)
      #expect(bad.object["code"] as? String == "shape_mismatch")
      let grad = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(grad["grad"] is NSNull)
    }
  }
}
