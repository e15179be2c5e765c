import Foundation
import Testing

@testable import AutogradService

/// Nested `data` lists are read straight to float32 unless the body asks for another dtype, which then gets the
/// values as PyTorch reads them (expected values from `torch.tensor(..., dtype=...).tolist()`).
@Suite struct TensorUploadTests {
  @Test func float64AndInt64UploadsKeepTheirOwnPrecision() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      // Checked on the text: Foundation's JSON reader on Linux does not round every literal correctly.
      let doubles = try await t.send(
        "POST", s + "/tensors",
        json:
          #"{"name": "d", "data": [[0.1, 0.30000000000000004], [1e-40, 2]], "dtype": "float64"}"#)
      #expect(doubles.status == 201)
      #expect(doubles.text.contains(#""data":[[0.1,0.30000000000000004],[1e-40,2.0]]"#))
      let integers = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"data": [[3, 4], [5, 6]], "dtype": "torch.long", "name": "i"}"#)
      #expect(integers["dtype"] as? String == "int64")
      #expect(J.flat(integers["data"]) == [3, 4, 5, 6])
    }
  }

  @Test func defaultUploadsAreTheNearestDoubleRoundedToFloat32() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      let floats = try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "f", "data": [[0.1, 16777217], [1.00000005960464477539062500001, 2]]}"#)
      #expect(floats["dtype"] as? String == "float32")
      #expect((floats["shape"] as? [Int]) == [2, 2])
      // float32 0.1 is 0.10000000149011612 as a Python float; 16777217 rounds to 16777216.
      #expect(J.flat(floats["data"]).map { Float($0) } == [0.1, 16_777_216, 1.0, 2.0])
    }
  }

  @Test func raggedAndBadDataGiveTheUsualErrors() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      let ragged = try await t.send(
        "POST", s + "/tensors", json: #"{"name": "r", "data": [[1, 2], [3]]}"#)
      #expect(ragged.status == 400)
      #expect((ragged.object["detail"] as? String)?.contains("expected length 2, got 1") == true)
      let broken = try await t.send(
        "POST", s + "/tensors", json: #"{"name": "b", "data": [[1, 2], [3, 4]"#)
      #expect(broken.status == 400)
      #expect(broken.object["code"] as? String == "invalid_json")
    }
  }
}
