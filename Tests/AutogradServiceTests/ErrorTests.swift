import Foundation
import Testing

@testable import AutogradService

/// Every error code of API.md's table, each from a request that really causes it.
@Suite struct ErrorTests {
  private func problem(_ r: TestResponse, _ status: Int, _ code: String) {
    #expect(r.status == status, "\(r.text)")
    #expect(r.header("Content-Type") == "application/problem+json")
    #expect(r.object["code"] as? String == code, "\(r.text)")
    #expect(r.object["status"] as? Int == status)
    #expect(r.object["type"] as? String == "about:blank")
  }

  @Test(arguments: TargetKind.allCases)
  func unknownSessionTensorAndOpAreNotFound(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      problem(try await t.send("GET", "/v1/sessions/AAAAAAAAAAAAAAAAAAAAAA"), 404, "not_found")
      let s = try await t.newSession()
      problem(try await t.send("GET", s + "/tensors/nope"), 404, "not_found")
      problem(try await t.send("GET", s + "/tensors/nope/grad"), 404, "not_found")
      problem(try await t.send("DELETE", s + "/tensors/nope"), 404, "not_found")
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "x", "data": [1.0]}"#)
      problem(
        try await t.send("POST", s + "/ops", json: #"{"op": "frobnicate", "args": ["x"]}"#), 404,
        "not_found")
      problem(
        try await t.send("POST", s + "/ops", json: #"{"op": "add", "args": ["x", "nope"]}"#), 404,
        "not_found")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func schemaViolationsAreInvalidArgument(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "x", "data": [[1, 2], [3]]}"#),
        400, "invalid_argument")
      let ragged = try await t.send(
        "POST", s + "/tensors", json: #"{"name": "x", "data": [[1, 2], [3]]}"#)
      #expect((ragged.object["detail"] as? String)?.contains("[1]") == true)
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "1x", "data": [1]}"#), 400,
        "invalid_argument")
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "_x", "data": [1]}"#), 400,
        "invalid_argument")
      problem(
        try await t.send(
          "POST", s + "/tensors", json: #"{"name": "x", "dtype": "float16", "data": [1]}"#), 400,
        "invalid_argument")
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "x", "data": [1], "colour": 3}"#),
        400, "invalid_argument")
      problem(
        try await t.send(
          "POST", s + "/tensors", json: #"{"name": "x", "shape": [2], "init": "eye"}"#), 400,
        "invalid_argument")
      problem(try await t.send("POST", s + "/ops", json: #"[]"#), 400, "invalid_argument")
      problem(
        try await t.send("POST", s + "/ops", json: #"{"op": "add", "args": "x"}"#), 400,
        "invalid_argument")
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "x", "data": [1], "#), 400,
        "invalid_json")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func autogradRefusalsAre422WithPyTorchMessages(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let int = try await t.send(
        "POST", s + "/tensors",
        json: #"{"name": "i", "data": [1, 2], "dtype": "int64", "requires_grad": true}"#)
      problem(int, 422, "dtype_mismatch")
      #expect(
        int.object["detail"] as? String
          == "Only Tensors of floating point and complex dtype can require gradients")
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "a", "data": [1.0, 2.0], "requires_grad": true}"#)
      let leaf = try await t.send("POST", s + "/ops", json: #"{"op": "add_", "args": ["a", 1]}"#)
      problem(leaf, 422, "leaf_inplace")
      #expect(
        leaf.object["detail"] as? String
          == "a leaf Variable that requires grad is being used in an in-place operation.")
      let zero = try await t.send("POST", s + "/tensors/a/grad/zero")
      problem(zero, 422, "invalid_op")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func inPlaceChangeOfASavedTensorIsModifiedInplace(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "a", "data": [1.0, 2.0, 3.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "exp", "args": ["a"], "name": "b"}, {"op": "sum", "args": ["b"], "name": "c"}, {"op": "mul_", "args": ["b", 2]}]"#
      )
      let r = try await t.send("POST", s + "/tensors/c/backward", json: "{}")
      problem(r, 409, "modified_inplace")
      #expect(
        (r.object["detail"] as? String)?.hasPrefix(
          "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.FloatTensor [3]], which is output 0 of Exp, is at version 1; expected version 0 instead."
        ) == true, "\(r.text)")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func quotasAreLimitExceeded(kind: TargetKind) async throws {
    let configuration = ServiceConfiguration(
      maxTensorsPerSession: 2, maxElementsPerTensor: 100, maxJacobianElements: 4)
    try await withTarget(kind, configuration: configuration) { t in
      let s = try await t.newSession()
      problem(
        try await t.send(
          "POST", s + "/tensors", json: #"{"name": "big", "shape": [11, 10], "init": "zeros"}"#),
        429, "limit_exceeded")
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "a", "data": [1.0, 2.0, 3.0], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "b", "data": [1.0]}"#)
      problem(
        try await t.send("POST", s + "/tensors", json: #"{"name": "c", "data": [1.0]}"#), 429,
        "limit_exceeded")
      // Rebinding an existing name is not a new tensor.
      try await t.expect(
        201, "POST", s + "/ops", #"{"op": "mul", "args": ["a", "a"], "name": "b"}"#)
      problem(
        try await t.send("POST", s + "/jacobian", json: #"{"output": "b", "inputs": ["a"]}"#), 429,
        "limit_exceeded")
    }
  }
}
