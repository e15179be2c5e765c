import Testing

@testable import TensorJSON

private func json(_ text: String) throws -> JSONValue {
  try JSONValue.parse(Array(text.utf8))
}

/// The float32 reader must give exactly `Float` of what the Double reader gives (what PyTorch gives for
/// `torch.tensor(json.loads(text), dtype=torch.float32)`), and the same errors.
@Suite("Float32 tensor literals")
struct Float32TensorLiteralTests {
  @Test(arguments: [
    "[[0.1, 0.2, 0.3], [1e-46, 3.4028235677973366e38, -0.0]]",
    "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]",
    "[0.30000001192092896, 16777217, 1.00000005960464477539062500001, \"NaN\", \"-Infinity\"]",
    "2.5", "[]", "[[], []]",
  ])
  func nestedValuesAreTheFloatsOfTheDoubleReading(text: String) throws {
    let value = try json(text)
    let doubles = try tensorLiteral(data: value, shape: nil)
    let floats = try float32TensorLiteral(data: value, shape: nil)
    #expect(floats.shape == doubles.shape)
    #expect(floats.values.map(\.bitPattern) == doubles.values.map { Float($0).bitPattern })
  }

  @Test func flatValuesWithAShapeAreTheFloatsOfTheDoubleReading() throws {
    let data = try json("[0.1, 1e-40, 2, \"Infinity\", 0.5, 6]")
    let shape = try json("[2, 3]")
    let floats = try float32TensorLiteral(data: data, shape: shape)
    #expect(floats.shape == [2, 3])
    #expect(
      floats.values.map(\.bitPattern)
        == [0.1, 1e-40, 2, .infinity, 0.5, 6].map { Float($0).bitPattern })
  }

  @Test(
    arguments: [
      ("[[1, 2], [3]]", nil), ("[[1, 2], 3]", nil), ("[1, \"x\"]", nil), ("[1, 2, 3]", "[2, 2]"),
      ("[[1]]", "[1]"),
    ] as [(String, String?)])
  func errorsAreTheDoubleReadersErrors(data: String, shape: String?) throws {
    let dataValue = try json(data)
    let shapeValue = try shape.map(json)
    var expected: TensorLiteralError?
    do { _ = try tensorLiteral(data: dataValue, shape: shapeValue) } catch { expected = error }
    var got: TensorLiteralError?
    do { _ = try float32TensorLiteral(data: dataValue, shape: shapeValue) } catch { got = error }
    #expect(expected != nil)
    #expect(got == expected)
  }
}
