/// Writes numbers as JSON text straight into a caller's buffer: shortest round-trip digits, laid out as Python's
/// `repr` lays them out (`0.1`, `27.0`, `1e-05`, `3.4028235e+38`, `1e+16`), NaN and infinities as the strings
/// `"NaN"`, `"Infinity"`, `"-Infinity"` that the API uses because JSON has no such numbers.
enum NumberFormatting {
  /// Bytes a caller must make available at `p` for one number: the longest text (a Double such as
  /// `-1.2345678901234567e-308`, 24 bytes) plus the slack that the float32 path's 16-byte stores may overrun by.
  static let maxLength = 48

  /// float32: the shortest digits (at most 9) are spelled into a scratch block without branches, then placed with
  /// fixed-size copies, so the usual cases (`0.12345678`, `-1.2345678`, `27.0`) take few unpredictable branches.
  /// Writes up to 28 bytes at `p` even when the text is shorter.
  @inline(__always)
  static func write(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
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
    let d = UInt32(truncatingIfNeeded: decimal.digits)
    let count = digitCount(UInt64(d))
    let scientific = count &- 1 &+ decimal.exponent
    // Nine digits, zero-padded, in the first 9 bytes of 32 (the rest keeps the 16-byte reads in bounds).
    var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    return withUnsafeMutableBytes(of: &scratch) { raw -> Int in
      let s = raw.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
      writeNineDigits(d, to: s)
      let digits = UnsafeRawPointer(s + (9 &- count))
      if scientific < 0 && scientific >= -4 {
        // 0.000ddd
        UnsafeMutableRawPointer(out).storeBytes(
          of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)
        let start = out + (1 &- scientific)
        copy16(from: digits, to: start)
        return start + count - p
      }
      if scientific >= 0 && scientific < 16 {
        if decimal.exponent < 0 {
          // ddd.ddd
          let integerDigits = scientific &+ 1
          copy16(from: digits, to: out)
          copy16(from: digits + integerDigits, to: out + integerDigits + 1)
          out[integerDigits] = UInt8(ascii: ".")
          return out + count + 1 - p
        }
        // ddd000.0
        copy16(from: digits, to: out)
        let zeros = UnsafeMutableRawPointer(out + count)
        zeros.storeBytes(of: 0x3030_3030_3030_3030 as UInt64, as: UInt64.self)
        zeros.storeBytes(of: 0x3030_3030_3030_3030 as UInt64, toByteOffset: 8, as: UInt64.self)
        let point = out + count + decimal.exponent
        point[0] = UInt8(ascii: ".")
        point[1] = UInt8(ascii: "0")
        return point + 2 - p
      }
      return write(decimal, negative: false, to: out) + (out - p)
    }
  }

  /// Exactly nine digits of `value` (< 10^9), leading zeros included, two at a time from the pair table.
  @inline(__always)
  private static func writeNineDigits(_ value: UInt32, to p: UnsafeMutablePointer<UInt8>) {
    let pairs = UnsafeRawPointer(digitPairs.utf8Start)
    let high = value / 100_000_000
    let low = value &- high &* 100_000_000
    p[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: high)
    let a = low / 10000
    let b = low &- a &* 10000
    let a1 = a / 100
    let a2 = a &- a1 &* 100
    let b1 = b / 100
    let b2 = b &- b1 &* 100
    let q = UnsafeMutableRawPointer(p + 1)
    q.storeBytes(
      of: pairs.loadUnaligned(fromByteOffset: Int(a1) &* 2, as: UInt16.self), as: UInt16.self)
    q.storeBytes(
      of: pairs.loadUnaligned(fromByteOffset: Int(a2) &* 2, as: UInt16.self), toByteOffset: 2,
      as: UInt16.self)
    q.storeBytes(
      of: pairs.loadUnaligned(fromByteOffset: Int(b1) &* 2, as: UInt16.self), toByteOffset: 4,
      as: UInt16.self)
    q.storeBytes(
      of: pairs.loadUnaligned(fromByteOffset: Int(b2) &* 2, as: UInt16.self), toByteOffset: 6,
      as: UInt16.self)
  }

  @inline(__always)
  private static func copy16(from source: UnsafeRawPointer, to target: UnsafeMutablePointer<UInt8>)
  {
    let t = UnsafeMutableRawPointer(target)
    t.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
    t.storeBytes(
      of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self
    )
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

  private static let digitPairs: StaticString =
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
