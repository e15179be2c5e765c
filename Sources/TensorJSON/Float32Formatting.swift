extension ShortestDecimal {
  /// Schubfach's answer for a finite, nonzero float32 before its trailing zeros are removed: `digits × 10^exponent`
  /// with `digits` in 1..<10^9, possibly ending in zeros (the one-digit-shorter candidate comes back times ten).
  /// Trimming is left to the writer, which finds the zeros in the digits' ASCII bytes with one bit scan instead of
  /// a division per zero.
  @inline(__always)
  static func float32Untrimmed(_ value: Float) -> (digits: UInt32, exponent: Int) {
    let bits = value.bitPattern
    let fraction = bits & 0x7F_FFFF
    let biasedExponent = Int(truncatingIfNeeded: (bits &>> 23) & 0xFF)
    var c: UInt32
    var q: Int
    if biasedExponent != 0 {
      c = fraction | 0x80_0000
      q = biasedExponent &- 150
      // Small integers: exact (as in `init(_: Float)`).
      let shift = UInt32(truncatingIfNeeded: 0 &- q)
      let inRange = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(shift), 23))
      let mask = ((1 &<< shift) &- 1) | (inRange &- 1)
      if c & mask == 0 {
        return (c &>> shift, 0)
      }
    } else {
      c = fraction
      q = -149
    }
    let lowerIsCloser = fraction == 0 && biasedExponent > 1
    let cbl = 4 &* c &- 2 &+ (lowerIsCloser ? 1 : 0)
    let cb = 4 &* c
    let cbr = 4 &* c &+ 2
    let k = floorLog10Pow2(q, threeQuarters: lowerIsCloser)
    // 0...3 for every float32 (a masking shift: no overshift check).
    let h = UInt32(truncatingIfNeeded: q &+ floorLog2Pow10(0 &- k) &+ 1)
    let g = float32Pow10[(0 &- k) &- float32Pow10Min]
    let vbl = roundToOdd32(g, cbl &<< h)
    let vb = UInt64(roundToOdd32(g, cb &<< h))
    let vbr = roundToOdd32(g, cbr &<< h)
    let lower = UInt64(vbl &+ (c & 1))
    let upper = UInt64(vbr &- (c & 1))
    // As `choose`, but the shorter candidate is returned times ten, with the same exponent as the longer one.
    let (longer, shorter, useShorter) = candidates(vb: vb, lower: lower, upper: upper)
    let digits = longer &+ (shorter &* 10 &- longer) &* useShorter
    return (UInt32(truncatingIfNeeded: digits), k)
  }
}

extension NumberFormatting {
  /// float32 as Python's `repr` lays out its shortest digits: `0.12345678`, `-1.2345678`, `27.0`, `1.8279192e-05`,
  /// `3.4028235e+38`: the digits by Dragonbox (`Float32Dragonbox.swift`), normalised to nine, placed by `place`.
  /// Writes up to 28 bytes at `p` even when the text is shorter.
  @inline(__always)
  static func write(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    guard let (nine, exponent) = ShortestDecimal.float32NineQuick(value) else {
      // A tail call: the common path keeps no registers across a call.
      return writeRare(value, to: p)
    }
    let bits = value.bitPattern
    p.pointee = UInt8(ascii: "-")
    return place(UInt64(nine), exponent, to: p, out: p + Int(truncatingIfNeeded: bits &>> 31))
  }

  /// Everything `float32NineQuick` leaves out.
  @inline(never)
  private static func writeRare(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let bits = value.bitPattern
    let magnitude = bits & 0x7FFF_FFFF
    if magnitude == 0 || magnitude >= 0x7F80_0000 {
      return writeZeroOrNonFinite(value, to: p)
    }
    let (nine, exponent) = ShortestDecimal.float32Nine(value)
    p.pointee = UInt8(ascii: "-")
    return place(UInt64(nine), exponent, to: p, out: p + Int(truncatingIfNeeded: bits &>> 31))
  }

