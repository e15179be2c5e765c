import Foundation
import Testing

@testable import AutogradService

/// `y.backward(inputs=[...])` through the JSON API, as PyTorch 2.15 answers it.
@Suite struct ParityBackwardInputsTests {
  @Test func backwardWithInputsAccumulatesOnlyThere() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1.0, 2.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "w", "data": [3.0, 4.0], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "c", "data": [1.0, 1.0]}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "mul", "args": ["x", "w"], "name": "y"}, {"op": "mul", "args": ["y", "y"], "name": "yy"},"#
          + #" {"op": "sum", "args": ["yy"], "name": "z"}]"#)
      // y = x * w; z = (y * y).sum(); z.backward(inputs=[y], retain_graph=True): y.grad = [6, 16], x.grad None
      let first = try await t.expect(
        200, "POST", s + "/tensors/z/backward", #"{"inputs": ["y"], "retain_graph": true}"#)
      #expect(first["grads"] as? [String: [Double]] == ["y": [6, 16]])
      // z.backward(inputs=[x, y], retain_graph=True): y.grad [12, 32], x.grad [18, 64], w.grad None
      let second = try await t.expect(
        200, "POST", s + "/tensors/z/backward", #"{"inputs": ["x", "y"], "retain_graph": true}"#)
      #expect(second["grads"] as? [String: [Double]] == ["x": [18, 64], "y": [12, 32]])
      let w = try await t.expect(200, "GET", s + "/tensors/w")
      #expect(w["grad"] is NSNull)
      let refused = try await t.send(
        "POST", s + "/tensors/z/backward", json: #"{"inputs": ["c"], "retain_graph": true}"#)
      #expect(refused.status == 422)
      #expect(refused.object["code"] as? String == "invalid_op")
      #expect(
        refused.object["detail"] as? String
          == "can't retain_grad on Tensor that has requires_grad=False")
      let empty = try await t.send(
        "POST", s + "/tensors/z/backward", json: #"{"inputs": [], "retain_graph": true}"#)
      #expect(empty.status == 422)
      #expect(
        empty.object["detail"] as? String == "`inputs` argument to `backward()` cannot be empty.")
    }
  }

  @Test func aGradientStringNamesABoundTensorBeforeItReadsAsANonFiniteNumber() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": 2.0, "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops", #"{"op": "mul", "args": ["x", 3], "name": "y"}"#)
      // No tensor is named "NaN": the literal. y.backward(torch.tensor(float('nan'))) -> x.grad nan
      let literal = try await t.expect(
        200, "POST", s + "/tensors/y/backward", #"{"gradient": "NaN", "retain_graph": true}"#)
      #expect((literal["grads"] as? [String: String]) == ["x": "NaN"])
      try await t.expect(200, "POST", s + "/tensors/x/grad/zero")
      // A tensor bound to the name "NaN" is the weight (as a string op argument is): x.grad = 3 * 2
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "NaN", "data": 2.0}"#)
      let named = try await t.expect(
        200, "POST", s + "/tensors/y/backward", #"{"gradient": "NaN"}"#)
      #expect((named["grads"] as? [String: Double]) == ["x": 6])
    }
  }
}
