/// Writes numbers as JSON text straight into a caller's buffer: shortest round-trip digits, laid out as Python's
/// `repr` lays them out (`0.1`, `27.0`, `1e-05`, `3.4028235e+38`, `1e+16`), NaN and infinities as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"` that the API uses because JSON has no such numbers.
enum NumberFormatting {
  /// Bytes a caller must make available at `p` for one number: the longest text (a Double such as
  /// `-1.2345678901234567e-308`, 24 bytes) plus the slack that the float32 path's 16-byte stores may overrun by.
  static let maxLength = 48

  /// The float32 writer that `write(_: Float, to:)` replaced, kept as the reference it is checked against
  /// (`TensorJSONBench --verify-float32-exhaustive`, sampled tests): trimmed Schubfach digits, then placed with
  /// fixed-size stores, the exponent form digit by digit. Writes up to 28 bytes at `p`.
  package static func writeReference(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    if !value.isFinite {
      return writeNonFinite(isNaN: value.isNaN, negative: value < 0, to: p)
    }
    let negative = value.sign == .minus
    p.pointee = UInt8(ascii: "-")
    let out = negative ? p + 1 : p
    let decimal = ShortestDecimal(value)
    if decimal.digits == 0 {
      out[0] = UInt8(ascii: "0")
      out[1] = UInt8(ascii: ".")
      out[2] = UInt8(ascii: "0")
      return out + 3 - p
    }
    let count = digitCount(decimal.digits)
    let scientific = count &- 1 &+ decimal.exponent
    // The digits as bytes 0..<count of a 16-byte little-endian block.
    let digits = shiftedRight(
      nineDigits(UInt32(truncatingIfNeeded: decimal.digits)), bytes: 9 &- count)
    if scientific < 0 && scientific >= -4 {
      // 0.000ddd
      UnsafeMutableRawPointer(out).storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)
      let start = out + (1 &- scientific)
      store16(digits, at: start)
      return start + count - p
    }
    if scientific >= 0 && scientific < 16 {
      if decimal.exponent < 0 {
        // ddd.ddd
        let integerDigits = scientific &+ 1
        store16(digits, at: out)
        store16(shiftedRight(digits, bytes: integerDigits), at: out + integerDigits + 1)
        out[integerDigits] = UInt8(ascii: ".")
        return out + count + 1 - p
      }
      // ddd000.0
      store16(digits, at: out)
      store16((0x3030_3030_3030_3030, 0x3030_3030_3030_3030), at: out + count)
      let point = out + count + decimal.exponent
      point[0] = UInt8(ascii: ".")
      point[1] = UInt8(ascii: "0")
      return point + 2 - p
    }
    return write(decimal, negative: false, to: out) + (out - p)
  }

  /// Exactly nine ASCII digits of `value` (< 10^9), leading zeros included, as bytes 0...8 of (low, high).
  @inline(__always)
  static func nineDigits(_ value: UInt32) -> (UInt64, UInt64) {
    let pairs = UnsafeRawPointer(digitPairs.utf8Start)
    @inline(__always) func pair(_ n: UInt32) -> UInt64 {
      UInt64(pairs.loadUnaligned(fromByteOffset: Int(n) &* 2, as: UInt16.self))
    }
    let high = value / 100_000_000
    let low = value &- high &* 100_000_000
    let a = low / 10000
    let b = low &- a &* 10000
    let a1 = a / 100
    let b1 = b / 100
    let eight = pair(a1) | pair(a &- a1 &* 100) << 16 | pair(b1) << 32 | pair(b &- b1 &* 100) << 48
    return (UInt64(0x30 &+ high) | eight << 8, eight >> 56)
  }

  /// A 16-byte little-endian block moved down by `bytes` (0...9) bytes. Masking shifts and masks only: Swift's
  /// smart shifts would branch on the shift amount, which varies from number to number.
  @inline(__always)
  static func shiftedRight(_ block: (UInt64, UInt64), bytes: Int) -> (UInt64, UInt64) {
    let bits = UInt64(truncatingIfNeeded: bytes &* 8)
    let b = bits & 63
    let wholeWord = 0 &- (bits >> 6)  // all ones when moving by 64 bits or more
    // (high << 1) << (63 - b) is high << (64 - b), and 0 when b == 0.
    let lowWithinWord = (block.0 &>> b) | ((block.1 &<< 1) &<< (63 &- b))
    let highMoved = block.1 &>> b
    return ((lowWithinWord & ~wholeWord) | (highMoved & wholeWord), highMoved & ~wholeWord)
  }

  @inline(__always)
  static func store16(_ block: (UInt64, UInt64), at target: UnsafeMutablePointer<UInt8>) {
    let t = UnsafeMutableRawPointer(target)
    t.storeBytes(of: block.0.littleEndian, as: UInt64.self)
    t.storeBytes(of: block.1.littleEndian, toByteOffset: 8, as: UInt64.self)
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

  static func writeNonFinite(isNaN: Bool, negative: Bool, to p: UnsafeMutablePointer<UInt8>)
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

  /// Number of decimal digits of a value (1 for 0): the bit length gives it to within one.
  @inline(__always)
  static func digitCount(_ value: UInt64) -> Int {
    // `value | 1` makes 0 count as one digit and changes nothing else (10^n - 1 is odd).
    let v = value | 1
    let bitLength = 64 - v.leadingZeroBitCount
    let guess = (bitLength &* 1233) >> 12
    return guess &+ (v >= powerOfTen(guess) ? 1 : 0)
  }

  @inline(__always)
  private static func powerOfTen(_ n: Int) -> UInt64 {
    powersOfTen[n]
  }

  @inline(__always)
  static func writeDigits(_ value: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let count = digitCount(value)
    return writeDigits(value, to: p, count: count)
  }

  /// Writes exactly `count` digits, back to front, two at a time (32-bit arithmetic once the value fits).
  @inline(__always)
  static func writeDigits(_ value: UInt64, to p: UnsafeMutablePointer<UInt8>, count: Int) -> Int {
    let pairs = digitPairs.utf8Start
    var v = value
    var i = count
    while v >= 1 << 32 {
      let pair = Int(v % 100)
      v /= 100
      i &-= 2
      p[i] = pairs[2 &* pair]
      p[i &+ 1] = pairs[2 &* pair &+ 1]
    }
    var w = UInt32(truncatingIfNeeded: v)
    while w >= 100 {
      let pair = Int(w % 100)
      w /= 100
      i &-= 2
      p[i] = pairs[2 &* pair]
      p[i &+ 1] = pairs[2 &* pair &+ 1]
    }
    if w >= 10 {
      let pair = Int(w)
      p[i &- 2] = pairs[2 &* pair]
      p[i &- 1] = pairs[2 &* pair &+ 1]
    } else {
      p[i &- 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: w)
    }
    return count
  }

  static let digitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
}

/// 10^0 ... 10^19, a literal so that it is statically initialised (no lazy-initialisation check per access).
private let powersOfTen: [UInt64] = [
  1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
  10_000_000_000,
  100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
  1_000_000_000_000_000,
  10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
  10_000_000_000_000_000_000,
]