  /// `nine × 10^exponent` (nine in 10^8..<10^9) at `out`, in Python's layout; the length from `p` (where the sign
  /// is). The digits come as exactly nine (the first apart, the other eight as ASCII bytes in one word), so the point's
  /// place is known before they are spelled and only their trailing zeros need a bit scan; every layout is placed
  /// with fixed-size stores (no per-digit loop, no division per trailing zero). Values below 1 take one branch-free
  /// path for both `0.000ddd` and `d.ddde-XX`, which alternate unpredictably in gradients.
  @inline(__always)
  private static func place(
    _ nine: UInt64, _ exponent: Int, to p: UnsafeMutablePointer<UInt8>,
    out: UnsafeMutablePointer<UInt8>
  ) -> Int {
    let first = UInt32(truncatingIfNeeded: nine / 100_000_000)
    let digits = eightDigits(UInt32(truncatingIfNeeded: nine) &- first &* 100_000_000)
    let eight = digits | 0x3030_3030_3030_3030
    let firstByte = UInt8(truncatingIfNeeded: first) | 0x30
    // Bytes of `digits` up to its last nonzero one (the last digit is the top byte). `<< 1 | 1` keeps the bit scan
    // off zero, so it needs no zero check.
    let used = (63 &- (digits &<< 1 | 1).leadingZeroBitCount &+ 7) &>> 3
    let significant = used &+ 1
    let scientific = exponent &+ 8
    let raw = UnsafeMutableRawPointer(out)
    if scientific < 0 {
      // 0.000ddd (scientific -4...-1) or d.ddde-XX in masks, not branches: "0.000000" first, whose "0." the
      // exponent form keeps as "d."; the exponent suffix is stored either way (past the text in the fixed form).
      let exponentMask = (scientific &+ 4) &>> 63  // all ones for the exponent form
      let start = (1 &- scientific) & ~exponentMask
      raw.storeBytes(of: (0x3030_3030_3030_2E30 as UInt64).littleEndian, as: UInt64.self)
      out[start] = firstByte
      raw.storeBytes(
        of: eight.littleEndian, toByteOffset: start &+ 1 &- exponentMask, as: UInt64.self)
      // The exponent form has a point after its first digit unless that is the only one ("1e-05").
      let point = used != 0 ? 1 : 0
      let end = start &+ significant &+ (point & exponentMask)
      raw.storeBytes(of: exponentSuffix(scientific), toByteOffset: end, as: UInt32.self)
      return out + end + (exponentMask & 4) - p
    }
    out[0] = firstByte
    if scientific < 16 {
      raw.storeBytes(of: eight.littleEndian, toByteOffset: 1, as: UInt64.self)
      if used <= scientific {
        // ddd000.0: the digits' own trailing zeros are '0' bytes too.
        raw.storeBytes(
          of: (0x3030_3030_3030_3030 as UInt64).littleEndian, toByteOffset: 9, as: UInt64.self)
        raw.storeBytes(
          of: (0x302E as UInt16).littleEndian, toByteOffset: scientific &+ 1, as: UInt16.self)
        return out + scientific + 3 - p
      }
      // ddd.ddd: at most 8 integer digits here, so the fraction's digits are all within `eight`.
      out[scientific &+ 1] = UInt8(ascii: ".")
      raw.storeBytes(
        of: (eight &>> UInt64(truncatingIfNeeded: scientific &* 8)).littleEndian,
        toByteOffset: scientific &+ 2, as: UInt64.self)
      return out + significant + 1 - p
    }
    // d.ddde+XX
    out[1] = UInt8(ascii: ".")
    raw.storeBytes(of: eight.littleEndian, toByteOffset: 2, as: UInt64.self)
    let end = used != 0 ? significant &+ 1 : 1
    raw.storeBytes(of: exponentSuffix(scientific), toByteOffset: end, as: UInt32.self)
    return out + end + 4 - p
  }

