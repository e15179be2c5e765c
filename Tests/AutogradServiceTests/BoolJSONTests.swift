import Foundation
import Testing

@testable import AutogradService

/// A comparison's result over the JSON API: dtype `bool`, JSON `true`/`false`, untracked; as PyTorch's
/// `(x > 1.5).tolist()` is `[False, True, True]`.
@Suite struct BoolJSONTests {
  @Test(arguments: TargetKind.allCases)
  func comparisonsAnswerBoolTensors(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [1.0, 2.0, 3.0], "requires_grad": true}"#)
      let mask = try await t.send(
        "POST", s + "/ops", json: #"{"op": "gt", "args": ["x", 1.5], "name": "m"}"#)
      #expect(mask.status == 201)
      #expect(mask.object["dtype"] as? String == "bool")
      #expect(mask.object["requires_grad"] as? Bool == false)
      #expect(mask.object["grad_fn"] is NSNull)
      #expect(mask.text.contains(#""data":[false,true,true]"#))
      let count = try await t.expect(201, "POST", s + "/ops", #"{"op": "sum", "args": ["m"]}"#)
      #expect(count["dtype"] as? String == "int64")
      #expect(count["data"] as? Int == 2)
      let refused = try await t.send(
        "POST", s + "/ops", json: #"{"op": "where", "args": ["x", "x", "x"]}"#)
      #expect(refused.status == 422)
      #expect(
        refused.object["detail"] as? String
          == "where expected condition to be a boolean tensor, but got a tensor with dtype Float")
    }
  }
}
