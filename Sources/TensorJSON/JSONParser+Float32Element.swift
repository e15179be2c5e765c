extension JSONParser {
  /// How far past a number's first byte `fractionElement` and `commonElement` may read, the byte after the number
  /// included.
  static var commonElementReach: Int { 32 }

  /// The commonest elements of weight and activation tensors, `d.ddd` with one integer digit and 1 to 15 fraction
  /// digits (value below 9.007), either signed, read without a branch on the digit count, the integer digit or the
  /// sign: the fifteen bytes after the point are two words (8 + 7 bytes) whose bytes from the first non-digit on
  /// are cleared, so they hold the fraction padded with zeros to fifteen digits, `mantissa` = d.ddd · 10^15. While
  /// that is at most 2^53 it and 10^15 are exact Doubles and one division gives the nearest Double (Clinger), then
  /// rounded to float32 as the general reader's `Float(parseNumber())` (rounding is symmetric, so the sign goes on
  /// afterwards).
  ///
  /// Returns the value and the position after the last digit, or end 0 when the form differs. The caller must
  /// still see that the number ends there (`endsFraction`): an exponent may follow. Reads at most
  /// `commonElementReach` bytes from `start`.
  @inline(__always)
  static func fractionElement(_ p: UnsafePointer<UInt8>, at start: Int) -> (value: Float, end: Int)
  {
    let minus = UInt32(truncatingIfNeeded: (p[start] &- UInt8(ascii: "-")) == 0 ? 1 : 0)
    let k = start &+ Int(minus)
    let first = loadEight(p, at: k &+ 2)
    let second = loadEight(p, at: k &+ 10)
    let firstStops = nonDigits(first)
    let secondStops = nonDigits(second)
    // All ones when the first word is all digits (then the second one counts), else zero: firstStops holds only
    // bytes' high bits, so bit 63 survives `(x - 1) & ~x` only for x = 0.
    let secondCounts = 0 &- (((firstStops &- 1) & ~firstStops) >> 63)
    // The bytes below the first stop: `x ^ (x - 1)` sets the bits through the stop's high bit; one byte less.
    let firstKeep = ((firstStops ^ (firstStops &- 1)) >> 8) | secondCounts
    let secondKeep = ((secondStops ^ (secondStops &- 1)) >> 8) & secondCounts
    let digits =
      (firstStops.trailingZeroBitCount
        &+ (secondStops.trailingZeroBitCount & Int(truncatingIfNeeded: secondCounts))) >> 3
    // The second word's first seven bytes, moved up one byte: its value is theirs as a 7-digit number.
    let fraction =
      UInt64(eightDigitsValue((first &- 0x3030_3030_3030_3030) & firstKeep)) &* 10_000_000
      &+ UInt64(eightDigitsValue(((second &- 0x3030_3030_3030_3030) & secondKeep) << 8))
    // A digit and '.' ("0." is 0x2E30 little-endian): one comparison for both bytes.
    let lead = UInt64(UnsafeRawPointer(p + k).loadUnaligned(as: UInt16.self).littleEndian &- 0x2E30)
    let mantissa = lead &* 1_000_000_000_000_000 &+ fraction
    // 1...15 fraction digits (a sixteenth would be cut off).
    guard lead < 10, UInt(bitPattern: digits &- 1) < 15, mantissa <= 1 << 53 else { return (0, 0) }
    let magnitude = Float(Double(mantissa) / 1e15)
    return (Float(bitPattern: magnitude.bitPattern | minus << 31), k &+ 2 &+ digits)
  }

  /// Whether a number read by `fractionElement` ends before this byte (no exponent, no sixteenth digit follows).
  @inline(__always)
  static func endsFraction(_ next: UInt8) -> Bool {
    next | 0x20 != UInt8(ascii: "e") && next &- UInt8(ascii: "0") >= 10
  }

  /// The usual tensor element, read to float32 in one pass without a loop per digit: `-?d{1,7}(.d{1,15})?`
  /// with at most 15 digits in all (so the integer below 10^15 < 2^53 is exact as a Double), optionally followed by
  /// an exponent of one or two digits (`1.2e-05`). The result is the nearest Double (one exact division or
  /// multiplication by an exact power of ten, Clinger; Eisel–Lemire past 10^±22) rounded to float32, as the general
  /// reader's `Float(parseNumber())`. Nil for anything else (whitespace, leading zeros, longer mantissas or
  /// exponents, malformed text), which the checked readers then read or refuse; `end` is the position after the
  /// number. Reads at most `commonElementReach` bytes from `start`: the caller ensures they are inside the input.
  @inline(__always)
  static func commonElement(_ p: UnsafePointer<UInt8>, at start: Int, end: inout Int) -> Float? {
    // Positions below are at most `commonElementReach` past `start`, which the caller keeps below `count`: the
    // wrapping additions cannot wrap.
    let negative = p[start] == UInt8(ascii: "-")
    let s = start &+ (negative ? 1 : 0)
    let integerChunk = loadEight(p, at: s)
    let integerDigits = leadingDigits(integerChunk)
    // 1...7 digits and no leading zero ("01").
    guard UInt(bitPattern: integerDigits &- 1) < 7,
      integerDigits == 1 || integerChunk & 0xFF != UInt64(UInt8(ascii: "0"))
    else { return nil }
    var mantissa = UInt64(digitsValue(integerChunk, count: integerDigits))
    var k = s &+ integerDigits
    var fractionDigits = 0
    if p[k] == UInt8(ascii: ".") {
      guard let digits = appendFraction(p, at: k &+ 1, to: &mantissa) else { return nil }
      fractionDigits = digits
      k = k &+ 1 &+ digits
    }
    guard integerDigits &+ fractionDigits <= 15 else { return nil }
    if p[k] | 0x20 != UInt8(ascii: "e") {
      end = k
      let magnitude = Double(mantissa) / exactPowerOfTen(fractionDigits)
      return Float(negative ? -magnitude : magnitude)
    }
    // The exponent form: one or two digits after an optional sign.
    k = k &+ 1
    let exponentNegative = p[k] == UInt8(ascii: "-")
    if exponentNegative || p[k] == UInt8(ascii: "+") { k = k &+ 1 }
    let tens = p[k] &- UInt8(ascii: "0")
    let units = p[k &+ 1] &- UInt8(ascii: "0")
    guard tens < 10 else { return nil }
    var explicit = Int(tens)
    if units < 10 {
      guard p[k &+ 2] &- UInt8(ascii: "0") >= 10 else { return nil }
      explicit = explicit &* 10 &+ Int(units)
      k = k &+ 2
    } else {
      k = k &+ 1
    }
    let exponent = (exponentNegative ? -explicit : explicit) &- fractionDigits
    var magnitude: Double
    if mantissa == 0 {
      magnitude = 0
    } else if exponent < 0 && exponent >= -22 {
      magnitude = Double(mantissa) / exactPowerOfTen(-exponent)
    } else if exponent >= 0 && exponent <= 22 {
      magnitude = Double(mantissa) * exactPowerOfTen(exponent)
    } else if let exact = eiselLemire(mantissa, exponent) {
      magnitude = exact
    } else {
      return nil
    }
    end = k
    return Float(negative ? -magnitude : magnitude)
  }

  /// The checked reader of the usual forms near the end of the input (`-0.012345678`, `1.5`, `3`: up to 7 integer
  /// digits, up to 15 fraction digits, no exponent), correctly rounded to Double with eight digits per step; nil
  /// (position unchanged) for anything else, which `parseNumber` then reads or refuses.
  @inline(__always)
  static func shortNumber(_ p: UnsafePointer<UInt8>, _ count: Int, at position: inout Int)
    -> Double?
  {
    var j = position
    let negative = p[j] == UInt8(ascii: "-")
    if negative { j += 1 }
    guard count - j >= 8 else { return nil }
    let integerChunk = loadEight(p, at: j)
    let integerDigits = leadingDigits(integerChunk)
    // No digit, too many, or a leading zero ("01"): the general reader decides.
    guard integerDigits > 0 && integerDigits < 8,
      integerDigits == 1 || integerChunk & 0xFF != UInt64(UInt8(ascii: "0"))
    else { return nil }
    var mantissa = UInt64(digitsValue(integerChunk, count: integerDigits))
    j += integerDigits
    var fractionDigits = 0
    if p[j] == UInt8(ascii: ".") {
      j += 1
      guard count - j >= 16, let digits = appendFraction(p, at: j, to: &mantissa) else {
        return nil
      }
      fractionDigits = digits
      j += digits
      // At most 7 + 15 digits: beyond 19 the mantissa could have wrapped.
      guard integerDigits + fractionDigits <= 19 else { return nil }
    }
    guard j < count, p[j] | 0x20 != UInt8(ascii: "e") else { return nil }
    var value: Double
    if mantissa == 0 {
      value = 0
    } else if mantissa <= 1 << 53 {
      // Both exact, so the quotient is correctly rounded (Clinger).
      value = Double(mantissa) / exactPowerOfTen(fractionDigits)
    } else if let exact = eiselLemire(mantissa, -fractionDigits) {
      value = exact
    } else {
      return nil
    }
    if negative { value = -value }
    position = j
    return value
  }

  /// The high bit of each byte of `chunk` that is not an ASCII digit (a byte below '0' borrows, above '9'
  /// carries); only the lowest is reliable, as the borrow or carry can disturb the bytes after it.
  @inline(__always)
  static func nonDigits(_ chunk: UInt64) -> UInt64 {
    ((chunk &+ 0x4646_4646_4646_4646) | (chunk &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
  }

  /// The value of eight digit values (0...9, first in the lowest byte) in three multiplications.
  @inline(__always)
  static func eightDigitsValue(_ digits: UInt64) -> UInt32 {
    let v = (digits &* 10) &+ (digits >> 8)
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    let low = (v & mask) &* 0x000F_4240_0000_0064  // 100 + (1_000_000 << 32)
    let high = ((v >> 16) & mask) &* 0x0000_2710_0000_0001  // 1 + (10_000 << 32)
    return UInt32(truncatingIfNeeded: (low &+ high) >> 32)
  }

  /// Appends the 1 to 15 fraction digits at `position` to `mantissa` (one eight-byte load, a second when the first
  /// holds eight digits) and returns how many there were; nil for none or more than 15. Reads 16 bytes from
  /// `position`: the caller keeps them inside the input.
  @inline(__always)
  private static func appendFraction(
    _ p: UnsafePointer<UInt8>, at position: Int, to mantissa: inout UInt64
  ) -> Int? {
    let first = loadEight(p, at: position)
    let firstDigits = leadingDigits(first)
    guard firstDigits > 0 else { return nil }
    mantissa =
      mantissa &* powerOfTenTable(firstDigits) &+ UInt64(digitsValue(first, count: firstDigits))
    guard firstDigits == 8 else { return firstDigits }
    let second = loadEight(p, at: position &+ 8)
    let secondDigits = leadingDigits(second)
    guard secondDigits < 8 else { return nil }
    if secondDigits > 0 {
      mantissa =
        mantissa &* powerOfTenTable(secondDigits)
        &+ UInt64(digitsValue(second, count: secondDigits))
    }
    return 8 &+ secondDigits
  }

  @inline(__always)
  private static func loadEight(_ p: UnsafePointer<UInt8>, at offset: Int) -> UInt64 {
    UnsafeRawPointer(p + offset).loadUnaligned(as: UInt64.self).littleEndian
  }

  /// How many of the eight bytes (first in the lowest) are ASCII digits before the first that is not: a byte
  /// below '0' borrows or above '9' carries into its high bit; what that does to the bytes after it is ignored.
  @inline(__always)
  private static func leadingDigits(_ chunk: UInt64) -> Int {
    let nonDigits =
      ((chunk &+ 0x4646_4646_4646_4646) | (chunk &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080
    return nonDigits.trailingZeroBitCount >> 3
  }

  /// The value of the first `count` (1...8) ASCII digits of `chunk`: shifted to the top, the bytes below are
  /// leading zeros; a borrow from the bytes after them is shifted out.
  @inline(__always)
  private static func digitsValue(_ chunk: UInt64, count: Int) -> UInt32 {
    var v = (chunk &- 0x3030_3030_3030_3030) &<< UInt64(truncatingIfNeeded: (8 &- count) &* 8)
    v = (v &* 10) &+ (v >> 8)
    let mask: UInt64 = 0x0000_00FF_0000_00FF
    let low = (v & mask) &* 0x000F_4240_0000_0064  // 100 + (1_000_000 << 32)
    let high = ((v >> 16) & mask) &* 0x0000_2710_0000_0001  // 1 + (10_000 << 32)
    return UInt32(truncatingIfNeeded: (low &+ high) >> 32)
  }
}

@inline(__always)
private func powerOfTenTable(_ n: Int) -> UInt64 {
  integerPowersOfTen[n]
}

@inline(__always)
private func exactPowerOfTen(_ n: Int) -> Double {
  doublePowersOfTen[n]
}

/// 10^0 ... 10^8.
private let integerPowersOfTen: [UInt64] = [
  1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000,
]

/// 10^0 ... 10^22, each exact in a Double.
private let doublePowersOfTen: [Double] = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22,
]
