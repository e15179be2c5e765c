import Testing

@testable import TensorJSON

private func text(_ build: (inout JSONWriter) -> Void) -> String {
  var w = JSONWriter()
  build(&w)
  return String(decoding: w.bytes, as: UTF8.self)
}

private func float32(_ v: Float) -> String { text { $0.number(v) } }
private func float64(_ v: Double) -> String { text { $0.number(v) } }

@Suite("JSON writer")
struct JSONWriterTests {
  @Test func writesShortestFloat32Forms() {
    // Expected texts are Python's repr of the shortest float32 digits (numpy's float32 repr).
    #expect(float32(0.1) == "0.1")
    #expect(float32(0.2) == "0.2")
    #expect(float32(0.02) == "0.02")
    #expect(float32(0.002) == "0.002")
    #expect(float32(4.5) == "4.5")
    #expect(float32(27) == "27.0")
    #expect(float32(-0.0) == "-0.0")
    #expect(float32(0) == "0.0")
    #expect(float32(1e-45) == "1e-45")
    #expect(float32(Float.greatestFiniteMagnitude) == "3.4028235e+38")
    #expect(float32(Float.leastNormalMagnitude) == "1.1754944e-38")
    #expect(float32(1e-5) == "1e-05")
    #expect(float32(0.0001) == "0.0001")
    #expect(float32(1e8) == "100000000.0")
    #expect(float32(123_456_789) == "123456790.0")
    #expect(float32(1e16) == "1e+16")
    #expect(float32(0.73219997) == "0.73219997")
    #expect(float32(1.3269) == "1.3269")
    #expect(float32(-2.0241) == "-2.0241")
    #expect(float32(16_777_216) == "16777216.0")
    #expect(float32(.nan) == "\"NaN\"")
    #expect(float32(.infinity) == "\"Infinity\"")
    #expect(float32(-.infinity) == "\"-Infinity\"")
  }

  @Test func writesShortestFloat64Forms() {
    // Expected texts are Python's repr().
    #expect(float64(0.1) == "0.1")
    #expect(float64(Double(Float(0.1))) == "0.10000000149011612")
    #expect(float64(27) == "27.0")
    #expect(float64(1e15) == "1000000000000000.0")
    #expect(float64(1e16) == "1e+16")
    #expect(float64(1e22) == "1e+22")
    #expect(float64(1e-05) == "1e-05")
    #expect(float64(5e-324) == "5e-324")
    #expect(float64(Double.greatestFiniteMagnitude) == "1.7976931348623157e+308")
    #expect(float64(2.2250738585072014e-308) == "2.2250738585072014e-308")
    #expect(float64(123.456) == "123.456")
    #expect(float64(-1.5e-7) == "-1.5e-07")
    #expect(float64(9_007_199_254_740_993) == "9007199254740992.0")
    #expect(float64(0.3) == "0.3")
    #expect(float64(2.0 / 3.0) == "0.6666666666666666")
    #expect(float64(-.infinity) == "\"-Infinity\"")
  }

  @Test func writesIntegers() {
    #expect(text { $0.int(0) } == "0")
    #expect(text { $0.int(-42) } == "-42")
    #expect(text { $0.number(Int64.min) } == "-9223372036854775808")
    #expect(text { $0.number(Int64.max) } == "9223372036854775807")
  }

  @Test func writesNestedContainersWithCommas() {
    let out = text { w in
      w.beginObject()
      w.key("id")
      w.int(3)
      w.key("shape")
      w.beginArray()
      w.int(2)
      w.int(2)
      w.endArray()
      w.key("grad")
      w.null()
      w.key("ok")
      w.bool(true)
      w.key("list")
      w.beginArray()
      w.beginObject()
      w.endObject()
      w.beginArray()
      w.endArray()
      w.string("s")
      w.endArray()
      w.endObject()
    }
    #expect(out == #"{"id":3,"shape":[2,2],"grad":null,"ok":true,"list":[{},[],"s"]}"#)
  }

