import Testing

@testable import TensorJSON

/// The float32 element readers (`fractionElement`, `commonElement`, the checked ones near the end of the input)
/// give `torch.tensor(json.loads(text), dtype=torch.float32)`'s bits (the nearest Double, then rounded to float32)
/// wherever in a row a literal stands, and refuse exactly what the general reader refuses, with the same error.
@Suite("Float32 element reading")
struct Float32ElementReadingTests {
  /// Expected bits from numpy/PyTorch: `np.float32(float(text)).view(np.uint32)`. "0.4550979584455490",
  /// "0.7230914533138275", "-0.1741490736603737", "7.616006135940552" and "3.048896908760071" are within half a
  /// Double ulp of a float32 midpoint, so rounding the decimal straight to float32 would give the neighbour: the
  /// Double comes first.
  static let literals: [(String, UInt32)] = [
    ("0.0039759385", 998_394_007), ("-0.0041775224", 3_146_310_553), ("0.5", 1_056_964_608),
    ("-0.0", 2_147_483_648), ("0.0", 0), ("0.1234567890123456", 1_039_980_266),
    ("0.12345678901234567", 1_039_980_266), ("0.9007199254740993", 1_063_687_573),
    ("0.9007199254740992", 1_063_687_573), ("0.8999999999999999", 1_063_675_494),
    ("0.000000059604644775390625", 864_026_624), ("0.30000001192092896", 1_050_253_722),
    ("0.4550979584455490", 1_055_457_946), ("0.7230914533138275", 1_060_707_462),
    ("-0.1741490736603737", 3_190_969_378), ("0.5e-3", 973_279_855), ("0.25E+2", 1_103_626_240),
    ("-1.2e-05", 3_075_036_060), ("1.8279192e-05", 932_795_972), ("3e+1", 1_106_247_680),
    ("12.25E-3", 1_011_397_689), ("0E0", 0), ("-0e-00", 2_147_483_648), ("1.5e38", 2_128_720_358),
    ("3.4028235677973366e38", 2_139_095_040), ("1e-46", 0), ("7.006492321624086e-46", 0),
    ("1.4e-45", 1), ("123456.75", 1_206_984_800), ("9999999.5", 1_259_902_592),
    ("16777217", 1_266_679_808), ("1234567.891234567", 1_234_613_311), ("1.5e99", 2_139_095_040),
    ("2.5e-99", 0), ("33554431", 1_275_068_416), ("1.5", 1_069_547_520),
    ("-9.007199254740992", 3_239_058_813), ("9.007199254740993", 1_091_575_165),
    ("8.999999999999999", 1_091_567_616), ("1.0000000000000002", 1_065_353_216),
    ("-3.3030303", 3_226_690_777), ("9.999999999999999", 1_092_616_192),
    ("1.000000059604644775", 1_065_353_216), ("2.0", 1_073_741_824), ("-1.0e-1", 3_184_315_597),
    ("7.25E+1", 1_116_798_976), ("7.616006135940552", 1_089_713_746),
    ("3.048896908760071", 1_078_141_216),
  ]

  /// Enough ordinary elements around a literal that it is read far from the end of the input (the unchecked-load
  /// readers) or, as the last element, by the checked ones.
  static let padding = Array(repeating: "0.020251943", count: 8).joined(separator: ",")

  private func float32Values(_ text: String) throws -> [UInt32]? {
    let value = try JSONValue.parse(Array(text.utf8), float32Member: "data")
    guard case .float32Tensor(let tensor)? = value["data"] else { return nil }
    return tensor.values.map(\.bitPattern)
  }

  @Test(arguments: literals)
  func literalsReadAsTheNearestDoubleRoundedToFloat32(literal: String, bits: UInt32) throws {
    let pad = Float(0.020251943).bitPattern
    let middle = try #require(
      try float32Values("{\"data\":[[\(Self.padding),\(literal),\(Self.padding)]]}"))
    #expect(middle == Array(repeating: pad, count: 8) + [bits] + Array(repeating: pad, count: 8))
    let last = try #require(try float32Values("{\"data\":[\(Self.padding),\(literal)]}"))
    #expect(last == Array(repeating: pad, count: 8) + [bits])
    let spaced = try #require(
      try float32Values(
        "{\"data\": [ \(literal) , \(literal),\n\t\(literal)\n, \(Self.padding) ] }"))
    #expect(Array(spaced.prefix(3)) == [bits, bits, bits])
  }

  @Test(arguments: [
    "01.5", "-01", "00", "0.", "-", "--1", ".5", "1.e5", "0.5e", "0.5e+", "0.5e-x", "1e400",
    "-1e400", "0x10",
    "+1", "0.5.5", "1..2", "1e5.5", "0.1234567890123456e", "NaN", "0.5]", "0.5,]", "0.5,,0.5",
    "0.5 0.5", "1-2",
    "0.00000000000000000000000000000000000001e999",
  ])
  func malformedNumbersFailAsWithoutTheOption(literal: String) throws {
    for text in [
      "{\"data\":[\(Self.padding),\(literal),\(Self.padding)]}",
      "{\"data\":[[\(Self.padding)],[\(literal),\(Self.padding)]]}",
      "{\"data\":[\(Self.padding),\(literal)]}",
    ] {
      var plain: JSONError?
      do { _ = try JSONValue.parse(Array(text.utf8)) } catch { plain = error }
      var packed: JSONError?
      do { _ = try JSONValue.parse(Array(text.utf8), float32Member: "data") } catch {
        packed = error
      }
      #expect(plain != nil, "\(text)")
      #expect(packed == plain, "\(text)")
    }
  }

  /// Random float32 values written as orjson writes them (shortest, `0.0xxx` and `1.2e-05` forms) and as 6 to 17
  /// significant digits of the midpoint above them, in long rows: bit for bit `Float` of the Double reader.
  @Test func randomRowsMatchTheDoubleReaderBitForBit() throws {
    var generator = SystemRandomNumberGenerator()
    var literals: [String] = []
    for _ in 0..<20_000 {
      let f = Float(Double.random(in: -1...1, using: &generator) * (Bool.random() ? 0.1 : 9))
      let midpoint = (Double(f) + Double(f.nextUp)) / 2
      literals.append("\(f)")
      literals.append("\(midpoint)")
      // A prefix of the midpoint's digits, without a dangling '.', '-' or 'e'.
      var digits = String("\(midpoint)".prefix(Int.random(in: 3...19, using: &generator)))
      while let last = digits.last, !last.isNumber { digits.removeLast() }
      literals.append(digits.isEmpty ? "0" : digits)
    }
    let rows = stride(from: 0, to: literals.count, by: 600).map {
      "[" + literals[$0..<min($0 + 600, literals.count)].joined(separator: ",") + "]"
    }
    let text = "{\"data\":[" + rows.joined(separator: ",") + "]}"
    let bytes = Array(text.utf8)
    let value = try JSONValue.parse(bytes, float32Member: "data")
    guard case .float32Tensor(let tensor)? = value["data"] else {
      Issue.record("not read as a float32 tensor")
      return
    }
    let doubles = try tensorLiteral(data: try JSONValue.parse(bytes)["data"] ?? .null, shape: nil)
    #expect(tensor.shape == doubles.shape)
    #expect(tensor.values.map(\.bitPattern) == doubles.values.map { Float($0).bitPattern })
  }
}
