import Foundation
import Testing

@testable import AutogradService

/// PATCH is PyTorch's `x.data`: same shape replaces the values untracked (version unchanged); another shape,
/// which PyTorch would adopt, is refused here instead of silently kept.
@Suite struct ParityPatchTests {
  @Test func patchKeepsVersionAndRefusesAnotherShape() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [[1, 2], [3, 4]], "requires_grad": true}"#)
      let patched = try await t.expect(
        200, "PATCH", s + "/tensors/x", #"{"data": [[5, 6], [7, 8]]}"#)
      #expect(patched["data"] as? [[Double]] == [[5, 6], [7, 8]])
      #expect(patched["version"] as? Int == 0)
      for body in [#"{"data": [1, 2, 3, 4]}"#, #"{"data": [1, 2, 3]}"#] {
        let r = try await t.send("PATCH", s + "/tensors/x", json: body)
        #expect(r.status == 422, "\(r.text)")
        #expect(r.object["code"] as? String == "shape_mismatch")
      }
      let x = try await t.expect(200, "GET", s + "/tensors/x")
      #expect(x["data"] as? [[Double]] == [[5, 6], [7, 8]])
    }
  }
}
