import Foundation
import Testing

@testable import AutogradService

/// `POST /v1/sessions/{sid}/eval`: the tutorial's own code, run against the session.
@Suite struct EvalTests {
  static let seedProgram = """
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    print(x.grad)
    """

  @Test(arguments: TargetKind.allCases)
  func seedProgramPrintsLikePyTorchAndBindsSessionNames(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let r = try await t.send(
        "POST", s + "/eval", body: Self.seedProgram, headers: [("Content-Type", "text/plain")])
      #expect(r.status == 200, "\(r.text)")
      #expect(
        r.object["stdout"] as? String == "tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])\n")
      #expect(r.object["result"] is NSNull)
      let bindings = J.object(r.object["bindings"])
      #expect(Set(bindings.keys) == ["x", "y", "z", "out"])
      #expect(J.object(bindings["out"])["grad_fn"] as? String == "MeanBackward0")
      #expect(J.object(bindings["y"])["grad_fn"] as? String == "AddBackward0")
      let grad = try await t.expect(200, "GET", s + "/tensors/x/grad")
      #expect(J.flat(grad["grad"]) == [4.5, 4.5, 4.5, 4.5])
      // The JSON form, against names bound by the earlier program; the last expression is the result.
      let json = try await t.send("POST", s + "/eval", json: #"{"source": "y.grad_fn\nx.sum()"}"#)
      #expect(json.status == 200, "\(json.text)")
      #expect(J.object(json.object["result"])["grad_fn"] as? String == "SumBackward0")
      #expect(J.object(json.object["result"])["data"] as? Double == 4.0)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func failingProgramReportsLineAndColumnAndChangesNothing(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "data": 1.0, "requires_grad": true}"#)
      let program = """
        y1 = x ** 2
        with torch.no_grad():
            y2 = x ** 3
        y1.backward()
        x.data *= 100
        y2.backward()
        """
      let r = try await t.send(
        "POST", s + "/eval", body: program, headers: [("Content-Type", "text/plain")])
      #expect(r.status == 422, "\(r.text)")
      #expect(r.object["code"] as? String == "no_grad_fn")
      #expect(
        r.object["detail"] as? String
          == "element 0 of tensors does not require grad and does not have a grad_fn")
      #expect(r.object["line"] as? Int == 6)
      #expect(r.object["column"] as? Int == 1)
      #expect(try await t.send("GET", s + "/tensors/y1").status == 404)
      let x = try await t.expect(200, "GET", s + "/tensors/x")
      #expect(x["grad"] is NSNull)
      #expect(x["data"] as? Double == 1.0)
    }
  }

  @Test(arguments: TargetKind.allCases)
  func evalRefusesOtherMediaTypes(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      let r = try await t.send(
        "POST", s + "/eval", body: "x = 1", headers: [("Content-Type", "application/xml")])
      #expect(r.status == 415)
      #expect(r.object["code"] as? String == "unsupported_media_type")
      let syntax = try await t.send(
        "POST", s + "/eval", body: "x = = 1", headers: [("Content-Type", "text/plain")])
      #expect(syntax.status == 400)
      #expect(syntax.object["line"] as? Int == 1)
    }
  }
}
