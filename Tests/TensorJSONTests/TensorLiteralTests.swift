import Testing

@testable import TensorJSON

private func literal(_ text: String) throws -> TensorLiteral {
  try tensorLiteral(JSONValue.parse(Array(text.utf8)))
}

private func literalError(_ text: String) -> String? {
  do {
    _ = try literal(text)
    return nil
  } catch {
    return "\(error)"
  }
}

@Suite("Tensor literals")
struct TensorLiteralTests {
  @Test func readsNestedListsRowMajor() throws {
    #expect(
      try literal("[[1, 2], [3, 4]]")
        == TensorLiteral(shape: [2, 2], values: [1, 2, 3, 4], allIntegers: true))
    #expect(
      try literal("[[[1.5], [2]], [[3], [4]]]")
        == TensorLiteral(shape: [2, 2, 1], values: [1.5, 2, 3, 4]))
    #expect(try literal("[0.1, 0.2]") == TensorLiteral(shape: [2], values: [0.1, 0.2]))
  }

  @Test func readsScalarsAndEmptyTensors() throws {
    #expect(try literal("27.0") == TensorLiteral(shape: [], values: [27]))
    #expect(try literal("3") == TensorLiteral(shape: [], values: [3], allIntegers: true))
    #expect(try literal("[]") == TensorLiteral(shape: [0], values: [], allIntegers: true))
    #expect(try literal("[[], []]") == TensorLiteral(shape: [2, 0], values: [], allIntegers: true))
    #expect(
      try literal("[[[]]]") == TensorLiteral(shape: [1, 1, 0], values: [], allIntegers: true))
  }

  @Test func acceptsTheNonFiniteStrings() throws {
    let t = try literal(#"[["NaN", "Infinity"], ["-Infinity", 1]]"#)
    #expect(t.shape == [2, 2])
    #expect(t.values[0].isNaN)
    #expect(t.values[1] == .infinity)
    #expect(t.values[2] == -.infinity)
    #expect(t.values[3] == 1)
    #expect(try literal(#""NaN""#).values[0].isNaN)
  }

  @Test func refusesRaggedListsWithTheirPosition() {
    #expect(
      literalError("[[1, 2], [1, 2, 3]]")
        == "ragged nested list at index [1]: expected length 2, got 3")
    #expect(
      literalError("[[1, 2], 3]")
        == "ragged nested list at index [1]: expected a list of length 2, got a number")
    #expect(
      literalError("[1, [2]]") == "ragged nested list at index [1]: expected a number, got a list")
    #expect(
      literalError("[[[1], [2]], [3, 4]]")
        == "ragged nested list at index [1, 0]: expected a list, got a number")
    #expect(
      literalError("[[], [1]]") == "ragged nested list at index [1]: expected length 0, got 1")
    #expect(
      literalError("[[[1, 2], [3, 4]], [[5, 6], [7]]]")
        == "ragged nested list at index [1, 1]: expected length 2, got 1")
  }

  @Test func refusesNonNumericElements() {
    #expect(
      literalError(#"[1, "nan"]"#)
        == #"invalid tensor element at index [1]: expected a number or "NaN", "Infinity", "-Infinity", got a string"#
    )
    #expect(
      literalError("[true]")
        == #"invalid tensor element at index [0]: expected a number or "NaN", "Infinity", "-Infinity", got a boolean"#
    )
    #expect(
      literalError("null")
        == #"invalid tensor element at index []: expected a number or "NaN", "Infinity", "-Infinity", got null"#
    )
  }

  @Test func readsTheFlatForm() throws {
    #expect(
      try literal(#"{"shape": [2, 2], "data": [1, 1, 1, 1]}"#)
        == TensorLiteral(shape: [2, 2], values: [1, 1, 1, 1], allIntegers: true))
    #expect(
      try literal(#"{"shape": [], "data": [5.5]}"#) == TensorLiteral(shape: [], values: [5.5]))
    #expect(
      try literal(#"{"shape": [2, 0], "data": []}"#)
        == TensorLiteral(shape: [2, 0], values: [], allIntegers: true))
    let mixed = try literal(#"{"shape": [2], "data": [1, "Infinity"]}"#)
    #expect(mixed.values == [1, .infinity])
    let request = try JSONValue.parse(
      Array(#"{"name": "x", "shape": [3], "data": [1, 2, 3]}"#.utf8))
    #expect(try tensorLiteral(data: request["data"] ?? .null, shape: request["shape"]).shape == [3])
  }

  @Test func refusesBadFlatForms() {
    #expect(
      literalError(#"{"shape": [2, 2], "data": [1, 1, 1]}"#) == "shape [2, 2] needs 4 values, got 3"
    )
    #expect(
      literalError(#"{"shape": [2, 2], "data": [[1, 1], [1, 1]]}"#)
        == "ragged nested list at index [0]: expected a number, got a list")
    #expect(
      literalError(#"{"shape": [-1], "data": []}"#)
        == "shape must be a list of non-negative integers")
    #expect(
      literalError(#"{"shape": [2.0], "data": [1, 2]}"#)
        == "shape must be a list of non-negative integers")
    #expect(
      literalError(#"{"shape": 2, "data": [1, 2]}"#)
        == "shape must be a list of non-negative integers, got a number")
    #expect(
      literalError(#"{"shape": [4294967296, 4294967296], "data": []}"#)
        == "shape [4294967296, 4294967296] has too many elements")
    #expect(
      literalError(#"{"shape": [2]}"#)
        == #"expected a nested list or an object with "shape" and "data""#)
    #expect(
      literalError(#"{"shape": [1], "data": 1}"#)
        == #""data" must be a flat list when "shape" is given, got a number"#)
  }
}

@Suite("Tensor literals from hostile bodies")
struct HostileTensorLiteralTests {
  /// The shape read down the first elements claims 10^9 values; the body has about 3000. Refused as ragged without
  /// reserving memory for the claimed size.
  @Test func refusesAHugeClaimedShapeCheaply() throws {
    let row = "[" + Array(repeating: "1", count: 1000).joined(separator: ",") + "]"
    let middle = "[" + ([row] + Array(repeating: "0", count: 999)).joined(separator: ",") + "]"
    let text = "[" + ([middle] + Array(repeating: "0", count: 999)).joined(separator: ",") + "]"
    #expect(
      throws: TensorLiteralError(
        "ragged nested list at index [0, 1]: expected a list of length 1000, got a number")
    ) {
      try tensorLiteral(JSONValue.parse(Array(text.utf8)))
    }
  }

  @Test func parsesMixedArraysAfterThePackedAttempt() throws {
    #expect(
      try JSONValue.parse(Array("[1, [2], 3]".utf8))
        == .array([
          .number(1, isInteger: true), .numbers([2], allIntegers: true),
          .number(3, isInteger: true),
        ]))
    #expect(JSONObject([("a", .null), ("a", .bool(true))]) == nil)
  }
}
