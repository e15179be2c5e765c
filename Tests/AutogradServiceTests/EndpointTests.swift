import Foundation
import Testing

@testable import AutogradService

/// The routes of API.md one by one, with their fields and flags.
@Suite struct EndpointTests {
  @Test(arguments: TargetKind.allCases)
  func tensorsAreCreatedListedFetchedWithoutDataAndDeleted(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let flat = try await t.send(
        "POST", s + "/tensors",
        json: #"{"name": "m", "shape": [2, 3], "data": [1, 2, 3, 4, 5, 6], "dtype": "float64"}"#)
      #expect(flat.status == 201)
      #expect(flat.header("Location") == s + "/tensors/m")
      #expect(flat.object["dtype"] as? String == "float64")
      #expect((flat.object["shape"] as? [Int]) == [2, 3])
      #expect(flat.text.contains(#""data":[[1.0,2.0,3.0],[4.0,5.0,6.0]]"#))
      let full = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "c", "shape": [2, 3], "init": "full", "value": 0.5, "dtype": "float64"}"#)
      #expect(J.flat(full["data"]) == [0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
      let range = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "r", "init": "arange", "end": 5}"#)
      // API.md's default dtype, as the reference's torch.arange(0, 5, 1, dtype=torch.float32)
      #expect(range["dtype"] as? String == "float32")
      #expect(J.flat(range["data"]) == [0, 1, 2, 3, 4])
      let integral = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "ri", "init": "arange", "end": 3, "dtype": "int64"}"#)
      #expect(integral["dtype"] as? String == "int64")
      #expect(J.flat(integral["data"]) == [0, 1, 2])
      let fr = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "fr", "init": "arange", "start": 0, "end": 1, "step": 0.25}"#)
      #expect(fr["dtype"] as? String == "float32")
      #expect(J.flat(fr["data"]) == [0, 0.25, 0.5, 0.75])
      let seeded1 = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "n1", "shape": [3], "init": "randn", "seed": 7}"#)
      let seeded2 = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "n2", "shape": [3], "init": "randn", "seed": 7}"#)
      #expect(J.flat(seeded1["data"]) == J.flat(seeded2["data"]))
      let special = try await t.send(
        "POST", s + "/tensors",
        json: #"{"name": "sp", "data": ["NaN", "Infinity", "-Infinity", 1.5]}"#)
      #expect(special.text.contains(#""data":["NaN","Infinity","-Infinity",1.5]"#))

      let list = try await t.expect(200, "GET", s + "/tensors?data=false")
      let tensors = try #require(list["tensors"] as? [[String: Any]])
      #expect(tensors.map { $0["name"] as? String } == ["m", "c", "r", "ri", "fr", "n1", "n2", "sp"])
      #expect(tensors.allSatisfy { $0["data"] == nil && $0["grad"] == nil })
      let ids = tensors.compactMap { $0["id"] as? Int }
      #expect(Set(ids).count == ids.count)
      let one = try await t.expect(200, "GET", s + "/tensors/m?data=false")
      #expect(one["data"] == nil)
      #expect(one["version"] as? Int == 0)
      let session = try await t.expect(200, "GET", s)
      #expect((session["tensors"] as? [[String: Any]])?.count == 8)
      try await t.expect(204, "DELETE", s + "/tensors/m")
      #expect(try await t.send("GET", s + "/tensors/m").status == 404)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func rebindingKeepsTheOldTensorInTheGraphAndIdsAreNeverReused(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let x1 = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [2.0], "requires_grad": true}"#)
      let y = try await t.expect(201, "POST", s + "/ops", #"{"op": "mul", "args": ["x", "x"]}"#)
      let serverName = try #require(y["name"] as? String)
      #expect(serverName == "_\(y["id"] as? Int ?? -1)")
      // Rebind x: y's graph still holds the first x.
      let x2 = try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [5.0], "requires_grad": true}"#)
      #expect((x2["id"] as? Int ?? 0) > (y["id"] as? Int ?? 0))
      #expect(x1["id"] as? Int != x2["id"] as? Int)
      let back = try await t.expect(200, "POST", s + "/tensors/\(serverName)/backward", "{}")
      // The leaf that received the gradient can no longer be named, so it is not listed.
      #expect(J.object(back["grads"]).isEmpty)
      let x = try await t.expect(200, "GET", s + "/tensors/x")
      #expect(x["grad"] is NSNull)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func opsTakePythonStyleArgumentsAndKeywordArguments(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "m", "data": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "requires_grad": true}"#)
      let sum = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "sum", "args": ["m"], "kwargs": {"dim": 1, "keepdim": true}, "name": "s"}"#)
      #expect(sum["grad_fn"] as? String == "SumBackward1")
      #expect((sum["shape"] as? [Int]) == [2, 1])
      #expect(J.flat(sum["data"]) == [6, 15])
      let tr = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "transpose", "args": ["m", 0, 1]}"#)
      #expect(tr["grad_fn"] as? String == "TransposeBackward0")
      #expect((tr["shape"] as? [Int]) == [3, 2])
      let item = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "getitem", "args": ["m"], "kwargs": {"index": "0, 1:3"}, "name": "g"}"#)
      #expect(J.flat(item["data"]) == [2, 3])
      let cat = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "cat", "args": [["m", "m"]], "kwargs": {"dim": 0}, "name": "cc"}"#)
      #expect(cat["grad_fn"] as? String == "CatBackward0")
      #expect((cat["shape"] as? [Int]) == [4, 3])
      let soft = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "softmax", "args": ["m"], "kwargs": {"dim": 1}}"#)
      #expect(soft["grad_fn"] as? String == "SoftmaxBackward0")
      let reshaped = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "reshape", "args": ["m"], "kwargs": {"shape": [3, 2]}}"#)
      #expect((reshaped["shape"] as? [Int]) == [3, 2])
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "target", "data": [2, 0], "dtype": "int64"}"#)
      let loss = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "cross_entropy", "args": ["m", "target"], "kwargs": {"reduction": "sum"}}"#)
      #expect(loss["grad_fn"] as? String == "NllLossBackward0")
      let mx = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "max", "args": ["m"], "kwargs": {"dim": 1}}"#)
      #expect(mx["grad_fn"] as? String == "MaxBackward0")
      #expect(J.flat(mx["data"]) == [3, 6])
      let am = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "argmax", "args": ["m"], "kwargs": {"dim": 1}}"#)
      #expect(am["dtype"] as? String == "int64")
      #expect(J.flat(am["data"]) == [2, 2])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func opsListingNamesEveryOpWithItsGradFn(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let listing = try await t.expect(200, "GET", "/v1/ops")
      let ops = try #require(listing["ops"] as? [[String: Any]])
      let names = Set(ops.compactMap { $0["name"] as? String })
      let required = """
        add sub mul div neg pow exp log sqrt abs sin cos tanh sigmoid relu sum mean max min argmax argmin dot mm \
        matmul t transpose view reshape squeeze unsqueeze expand getitem setitem clone detach cat stack softmax \
        log_softmax mse_loss cross_entropy add_ sub_ mul_ div_ zero_ fill_ copy_
        """.split(separator: " ").map(String.init)
      for name in required { #expect(names.contains(name), "missing \(name)") }
      let add = try #require(ops.first { $0["name"] as? String == "add" })
      #expect(add["grad_fn"] as? String == "AddBackward0")
      #expect(add["in_place"] as? Bool == false)
      #expect(ops.first { $0["name"] as? String == "mul_" }?["in_place"] as? Bool == true)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func autogradGradDoesNotTouchGradAndCreateGraphNamesResults(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": 3.0, "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "pow", "args": ["x", 3], "name": "y"}"#)
      let first = try await t.expect(
        200, "POST", s + "/grad",
        #"{"outputs": ["y"], "inputs": ["x"], "create_graph": true, "names": ["g"]}"#)
      let g = try #require((first["grads"] as? [[String: Any]])?.first)
      #expect(g["name"] as? String == "g")
      #expect(g["data"] as? Double == 27.0)
      #expect(g["grad_fn"] as? String == "MulBackward0")
      let second = try await t.expect(
        200, "POST", s + "/grad", #"{"outputs": ["g"], "inputs": ["x"]}"#)
      #expect(J.flat(second["grads"]) == [18.0])
      let x = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(x["grad"] is NSNull)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "v", "data": [1.0, 2.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops", #"{"op": "mul", "args": ["v", "v"], "name": "w"}"#)
      let weighted = try await t.expect(
        200, "POST", s + "/grad",
        #"{"outputs": ["w"], "inputs": ["v"], "grad_outputs": [[2.0, 2.0]]}"#)
      #expect(J.flat(weighted["grads"]) == [4.0, 8.0])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func jacobianHasOutputShapePlusInputShape(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [1.0, 2.0, 3.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "u", "data": [1.0], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "pow", "args": ["x", 2], "name": "y"}"#)
      let jac = try await t.expect(
        200, "POST", s + "/jacobian", #"{"output": "y", "inputs": ["x", "u"]}"#)
      let jacobians = try #require(jac["jacobians"] as? [Any])
      #expect(J.flat(jacobians[0]) == [2, 0, 0, 0, 4, 0, 0, 0, 6])
      #expect(J.flat(jacobians[1]) == [0, 0, 0])
      #expect((jac["shapes"] as? [[Int]]) == [[3, 3], [3, 1]])
      let grad = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(grad["grad"] is NSNull)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func gradCanBeReadZeroedAndDropped(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": [1.0, 2.0], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/ops", #"{"op": "sum", "args": ["x"], "name": "s"}"#)
      try await t.expect(200, "POST", s + "/tensors/s/backward")
      #expect(J.flat(try await t.expect(200, "GET", s + "/tensors/x/grad")["grad"]) == [1, 1])
      try await t.expect(204, "DELETE", s + "/tensors/x/grad")
      #expect(try await t.expect(200, "GET", s + "/tensors/x/grad")["grad"] is NSNull)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func graphShowsNodesEdgesLeavesAndDot(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "shape": [2, 2], "init": "ones", "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/ops",
        #"""
        [{"op": "add", "args": ["x", 2], "name": "y"}, {"op": "mul", "args": ["y", "y"], "name": "t"},
         {"op": "mul", "args": ["t", 3], "name": "z"}, {"op": "mean", "args": ["z"], "name": "out"}]
        """#)
      let graph = try await t.expect(200, "GET", s + "/tensors/out/graph")
      let nodes = try #require(graph["nodes"] as? [[String: Any]])
      #expect(
        nodes.compactMap { $0["grad_fn"] as? String }.sorted()
          == ["AccumulateGrad", "AddBackward0", "MeanBackward0", "MulBackward0", "MulBackward0"])
      #expect(nodes.first?["grad_fn"] as? String == "MeanBackward0")
      let leaves = try #require(graph["leaves"] as? [[String: Any]])
      #expect(leaves.count == 1)
      #expect(leaves.first?["tensor"] as? String == "x")
      let edges = try #require(graph["edges"] as? [[String: Any]])
      // Mean→Mul, Mul→Mul, Mul→Add twice (y·y), Add→AccumulateGrad.
      #expect(edges.count == 5)
      let square = try #require(
        nodes.first { node in
          node["grad_fn"] as? String == "MulBackward0"
            && ((node["saved"] as? [Any])?.count ?? 0) == 2
        })
      #expect((square["saved"] as? [[String: Any]])?.first?["freed"] as? Bool == false)
      let dot = try await t.send(
        "GET", s + "/tensors/out/graph", headers: [("Accept", "text/vnd.graphviz")])
      #expect(dot.status == 200)
      #expect(dot.header("Content-Type") == "text/vnd.graphviz")
      #expect(dot.text.hasPrefix("digraph {"))
      #expect(dot.text.contains("MeanBackward0"))
      try await t.expect(200, "POST", s + "/tensors/out/backward")
      let freed = try await t.expect(200, "GET", s + "/tensors/out/graph")
      let savedFlags = (freed["nodes"] as? [[String: Any]] ?? []).flatMap {
        ($0["saved"] as? [[String: Any]]) ?? []
      }
      #expect(!savedFlags.isEmpty && savedFlags.allSatisfy { $0["freed"] as? Bool == true })
    }
  }
}
