/// Writes numbers as JSON text straight into a caller's buffer: shortest round-trip digits, laid out as Python's
/// `repr` lays them out (`0.1`, `27.0`, `1e-05`, `3.4028235e+38`, `1e+16`), NaN and infinities as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"` that the API uses because JSON has no such numbers.
enum NumberFormatting {
  /// Enough for any Float, Double or Int64 in the forms written here (the longest is a Double such as
  /// `-0.00012345678901234567`, 23 bytes).
  static let maxLength = 32

  @inline(__always)
  static func write(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    if !value.isFinite {
      return writeNonFinite(isNaN: value.isNaN, negative: value < 0, to: p)
    }
    return write(ShortestDecimal(value), negative: value.sign == .minus, to: p)
  }

  @inline(__always)
  static func write(_ value: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
    if !value.isFinite {
      return writeNonFinite(isNaN: value.isNaN, negative: value < 0, to: p)
    }
    return write(ShortestDecimal(value), negative: value.sign == .minus, to: p)
  }

  static func write(_ value: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    var n = 0
    if value < 0 {
      p[0] = UInt8(ascii: "-")
      n = 1
    }
    return n + writeDigits(value.magnitude, to: p + n)
  }

  private static func writeNonFinite(isNaN: Bool, negative: Bool, to p: UnsafeMutablePointer<UInt8>)
    -> Int
  {
    let text: StaticString = isNaN ? "\"NaN\"" : (negative ? "\"-Infinity\"" : "\"Infinity\"")
    p.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
    return text.utf8CodeUnitCount
  }

  @inline(__always)
  private static func write(
    _ decimal: ShortestDecimal, negative: Bool, to start: UnsafeMutablePointer<UInt8>
  ) -> Int {
    var p = start
    if negative {
      p.pointee = UInt8(ascii: "-")
      p += 1
    }
    if decimal.digits == 0 {
      p[0] = UInt8(ascii: "0")
      p[1] = UInt8(ascii: ".")
      p[2] = UInt8(ascii: "0")
      return p + 3 - start
    }
    let count = digitCount(decimal.digits)
    let scientific = count - 1 + decimal.exponent
    if scientific >= 16 || scientific < -4 {
      // d.ddde±XX: write the digits one place to the right, then pull the first one in front of the point.
      _ = writeDigits(decimal.digits, to: p + 1, count: count)
      p[0] = p[1]
      if count > 1 {
        p[1] = UInt8(ascii: ".")
        p += count + 1
      } else {
        p += 1
      }
      p[0] = UInt8(ascii: "e")
      p[1] = scientific < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
      p += 2
      let magnitude = scientific.magnitude
      if magnitude < 10 {
        p[0] = UInt8(ascii: "0")
        p += 1
      }
      p += writeDigits(UInt64(magnitude), to: p)
      return p - start
    }
    if decimal.exponent >= 0 {
      // Integral: digits, zeros, ".0".
      p += writeDigits(decimal.digits, to: p, count: count)
      for _ in 0..<decimal.exponent {
        p.pointee = UInt8(ascii: "0")
        p += 1
      }
      p[0] = UInt8(ascii: ".")
      p[1] = UInt8(ascii: "0")
      return p + 2 - start
    }
    if scientific >= 0 {
      // ddd.ddd: write all digits shifted by one, then move the integer part left over the gap.
      let integerDigits = scientific + 1
      _ = writeDigits(decimal.digits, to: p + 1, count: count)
      for i in 0..<integerDigits {
        p[i] = p[i + 1]
      }
      p[integerDigits] = UInt8(ascii: ".")
      return p + count + 1 - start
    }
    // 0.000ddd
    p[0] = UInt8(ascii: "0")
    p[1] = UInt8(ascii: ".")
    p += 2
    for _ in 0..<(-scientific - 1) {
      p.pointee = UInt8(ascii: "0")
      p += 1
    }
    p += writeDigits(decimal.digits, to: p, count: count)
    return p - start
  }

  @inline(__always)
  static func digitCount(_ value: UInt64) -> Int {
    var n = 1
    var v = value
    while v >= 10_000 {
      v /= 10_000
      n += 4
    }
    while v >= 10 {
      v /= 10
      n += 1
    }
    return n
  }

  @inline(__always)
  static func writeDigits(_ value: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let count = digitCount(value)
    return writeDigits(value, to: p, count: count)
  }

  /// Writes exactly `count` digits, back to front, two at a time.
  @inline(__always)
  static func writeDigits(_ value: UInt64, to p: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
    var v = value
    var i = count
    while v >= 100 {
      let pair = Int(v % 100)
      v /= 100
      i -= 2
      p[i] = digitPairs[2 * pair]
      p[i + 1] = digitPairs[2 * pair + 1]
    }
    if v >= 10 {
      let pair = Int(v)
      p[i - 2] = digitPairs[2 * pair]
      p[i - 1] = digitPairs[2 * pair + 1]
    } else {
      p[i - 1] = UInt8(ascii: "0") + UInt8(v)
    }
    return count
  }

  private static let digitPairs: [UInt8] = Array(
    (0..<100).flatMap { n in [UInt8(ascii: "0") + UInt8(n / 10), UInt8(ascii: "0") + UInt8(n % 10)]
    })
}
