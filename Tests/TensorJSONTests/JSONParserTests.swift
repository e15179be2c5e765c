import Testing

@testable import TensorJSON

private func parse(_ text: String) throws(JSONError) -> JSONValue {
  try JSONValue.parse(Array(text.utf8))
}

private func parseError(_ bytes: [UInt8]) -> JSONError? {
  do {
    _ = try JSONValue.parse(bytes)
    return nil
  } catch {
    return error
  }
}

private func parseError(_ text: String) -> JSONError? {
  parseError(Array(text.utf8))
}

@Suite("JSON parser")
struct JSONParserTests {
  @Test func parsesScalarsWithSurroundingWhitespace() throws {
    #expect(try parse(" \t\r\nnull \n") == .null)
    #expect(try parse("true") == .bool(true))
    #expect(try parse("false") == .bool(false))
    #expect(try parse("\"hi\"") == .string("hi"))
    #expect(try parse("-0") == .number(-0.0, isInteger: true))
    #expect(try parse("2") == .number(2, isInteger: true))
  }

  @Test func distinguishesIntegerLiteralsFromFloatLiterals() throws {
    #expect(try parse("2").intValue == 2)
    #expect(try parse("2.0") == .number(2, isInteger: false))
    #expect(try parse("2.0").intValue == nil)
    #expect(try parse("2e0") == .number(2, isInteger: false))
    #expect(try parse("-7").intValue == -7)
    #expect(try parse("100000000000000000000000000000").intValue == nil)
    #expect(try parse("100000000000000000000000000000").doubleValue == 1e29)
  }

