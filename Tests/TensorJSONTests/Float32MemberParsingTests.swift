import Testing

@testable import TensorJSON

private func parse(_ text: String, member: String? = "data") throws(JSONError) -> JSONValue {
  try JSONValue.parse(Array(text.utf8), float32Member: member)
}

private func float32Data(_ text: String) throws -> Float32TensorLiteral? {
  guard case .float32Tensor(let tensor) = try parse(text)["data"] else { return nil }
  return tensor
}

/// `JSONValue.parse(_:float32Member:)`: the named top-level member, when it is a rectangular nested list of
/// numbers, is read straight to float32; every other document parses (or fails) exactly as without the option.
@Suite("Float32 member parsing")
struct Float32MemberParsingTests {
  /// Expected bits from `torch.tensor(json.loads(text), dtype=torch.float32)` (PyTorch 2.15): the nearest Double,
  /// then rounded to float32 (so 1.00000005960464477539062500001 gives 1.0, not the float just above it).
  @Test func valuesAreTheNearestDoubleRoundedToFloat32AsInPyTorch() throws {
    let text =
      "{\"data\": [1.00000005960464477539062500001, 0.30000001192092896, 16777217, 1e-46, "
      + "3.4028235677973366e38, -0.0, 7.006492321624086e-46, 1.4012984643e-45, 33554431, 0.1]}"
    let tensor = try #require(try float32Data(text))
    #expect(tensor.shape == [10])
    #expect(
      tensor.values.map(\.bitPattern) == [
        1_065_353_216, 1_050_253_722, 1_266_679_808, 0, 2_139_095_040, 2_147_483_648, 0, 1,
        1_275_068_416, 1_036_831_949,
      ])
  }

  @Test func nestedListsKeepTheirShapeAndRowMajorOrder() throws {
    let text =
      "{\"name\": \"W\", \"data\" : [ [ [1, 2.5] ,[3,4e1]],\n\t[[-5, 6], [7, 8E-1] ] ], \"x\": 1}"
    let tensor = try #require(try float32Data(text))
    #expect(tensor.shape == [2, 2, 2])
    #expect(tensor.values == [1, 2.5, 3, 40, -5, 6, 7, 0.8])
    let literal = try float32TensorLiteral(data: try parse(text)["data"] ?? .null, shape: nil)
    #expect(literal == tensor)
  }

  /// Large random lists: bit-identical to Float of the Double reader, in every digit count and exponent range.
  @Test func randomListsMatchTheDoubleReaderBitForBit() throws {
    var generator = SystemRandomNumberGenerator()
    var texts: [String] = []
    for _ in 0..<20_000 {
      let bits = UInt64.random(in: 0...UInt64.max, using: &generator)
      let double = Double(bitPattern: bits & 0xBFFF_FFFF_FFFF_FFFF)  // finite magnitudes up to 2^1024
      guard double.isFinite else { continue }
      let scaled = double.magnitude > 1e40 || double.magnitude < 1e-50 ? double / 1e300 : double
      texts.append(scaled.isFinite ? "\(scaled)" : "0.5")
      texts.append("\(Float(bitPattern: UInt32(truncatingIfNeeded: bits) & 0x7F7F_FFFF))")
    }
    let rows = stride(from: 0, to: texts.count - 99, by: 100).map {
      "[" + texts[$0..<($0 + 100)].joined(separator: ",") + "]"
    }
    let text = "{\"data\":[" + rows.joined(separator: ",") + "]}"
    let tensor = try #require(try float32Data(text))
    let doubles = try tensorLiteral(data: try parse(text, member: nil)["data"] ?? .null, shape: nil)
    #expect(tensor.shape == doubles.shape)
    #expect(tensor.values.map(\.bitPattern) == doubles.values.map { Float($0).bitPattern })
  }

  /// Literals at the edges of the eight-digits-at-a-time reader (digit counts 7, 8, 9, 15, 16, 17, 19, 20, 22;
  /// zeros; exponents) read as the Double reader reads them.
  @Test func digitCountEdgesMatchTheDoubleReader() throws {
    let literals = [
      "0", "-0", "-0.0", "0.0000000000000001", "1234567", "12345678", "123456789",
      "1234567.123456789012345",
      "0.12345678", "0.123456789", "-0.0012345678", "9007199254740993", "9007199254740993.5",
      "1.000000000000000000005", "123.45678901234567", "1.7976931348623157", "4.9e-324", "2.5E3",
      "1e+2",
      "0.30000001192092896", "3.4028235e+38", "1.17549435e-38", "7.1234567", "99999999.99999999",
    ]
    let text = "{\"data\": [" + (literals + literals.reversed()).joined(separator: ", ") + "]}"
    let tensor = try #require(try float32Data(text))
    let doubles = try tensorLiteral(data: try parse(text, member: nil)["data"] ?? .null, shape: nil)
    #expect(tensor.values.map(\.bitPattern) == doubles.values.map { Float($0).bitPattern })
  }

  @Test(arguments: [
    "{\"data\": []}", "{\"data\": [[], []]}", "{\"data\": [[1, 2], [3]]}",
    "{\"data\": [[1, 2], 3]}",
    "{\"data\": [1, [2]]}", "{\"data\": [[1], [2, 3]]}", "{\"data\": [[[1]], [[2], [3]]]}",
    "{\"data\": [1, \"NaN\"]}", "{\"data\": [null]}", "{\"data\": 2.5}", "{\"data\": [[1, {}]]}",
  ])
  func otherValuesArriveAsWithoutTheOption(text: String) throws {
    #expect(try parse(text) == parse(text, member: nil))
  }

  @Test(arguments: [
    "{\"data\": [[1, 2], [3, 4]", "{\"data\": [1, 2,]}", "{\"data\": [01]}", "{\"data\": [1.]}",
    "{\"data\": [[1] [2]]}", "{\"data\": [1e]}", "{\"data\": [-]}",
    "{\"data\": [[1, 2], [3, 1e999]]}",
    "{\"data\": [1, 2], \"data\": [3]}", "{\"data\": [1 2]}",
  ])
  func syntaxErrorsAreTheSameAsWithoutTheOption(text: String) {
    var plain: JSONError?
    do { _ = try parse(text, member: nil) } catch { plain = error }
    var packed: JSONError?
    do { _ = try parse(text) } catch { packed = error }
    #expect(plain != nil)
    #expect(packed == plain)
  }

  @Test func onlyTheTopLevelMemberOfThatNameIsPacked() throws {
    let value = try parse("{\"inner\": {\"data\": [[1, 2]]}, \"other\": [[1, 2]]}")
    #expect(
      value == (try parse("{\"inner\": {\"data\": [[1, 2]]}, \"other\": [[1, 2]]}", member: nil)))
  }

  @Test func nestingPastTheLimitFailsAsWithoutTheOption() {
    let deep =
      "{\"data\": " + String(repeating: "[", count: 70) + "1" + String(repeating: "]", count: 70)
      + "}"
    var plain: JSONError?
    do { _ = try parse(deep, member: nil) } catch { plain = error }
    var packed: JSONError?
    do { _ = try parse(deep) } catch { packed = error }
    #expect(plain?.message == "nesting deeper than 64 levels")
    #expect(packed == plain)
  }

  @Test func aFlatPackedListTakesAShapeAndANestedOneIsRefusedWithTheUsualError() throws {
    let flat = try parse("{\"data\": [1, 2, 3, 4]}")["data"] ?? .null
    let reshaped = try float32TensorLiteral(data: flat, shape: .numbers([2, 2], allIntegers: true))
    #expect(reshaped == Float32TensorLiteral(shape: [2, 2], values: [1, 2, 3, 4]))
    let nested = try parse("{\"data\": [[1, 2], [3, 4]]}")["data"] ?? .null
    #expect(
      throws: TensorLiteralError("ragged nested list at index [0]: expected a number, got a list")
    ) {
      try float32TensorLiteral(data: nested, shape: .numbers([4], allIntegers: true))
    }
  }

  @Test func aPackedListWritesBackAsTheSameText() throws {
    var writer = JSONWriter()
    writer.value(try parse("{\"data\": [[0.1, 27], [1e-05, -2.5]]}"))
    #expect(String(decoding: writer.bytes, as: UTF8.self) == "{\"data\":[[0.1,27.0],[1e-05,-2.5]]}")
  }
}