  @Test func splicesRawValues() {
    let out = text { w in
      w.beginArray()
      w.int(1)
      w.rawValue(Array(#"{"cached":true}"#.utf8))
      w.int(2)
      w.endArray()
    }
    #expect(out == #"[1,{"cached":true},2]"#)
  }

  @Test func escapesStrings() {
    #expect(
      text { $0.string("a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}/é😀") }
        == #""a\"b\\c\n\r\t\b\f\u0001\u001f/é😀""#)
    #expect(text { $0.key("k\"") } == #""k\"":"#)
  }

  @Test func writesTensorsAsNestedLists() {
    let values: [Float] = [1, 2, 3, 4, 5, 6]
    #expect(
      text { w in values.withUnsafeBufferPointer { w.writeTensor($0, shape: [2, 3]) } }
        == "[[1.0,2.0,3.0],[4.0,5.0,6.0]]")
    #expect(
      text { w in values.withUnsafeBufferPointer { w.writeTensor($0, shape: [6]) } }
        == "[1.0,2.0,3.0,4.0,5.0,6.0]")
    #expect(
      text { w in values.withUnsafeBufferPointer { w.writeTensor($0, shape: [3, 1, 2]) } }
        == "[[[1.0,2.0]],[[3.0,4.0]],[[5.0,6.0]]]")
    let scalar: [Float] = [27]
    #expect(text { w in scalar.withUnsafeBufferPointer { w.writeTensor($0, shape: []) } } == "27.0")
    let empty: [Float] = []
    #expect(text { w in empty.withUnsafeBufferPointer { w.writeTensor($0, shape: [0]) } } == "[]")
    #expect(
      text { w in empty.withUnsafeBufferPointer { w.writeTensor($0, shape: [2, 0]) } } == "[[],[]]")
    #expect(
      text { w in empty.withUnsafeBufferPointer { w.writeTensor($0, shape: [0, 3]) } } == "[]")
    let special: [Float] = [.nan, .infinity, -.infinity, 0.1]
    #expect(
      text { w in special.withUnsafeBufferPointer { w.writeTensor($0, shape: [2, 2]) } }
        == #"[["NaN","Infinity"],["-Infinity",0.1]]"#)
    let doubles: [Double] = [0.1, 1e-7]
    #expect(
      text { w in doubles.withUnsafeBufferPointer { w.writeTensor($0, shape: [2]) } }
        == "[0.1,1e-07]")
    let ints: [Int64] = [1, -2, 3]
    #expect(
      text { w in ints.withUnsafeBufferPointer { w.writeTensor($0, shape: [3]) } } == "[1,-2,3]")
  }

  @Test func tensorsTakeTheirPlaceAmongOtherValues() {
    let values: [Float] = [0.5, 1]
    let out = text { w in
      w.beginObject()
      w.key("data")
      values.withUnsafeBufferPointer { w.writeTensor($0, shape: [2]) }
      w.key("grad")
      values.withUnsafeBufferPointer { w.writeTensor($0, shape: [1, 2]) }
      w.endObject()
    }
    #expect(out == #"{"data":[0.5,1.0],"grad":[[0.5,1.0]]}"#)
  }

  @Test func writesParsedValuesBack() throws {
    let source = #"{"b":[1,2],"a":[1.5,"x",null,{"k":false}],"n":-3,"f":2.0}"#
    let value = try JSONValue.parse(Array(source.utf8))
    #expect(text { $0.value(value) } == source)
  }

  @Test func float32RoundTripsAndMatchesSwiftsShortestDigits() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50_000 {
      let v = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &generator))
      guard v.isFinite else { continue }
      let written = float32(v)
      let parsed = try JSONValue.parse(Array(written.utf8)).doubleValue
      #expect(parsed.map { Float($0) }?.bitPattern == v.bitPattern, "\(written)")
      #expect(Float(written)?.bitPattern == v.bitPattern)
      #expect(significand(written) == significand(v.description), "\(v)")
    }
  }

  @Test func float64RoundTripsAndMatchesSwiftsShortestDigits() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50_000 {
      let v = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))
      guard v.isFinite else { continue }
      let written = float64(v)
      let parsed = try JSONValue.parse(Array(written.utf8)).doubleValue
      #expect(parsed?.bitPattern == v.bitPattern, "\(written)")
      #expect(significand(written) == significand(v.description), "\(v)")
    }
  }
}

/// The significant digits of a decimal text, without sign, point, exponent or leading/trailing zeros.
private func significand(_ text: String) -> String {
  let mantissa = text.split(separator: "e")[0]
  let digits = mantissa.filter { $0.isNumber }
  return String(digits.drop { $0 == "0" }.reversed().drop { $0 == "0" }.reversed())
}

@Suite("Number formatting internals")
struct NumberFormattingTests {
  @Test func countsDigitsAtEveryPowerOfTen() {
    #expect(NumberFormatting.digitCount(0) == 1)
    var power: UInt64 = 1
    for n in 1...19 {
      #expect(NumberFormatting.digitCount(power) == n)
      #expect(NumberFormatting.digitCount(power - 1) == max(n - 1, 1))
      power = power &* 10
    }
    #expect(NumberFormatting.digitCount(UInt64.max) == 20)
  }
}