  @Test func parsesNumbersCorrectlyRounded() throws {
    let cases: [(String, Double)] = [
      ("0.1", 0.1), ("-0.5", -0.5), ("1e-05", 1e-05), ("1E+2", 100),
      ("3.4028235e+38", 3.4028235e+38),
      ("0.10000000149011612", 0.10000000149011612),
      ("123456789012345678901234567890", 1.2345678901234568e+29),
      ("2.2250738585072014e-308", 2.2250738585072014e-308), ("5e-324", 5e-324),
      ("4.9e-324", 5e-324),
      ("1.7976931348623157e308", 1.7976931348623157e308),
      ("9007199254740993", 9_007_199_254_740_992),
      ("0.000000000000000000000000000001", 1e-30), ("1e-400", 0), ("123e30", 123e30),
      ("2.0000000000000000001", 2.0),
      ("1.00000000000000011102230246251565404236316680908203125", 1.0),
      ("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002),
    ]
    for (text, expected) in cases {
      let value = try parse(text).doubleValue
      #expect(value?.bitPattern == expected.bitPattern, "\(text)")
    }
  }

  @Test func refusesMalformedNumbers() {
    #expect(
      parseError("01")?.description == "invalid JSON at byte 0: leading zeros are not allowed")
    #expect(
      parseError("-")?.description
        == "invalid JSON at byte 1: expected a digit after '-', found end of input")
    #expect(parseError("1.")?.message == "expected a digit after '.', found end of input")
    #expect(parseError(".5")?.message == "expected a value, found '.'")
    #expect(parseError("1e")?.message == "expected a digit in the exponent, found end of input")
    #expect(parseError("1e+")?.message == "expected a digit in the exponent, found end of input")
    #expect(parseError("+1")?.message == "expected a value, found '+'")
    #expect(parseError("-01")?.message == "leading zeros are not allowed")
    #expect(parseError("1e400")?.description == "invalid JSON at byte 0: number out of range")
    #expect(parseError("-1e99999999999999999999")?.message == "number out of range")
    #expect(parseError("NaN")?.message == "expected a value, found 'N'")
    #expect(parseError("Infinity")?.message == "expected a value, found 'I'")
    #expect(parseError("0x10")?.message == "unexpected 'x' after the end of the document")
  }

  @Test func storesArraysOfNumbersPacked() throws {
    #expect(try parse("[1, 2.5, -3e2]") == .numbers([1, 2.5, -300], allIntegers: false))
    #expect(try parse("[1,2,3]") == .numbers([1, 2, 3], allIntegers: true))
    #expect(try parse("[]") == .array([]))
    #expect(try parse("[ ]") == .array([]))
    #expect(
      try parse("[1, \"NaN\", 2]")
        == .array([.number(1, isInteger: true), .string("NaN"), .number(2, isInteger: true)]))
    #expect(
      try parse("[[1,2],[3,4]]")
        == .array([.numbers([1, 2], allIntegers: true), .numbers([3, 4], allIntegers: true)]))
    #expect(
      try parse("[1, 2.0]").arrayElements == [
        .number(1, isInteger: false), .number(2, isInteger: false),
      ])
  }

  @Test func keepsObjectKeyOrder() throws {
    let value = try parse(#"{"b": 1, "a": [true, null], "c": {}}"#)
    guard case .object(let object) = value else {
      Issue.record("not an object")
      return
    }
    #expect(object.keys == ["b", "a", "c"])
    #expect(object["a"] == .array([.bool(true), .null]))
    #expect(value["c"] == .object(JSONObject()))
    #expect(value["missing"] == nil)
  }

  @Test func refusesDuplicateKeys() {
    #expect(
      parseError(#"{"a": 1, "a": 2}"#)?.description == #"invalid JSON at byte 9: duplicate key "a""#
    )
    // Past the linear-search threshold, the set-based check still finds it.
    let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ",")
    #expect(parseError("{\(many), \"k3\": 0}")?.message == #"duplicate key "k3""#)
    #expect(parseError("{\(many)}") == nil)
  }

  @Test func reportsStructuralErrorsWithOffsets() {
    #expect(
      parseError("[1, 2 3]")?.description
        == "invalid JSON at byte 6: expected ',' or ']', found '3'")
    #expect(
      parseError("[1, 2,]")?.description == "invalid JSON at byte 6: expected a value, found ']'")
    #expect(
      parseError("[\"a\" \"b\"]")?.description
        == "invalid JSON at byte 5: expected ',' or ']', found '\"'")
    #expect(
      parseError(#"{"a" 1}"#)?.description
        == "invalid JSON at byte 5: expected ':' after object key, found '1'")
    #expect(
      parseError(#"{"a": 1,}"#)?.description
        == "invalid JSON at byte 8: expected a string key, found '}'")
    #expect(parseError(#"{a: 1}"#)?.message == "expected a string key, found 'a'")
    #expect(parseError(#"{"a": 1"#)?.message == "expected ',' or '}', found end of input")
    #expect(parseError("[1, 2")?.message == "expected ',' or ']', found end of input")
    #expect(
      parseError("")?.description == "invalid JSON at byte 0: expected a value, found end of input")
    #expect(parseError("   ")?.message == "expected a value, found end of input")
    #expect(
      parseError("[] []")?.description
        == "invalid JSON at byte 3: unexpected '[' after the end of the document")
    #expect(parseError("tru")?.message == "invalid literal, expected 'true'")
    #expect(parseError("nul1")?.message == "invalid literal, expected 'null'")
    #expect(parseError("// c\n1")?.message == "expected a value, found '/'")
  }

  @Test func refusesNestingBeyondTheDepthLimit() throws {
    let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
    #expect(throws: Never.self) { try parse(ok) }
    let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
    #expect(
      parseError(deep)?.description == "invalid JSON at byte 64: nesting deeper than 64 levels")
    // Far deeper than any stack could recurse: refused at the limit, no crash.
    let hostile = String(repeating: "[", count: 1_000_000)
    #expect(parseError(hostile)?.message == "nesting deeper than 64 levels")
    let objects = String(repeating: #"{"a":"#, count: 100_000)
    #expect(parseError(objects)?.message == "nesting deeper than 64 levels")
    #expect(throws: JSONError.self) { try JSONValue.parse(Array("[[1]]".utf8), maxDepth: 1) }
  }

  @Test func decodesStringEscapes() throws {
    #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{c}\n\r\t"))
    #expect(try parse(#""\u0041\u00e9\u20AC""#) == .string("Aé€"))
    #expect(try parse(#""\ud83d\ude00""#) == .string("😀"))
    #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    #expect(try parse("\"héllo 😀\"") == .string("héllo 😀"))
  }

  @Test func refusesBadStrings() {
    #expect(
      parseError(#""\ud83d""#)?.description
        == #"invalid JSON at byte 1: unpaired surrogate \uD83D in string"#)
    #expect(parseError(#""\ude00x""#)?.message == #"unpaired surrogate \uDE00 in string"#)
    #expect(parseError(#""\ud83d\u0041""#)?.message == #"unpaired surrogate \uD83D in string"#)
    #expect(parseError(#""\x""#)?.message == #"invalid escape '\'x'' in string"#)
    #expect(parseError(#""\u12G4""#)?.message == "expected 4 hex digits after \\u, found 'G'")
    #expect(
      parseError("\"a\nb\"")?.description
        == "invalid JSON at byte 2: unescaped control character byte 0x0A in string")
    #expect(parseError("\"abc")?.description == "invalid JSON at byte 0: unterminated string")
    #expect(parseError("'a'")?.message == "expected a value, found '''")
  }

  @Test func refusesInvalidUTF8() {
    let invalid: [[UInt8]] = [
      [0x22, 0xFF, 0x22],  // never valid
      [0x22, 0xC0, 0xAF, 0x22],  // overlong '/'
      [0x22, 0xE0, 0x80, 0xAF, 0x22],  // overlong
      [0x22, 0xED, 0xA0, 0x80, 0x22],  // encoded surrogate
      [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // past U+10FFFF
      [0x22, 0xC3, 0x22],  // truncated sequence
      [0x22, 0x80, 0x22],  // lone continuation byte
      [0x22, 0xE2, 0x82],  // truncated at end of input
    ]
    for bytes in invalid {
      #expect(parseError(bytes)?.message == "invalid UTF-8 in string", "\(bytes)")
    }
    #expect(parseError([0x22, 0x61, 0xFF, 0x22])?.offset == 2)
    #expect(parseError([0xEF, 0xBB, 0xBF, 0x31])?.message == "expected a value, found byte 0xEF")
    #expect(parseError([0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == nil)
  }

  @Test func parsesFromARawBuffer() throws {
    let bytes = Array(#"{"x": [1.5]}"#.utf8)
    let value = try bytes.withUnsafeBytes { raw in try JSONValue.parse(raw) }
    #expect(value["x"] == .numbers([1.5], allIntegers: false))
  }
}

@Suite("Number parsing against the standard library")
struct NumberParsingTests {
  /// Random decimals of 1 to 19 significant digits and wide exponents, so that every path (Clinger, Eisel–Lemire,
  /// strtod) is taken; Swift's own `Double(String)` is correctly rounded and serves as the oracle.
  @Test func matchesDoubleParsingOnRandomDecimals() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50_000 {
      let digits = Int.random(in: 1...19, using: &generator)
      var mantissa = String(Int.random(in: 1...9, using: &generator))
      for _ in 1..<digits { mantissa.append(String(Int.random(in: 0...9, using: &generator))) }
      let exponent = Int.random(in: -330...300, using: &generator)
      let text = "\(mantissa)e\(exponent)"
      let expected = Double(text) ?? .nan
      guard expected.isFinite else { continue }
      let parsed = try JSONValue.parse(Array(text.utf8)).doubleValue
      #expect(parsed?.bitPattern == expected.bitPattern, "\(text)")
    }
  }

  @Test func eiselLemireAgreesWithClingerWhereBothApply() {
    for (m, e) in [
      (UInt64(1), 0), (123_456_789, -5), (9_007_199_254_740_991, 0), (17, 22), (1, -22),
    ] {
      #expect(eiselLemire(m, e) == Double("\(m)e\(e)"), "\(m)e\(e)")
    }
    // 2^53 + 1 lies exactly halfway between two Doubles: refused, left to strtod.
    #expect(eiselLemire(9_007_199_254_740_993, 0) == nil)
  }
}
