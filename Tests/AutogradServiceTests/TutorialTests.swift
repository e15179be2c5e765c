import Foundation
import Testing

@testable import AutogradService

/// Every experiment of the tutorial (shared/seed/autograd-tutorial.md) through the HTTP API, with PyTorch 2.15's
/// numbers, grad_fn names and flags (shared/reference/pytorch-autograd.md §4).
@Suite struct TutorialTests {
  @Test(arguments: TargetKind.allCases)
  func seedGradientsAreFourPointFiveThenFivePointFiveThenOne(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let x = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "shape": [2, 2], "init": "ones", "requires_grad": true}"#)
      #expect(J.flat(x["data"]) == [1, 1, 1, 1])
      #expect(x["requires_grad"] as? Bool == true)
      #expect(x["is_leaf"] as? Bool == true)
      #expect(x["grad_fn"] is NSNull)
      #expect(x["grad"] is NSNull)
      let y = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "add", "args": ["x", 2], "name": "y"}"#)
      #expect(J.flat(y["data"]) == [3, 3, 3, 3])
      #expect(y["grad_fn"] as? String == "AddBackward0")
      #expect(y["is_leaf"] as? Bool == false)
      let batch = try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "mul", "args": ["y", "y"], "name": "t"}, {"op": "mul", "args": ["t", 3], "name": "z"}, {"op": "mean", "args": ["z"], "name": "out"}]"#
      )
      let results = try #require(batch["results"] as? [[String: Any]])
      #expect(results.count == 3)
      #expect(results[1]["grad_fn"] as? String == "MulBackward0")
      #expect(J.flat(results[1]["data"]) == [27, 27, 27, 27])
      #expect(results[2]["grad_fn"] as? String == "MeanBackward0")
      #expect(results[2]["data"] as? Double == 27.0)
      #expect((results[2]["shape"] as? [Int]) == [])
      let back = try await t.expect(200, "POST", s + "/tensors/out/backward", "{}")
      #expect(J.flat(J.object(back["grads"])["x"]) == [4.5, 4.5, 4.5, 4.5])
      #expect(J.object(back["grads"]).count == 1)

      // A second backward through MulBackward0's freed buffers fails.
      let again = try await t.send("POST", s + "/tensors/out/backward", json: "{}")
      #expect(again.status == 409)
      #expect(again.object["code"] as? String == "graph_freed")
      #expect(
        (again.object["detail"] as? String)?.hasPrefix(
          "Trying to backward through the graph a second time") == true)

      try await t.expect(201, "POST", s + "/ops", #"{"op": "sum", "args": ["x"], "name": "out2"}"#)
      try await t.expect(200, "POST", s + "/tensors/out2/backward")
      let grad = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(J.flat(grad["grad"]) == [5.5, 5.5, 5.5, 5.5])
      let zeroed = try await t.expect(200, "POST", s + "/tensors/x/grad/zero")
      #expect(J.flat(zeroed["grad"]) == [0, 0, 0, 0])
      try await t.expect(201, "POST", s + "/ops", #"{"op": "sum", "args": ["x"], "name": "out3"}"#)
      try await t.expect(200, "POST", s + "/tensors/out3/backward", "{}")
      let one = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(J.flat(one["grad"]) == [1, 1, 1, 1])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func experimentOneWeightedBackwardThroughView(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [1.0, 2.0, 3.0, 4.0], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "mul", "args": ["x", 2], "name": "y"}"#)
      let z = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "view", "args": ["y"], "kwargs": {"shape": [2, 2]}, "name": "z"}"#)
      #expect(z["grad_fn"] as? String == "ViewBackward0")
      #expect(J.flat(z["data"]) == [2, 4, 6, 8])
      #expect((z["shape"] as? [Int]) == [2, 2])
      let implicit = try await t.send("POST", s + "/tensors/z/backward", json: "{}")
      #expect(implicit.status == 422)
      #expect(implicit.object["code"] as? String == "implicit_grad_non_scalar")
      #expect(
        implicit.object["detail"] as? String
          == "grad can be implicitly created only for scalar outputs")
      let back = try await t.send(
        "POST", s + "/tensors/z/backward", json: #"{"gradient": [[1.0, 0.1], [0.01, 0.001]]}"#)
      #expect(back.status == 200)
      // float32 values in their shortest round-trip form.
      #expect(back.text.contains("[2.0,0.2,0.02,0.002]"))

      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [1.0, 2.0, 3.0, 4.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "h", "shape": [2, 2], "init": "ones"}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"[{"op": "mul", "args": ["x", 2], "name": "y"}, {"op": "view", "args": ["y", 2, 2], "name": "z"}]"#
      )
      let byName = try await t.expect(200, "POST", s + "/tensors/z/backward", #"{"gradient": "h"}"#)
      #expect(J.flat(J.object(byName["grads"])["x"]) == [2, 2, 2, 2])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func experimentTwoRetainGraphThenWeightedBackward(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [-0.6103, 0.2401, -0.5577], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "y", "data": [0.9066, 0.2731, 1.2899], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "z", "data": [1.3269, -2.0241, -0.8399], "requires_grad": true}"#)
      let tt = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "add", "args": ["x", "y"], "name": "t"}"#)
      #expect(J.flat(tt["data"]) == [0.2963, 0.5132, 0.73219997])
      #expect(tt["grad_fn"] as? String == "AddBackward0")
      let l = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "dot", "args": ["t", "z"], "name": "l"}"#)
      #expect(l["grad_fn"] as? String == "DotBackward0")
      #expect(l["data"] as? Double == -1.2605824)
      let back = try await t.expect(
        200, "POST", s + "/tensors/l/backward", #"{"retain_graph": true}"#)
      let grads = J.object(back["grads"])
      #expect(J.flat(grads["x"]) == [1.3269, -2.0241, -0.8399])
      #expect(J.flat(grads["y"]) == [1.3269, -2.0241, -0.8399])
      #expect(J.flat(grads["z"]) == [0.2963, 0.5132, 0.73219997])
      for name in ["x", "y", "z"] {
        try await t.expect(200, "POST", s + "/tensors/\(name)/grad/zero")
      }
      let weighted = try await t.expect(
        200, "POST", s + "/tensors/t/backward", #"{"gradient": "z"}"#)
      let after = J.object(weighted["grads"])
      #expect(J.flat(after["x"]) == [1.3269, -2.0241, -0.8399])
      #expect(J.flat(after["y"]) == [1.3269, -2.0241, -0.8399])
      let z = try await t.expect(200, "GET", s + "/tensors/z/grad")
      #expect(J.flat(z["grad"]) == [0, 0, 0])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func experimentThreeNoGradResultHasNoHistory(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let x = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": 1.0, "requires_grad": true}"#)
      #expect((x["shape"] as? [Int]) == [])
      let y1 = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "pow", "args": ["x", 2], "name": "y1"}"#)
      #expect(y1["grad_fn"] as? String == "PowBackward0")
      #expect(y1["requires_grad"] as? Bool == true)
      let y2 = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "pow", "args": ["x", 3], "no_grad": true, "name": "y2"}"#)
      #expect(y2["grad_fn"] is NSNull)
      #expect(y2["requires_grad"] as? Bool == false)
      #expect(y2["data"] as? Double == 1.0)
      let y3 = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "add", "args": ["y1", "y2"], "name": "y3"}"#)
      #expect(y3["grad_fn"] as? String == "AddBackward0")
      #expect(y3["data"] as? Double == 2.0)
      let back = try await t.expect(200, "POST", s + "/tensors/y3/backward", "{}")
      #expect(J.object(back["grads"])["x"] as? Double == 2.0)
      let refused = try await t.send("POST", s + "/tensors/y2/backward", json: "{}")
      #expect(refused.status == 422)
      #expect(refused.object["code"] as? String == "no_grad_fn")
      #expect(
        refused.object["detail"] as? String
          == "element 0 of tensors does not require grad and does not have a grad_fn")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func patchingDataIsInvisibleToAutograd(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "shape": [1], "init": "ones", "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "mul", "args": ["x", 2], "name": "y"}"#)
      let patched = try await t.expect(200, "PATCH", s + "/tensors/x", #"{"data": [100.0]}"#)
      #expect(patched["version"] as? Int == 0)
      let back = try await t.expect(200, "POST", s + "/tensors/y/backward", "{}")
      #expect(J.flat(J.object(back["grads"])["x"]) == [2.0])
      let x = try await t.expect(200, "GET", s + "/tensors/x")
      #expect(J.flat(x["data"]) == [100.0])
      #expect(J.flat(x["grad"]) == [2.0])
      #expect(x["version"] as? Int == 0)
      #expect(x["requires_grad"] as? Bool == true)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func setitemBuildsCopySlicesWithGradientsFiveEighteenThirtyFour(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      for (name, value) in [("x1", "1.0"), ("x2", "2.0"), ("x3", "3.0")] {
        try await t.expect(
          201, "POST", s + "/tensors",
          #"{"name": "\#(name)", "data": \#(value), "requires_grad": true}"#)
      }
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "y", "data": [-0.2626, 1.3613, 0.4917]}"#)
      let first = try await t.expect(
        201, "POST", s + "/ops",
        #"""
        [{"op": "pow", "args": ["x1", 2], "name": "a"}, {"op": "mul", "args": ["x2", 2], "name": "b"},
         {"op": "add", "args": ["a", "b"], "name": "c"}, {"op": "add", "args": ["c", "x3"], "name": "d"},
         {"op": "setitem", "args": ["y", "d"], "kwargs": {"index": "0"}}]
        """#)
      let afterFirst = try #require((first["results"] as? [[String: Any]])?.last)
      #expect(afterFirst["name"] as? String == "y")
      #expect(afterFirst["grad_fn"] as? String == "CopySlices")
      #expect(J.flat(afterFirst["data"]) == [8.0, 1.3613, 0.4917])
      #expect(afterFirst["version"] as? Int == 1)
      try await t.expect(
        201, "POST", s + "/ops",
        #"""
        [{"op": "pow", "args": ["x2", 3], "name": "e"}, {"op": "add", "args": ["x1", "e"], "name": "f"},
         {"op": "pow", "args": ["x3", 2], "name": "g"}, {"op": "add", "args": ["f", "g"], "name": "h"},
         {"op": "setitem", "args": ["y", "h"], "kwargs": {"index": "1"}},
         {"op": "mul", "args": ["x1", 2], "name": "i"}, {"op": "pow", "args": ["x2", 2], "name": "j"},
         {"op": "add", "args": ["i", "j"], "name": "k"}, {"op": "pow", "args": ["x3", 3], "name": "m"},
         {"op": "add", "args": ["k", "m"], "name": "n"},
         {"op": "setitem", "args": ["y", "n"], "kwargs": {"index": "2"}}]
        """#)
      let y = try await t.expect(200, "GET", s + "/tensors/y")
      #expect(J.flat(y["data"]) == [8, 18, 33])
      #expect(y["version"] as? Int == 3)
      #expect(y["is_leaf"] as? Bool == false)
      #expect(y["requires_grad"] as? Bool == true)
      #expect(y["grad_fn"] as? String == "CopySlices")
      let back = try await t.expect(
        200, "POST", s + "/tensors/y/backward", #"{"gradient": [1.0, 1.0, 1.0]}"#)
      let grads = J.object(back["grads"])
      #expect(grads["x1"] as? Double == 5.0)
      #expect(grads["x2"] as? Double == 18.0)
      #expect(grads["x3"] as? Double == 34.0)
    }
  }
}
