#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension JSONParser {
  /// A number literal, correctly rounded to Double. Up to 19 significant digits are gathered into an integer;
  /// the common cases then take Clinger's exact fast path, most others Eisel–Lemire, the rest `strtod` (glibc's is correctly rounded; the
  /// server never calls `setlocale`, so its decimal point is '.').
  @inline(__always)
  mutating func parseNumber() throws(JSONError) -> (Double, isInteger: Bool) {
    let start = i
    var negative = false
    if p[i] == UInt8(ascii: "-") {
      negative = true
      i += 1
    }
    guard i < count, isDigit(p[i]) else {
      throw error("expected a digit after '-', found \(found())")
    }
    var mantissa: UInt64 = 0
    var significantDigits = 0
    var exponent = 0
    var truncated = false
    var isInteger = true
    if p[i] == UInt8(ascii: "0") {
      i += 1
      if i < count && isDigit(p[i]) { throw error("leading zeros are not allowed", at: i - 1) }
    } else {
      while i < count {
        let d = p[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        if significantDigits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(d)
          significantDigits += 1
        } else {
          truncated = truncated || d != 0
          exponent += 1
        }
        i += 1
      }
    }
    if i < count && p[i] == UInt8(ascii: ".") {
      isInteger = false
      i += 1
      guard i < count, isDigit(p[i]) else {
        throw error("expected a digit after '.', found \(found())")
      }
      if mantissa == 0 {
        // Zeros right after "0." only move the point.
        while i < count && p[i] == UInt8(ascii: "0") {
          exponent -= 1
          i += 1
        }
      }
      // Eight digits at a time while they fit in the 19-digit budget (the usual float32 fraction is 7-8 digits).
      while significantDigits <= 11 && count - i >= 8 {
        let chunk = UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self).littleEndian
        guard isEightDigits(chunk) else { break }
        mantissa = mantissa &* 100_000_000 &+ UInt64(eightDigitsValue(chunk))
        significantDigits += 8
        exponent -= 8
        i += 8
      }
      while i < count {
        let d = p[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        if significantDigits < 19 {
          mantissa = mantissa &* 10 &+ UInt64(d)
          significantDigits += 1
          exponent -= 1
        } else {
          truncated = truncated || d != 0
        }
        i += 1
      }
    }
    if i < count && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
      isInteger = false
      i += 1
      var exponentNegative = false
      if i < count && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
        exponentNegative = p[i] == UInt8(ascii: "-")
        i += 1
      }
      guard i < count, isDigit(p[i]) else {
        throw error("expected a digit in the exponent, found \(found())")
      }
      var explicit = 0
      while i < count {
        let d = p[i] &- UInt8(ascii: "0")
        guard d < 10 else { break }
        // Saturate: anything this large is out of range or zero anyway.
        if explicit < 100_000 { explicit = explicit * 10 + Int(d) }
        i += 1
      }
      exponent += exponentNegative ? -explicit : explicit
    }
    if mantissa == 0 {
      return (negative ? -0.0 : 0.0, isInteger)
    }
    var value: Double
    if !truncated, let exact = clinger(mantissa, exponent) ?? eiselLemire(mantissa, exponent) {
      value = exact
      if negative { value = -value }
    } else {
      value = slowParse(from: start, to: i)
    }
    if !value.isFinite {
      throw error("number out of range", at: start)
    }
    return (value, isInteger)
  }

  /// Whether all eight bytes (little-endian) are ASCII digits (the test from simdjson / fast_float).
  @inline(__always)
  private func isEightDigits(_ v: UInt64) -> Bool {
    ((v &+ 0x4646_4646_4646_4646) | (v &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0
  }

  /// The value of eight ASCII digits, first digit in the lowest byte, in three multiplications.
  @inline(__always)
  private func eightDigitsValue(_ chunk: UInt64) -> UInt32 {
    var v = chunk &- 0x3030_3030_3030_3030
    v = (v &* 10) &+ (v >> 8)
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    let low = (v & mask) &* 0x000F_4240_0000_0064  // 100 + (1_000_000 << 32)
    let high = ((v >> 16) & mask) &* 0x0000_2710_0000_0001  // 1 + (10_000 << 32)
    v = (low &+ high) >> 32
    return UInt32(truncatingIfNeeded: v)
  }

  @inline(__always)
  private func isDigit(_ b: UInt8) -> Bool {
    b &- UInt8(ascii: "0") < 10
  }

  /// Exact when the mantissa and the power of ten are both exactly representable: one correctly rounded
  /// multiplication or division (Clinger 1990).
  @inline(__always)
  private func clinger(_ mantissa: UInt64, _ exponent: Int) -> Double? {
    guard mantissa <= 1 << 53 else { return nil }
    let m = Double(mantissa)
    if exponent >= 0 && exponent <= 22 {
      return m * exactPowersOfTen[exponent]
    }
    if exponent < 0 && exponent >= -22 {
      return m / exactPowersOfTen[-exponent]
    }
    if exponent > 22 && exponent <= 22 + 15 {
      // 123e30 = 123000000000000e22 when the widened mantissa stays exact.
      let widened = mantissa.multipliedReportingOverflow(
        by: UInt64(exactPowersOfTen[exponent - 22]))
      guard !widened.overflow, widened.partialValue <= 1 << 53 else { return nil }
      return Double(widened.partialValue) * 1e22
    }
    return nil
  }

  private func slowParse(from start: Int, to end: Int) -> Double {
    let length = end - start
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { buffer in
      guard let base = buffer.baseAddress else { return .nan }
      for k in 0..<length { base[k] = CChar(bitPattern: p[start + k]) }
      base[length] = 0
      return strtod(base, nil)
    }
  }
}

private let exactPowersOfTen: [Double] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19,
  1e20, 1e21, 1e22,
]