  /// The eight decimal digits of `value` (< 10^8) as byte values 0...9, leading zeros included, the first in the low
  /// byte.
  /// In SIMD-within-a-register steps (Xiang JunBo's, as Żmij has them): the quotient and remainder by 10^4 in the two
  /// halves of one word, then by 100 in each half, then by 10 in each quarter, each by a multiply and a shift.
  @inline(__always)
  static func eightDigits(_ value: UInt32) -> UInt64 {
    let x = UInt64(value)
    let halves = x &+ (0x1_0000_0000 &- 10000) &* ((x &* 0x68D_B8BB) &>> 40)
    let quarters = halves &+ (0x1_0000 &- 100) &* (((halves &* 0x147B) &>> 19) & 0x7F_0000_007F)
    let bytes = quarters &+ (0x100 &- 10) &* (((quarters &* 0x67) &>> 10) & 0xF_000F_000F_000F)
    return bytes.byteSwapped
  }

  /// "e-05", "e+38" as four bytes to store, for `scientific` in -99...99 (float32 needs -45...38).
  @inline(__always)
  static func exponentSuffix(_ scientific: Int) -> UInt32 {
    UnsafeRawPointer(exponentSuffixes.utf8Start).loadUnaligned(
      fromByteOffset: (scientific &+ 99) &* 4, as: UInt32.self)
  }

  static let exponentSuffixes: StaticString =
    "e-99e-98e-97e-96e-95e-94e-93e-92e-91e-90e-89e-88e-87e-86e-85e-84e-83e-82e-81e-80e-79e-78e-77e-76e-75e-74e-73e-72e-71e-70e-69e-68e-67e-66e-65e-64e-63e-62e-61e-60e-59e-58e-57e-56e-55e-54e-53e-52e-51e-50e-49e-48e-47e-46e-45e-44e-43e-42e-41e-40e-39e-38e-37e-36e-35e-34e-33e-32e-31e-30e-29e-28e-27e-26e-25e-24e-23e-22e-21e-20e-19e-18e-17e-16e-15e-14e-13e-12e-11e-10e-09e-08e-07e-06e-05e-04e-03e-02e-01e+00e+01e+02e+03e+04e+05e+06e+07e+08e+09e+10e+11e+12e+13e+14e+15e+16e+17e+18e+19e+20e+21e+22e+23e+24e+25e+26e+27e+28e+29e+30e+31e+32e+33e+34e+35e+36e+37e+38e+39e+40e+41e+42e+43e+44e+45e+46e+47e+48e+49e+50e+51e+52e+53e+54e+55e+56e+57e+58e+59e+60e+61e+62e+63e+64e+65e+66e+67e+68e+69e+70e+71e+72e+73e+74e+75e+76e+77e+78e+79e+80e+81e+82e+83e+84e+85e+86e+87e+88e+89e+90e+91e+92e+93e+94e+95e+96e+97e+98e+99"

  private static func writeZeroOrNonFinite(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int
  {
    if value == 0 {
      let negative = value.sign == .minus
      p.pointee = UInt8(ascii: "-")
      let out = negative ? p + 1 : p
      out[0] = UInt8(ascii: "0")
      out[1] = UInt8(ascii: ".")
      out[2] = UInt8(ascii: "0")
      return out + 3 - p
    }
    return writeNonFinite(isNaN: value.isNaN, negative: value < 0, to: p)
  }
}

extension JSONWriter {
  /// One float32's text at `p` (which must have `NumberFormatting.maxLength` bytes): its length. For checking the
  /// writer against `writeFloat32Reference` over all bit patterns in a tool outside the tests.
  package static func writeFloat32(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    NumberFormatting.write(value, to: p)
  }

  /// The same text by the float32 writer this one replaced.
  package static func writeFloat32Reference(_ value: Float, to p: UnsafeMutablePointer<UInt8>)
    -> Int
  {
    NumberFormatting.writeReference(value, to: p)
  }
}
