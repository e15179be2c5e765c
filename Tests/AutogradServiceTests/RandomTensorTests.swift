import Foundation
import Testing

@testable import AutogradService

/// `init: rand|randn` with a `seed` gives PyTorch's values: `torch.Generator().manual_seed(seed)` then
/// `torch.rand/randn(shape, generator=g)`, as the reference service does.
@Suite struct RandomTensorTests {
  @Test(arguments: TargetKind.allCases)
  func seededRandnIsPyTorchsOverHTTP(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      // torch.randn(3, generator=torch.Generator().manual_seed(7)).tolist(), printed as float32
      let response = try await t.send(
        "POST", s + "/tensors",
        json: #"{"name": "x", "shape": [3], "init": "randn", "seed": 7, "requires_grad": true}"#)
      #expect(response.status == 201)
      #expect(response.text.contains(#""data":[-0.1467951,0.7861413,0.94682163]"#))
      let values = J.flat(response.object["data"]).map { Float($0) }
      #expect(values == [-0.1467950940132141, 0.7861412763595581, 0.9468216300010681])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func seedsPastTwoToThe53AreReadExactly(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      // torch.rand(2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2**63 - 1)).tolist()
      // (the text, not JSONSerialization's Doubles: those are not always correctly rounded on Linux)
      let expected =
        #""data":[[0.9503951604874923,0.5600645841090078,0.9442999488455328],"#
        + #"[0.44736803560959904,0.7404600541885635,0.5481565019541245]]"#
      for seed in ["9223372036854775807", "-1", "18446744073709551615"] {
        let created = try await t.send(
          "POST", s + "/tensors",
          json: #"{"shape": [2, 3], "init": "rand", "dtype": "float64", "seed": \#(seed)}"#)
        #expect(created.status == 201)
        #expect(created.text.contains(expected), "seed \(seed)")
      }
      // An escaped key is still the seed; 2**53 + 1 is not 2**53 (a Double would say it is).
      // [str(x) for x in torch.rand(2, generator=torch.Generator().manual_seed(2**53 + 1)).numpy()]
      let escaped = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"shape": [2], "init": "rand", "se\u0065d": 9007199254740993}"#)
      #expect(J.flat(escaped["data"]).map { Float($0) } == [0.7576316, 0.27931088])
    }
  }

  @Test(arguments: TargetKind.allCases)
  func seedsOutsideManualSeedsRangeOrNotIntegersAreRefused(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      for (seed, detail) in [
        (
          "18446744073709551616",
          "seed must be an integer from -9223372036854775808 to 18446744073709551615 (torch.Generator.manual_seed's range), got 18446744073709551616"
        ),
        (
          "-9223372036854775809",
          "seed must be an integer from -9223372036854775808 to 18446744073709551615 (torch.Generator.manual_seed's range), got -9223372036854775809"
        ),
        ("7.0", "seed must be an integer"),
        ("true", "seed must be an integer"),
        ("\"7\"", "seed must be an integer"),
      ] {
        let response = try await t.send(
          "POST", s + "/tensors", json: #"{"shape": [2], "init": "randn", "seed": \#(seed)}"#)
        #expect(response.status == 400, "seed \(seed)")
        #expect(response.object["code"] as? String == "invalid_argument")
        #expect(response.object["detail"] as? String == detail)
      }
    }
  }

  @Test(arguments: TargetKind.allCases)
  func evalManualSeedContinuesOneStream(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      // torch.manual_seed(7); print(torch.randn(3)); print(torch.randn(3)); print(torch.rand(2, dtype=torch.float64))
      let program = """
        torch.manual_seed(7)
        print(torch.randn(3))
        print(torch.randn(3))
        print(torch.rand(2, dtype=torch.float64))
        """
      let response = try await t.send(
        "POST", s + "/eval", body: program, headers: [("Content-Type", "text/plain")])
      #expect(response.status == 200)
      #expect(
        response.object["stdout"] as? String
          == "tensor([-0.1468,  0.7861,  0.9468])\ntensor([-1.1143,  1.6908, -0.8948])\n"
          + "tensor([0.2947, 0.5607], dtype=torch.float64)\n")
    }
  }

  @Test(arguments: TargetKind.allCases)
  func evalManualSeedCarriesIntoTheSessionsNextProgram(kind: TargetKind) async throws {
    try await withTarget(kind) { t in
      let s = try await t.newSession()
      // torch.manual_seed(7); torch.randn(3); print(torch.randn(3)): one Python process, two programs
      let first = try await t.send(
        "POST", s + "/eval", body: "torch.manual_seed(7)\nprint(torch.randn(3))",
        headers: [("Content-Type", "text/plain")])
      #expect(first.object["stdout"] as? String == "tensor([-0.1468,  0.7861,  0.9468])\n")
      let second = try await t.send(
        "POST", s + "/eval", body: "print(torch.randn(3))",
        headers: [("Content-Type", "text/plain")])
      #expect(second.status == 200)
      #expect(second.object["stdout"] as? String == "tensor([-1.1143,  1.6908, -0.8948])\n")
    }
  }
}
