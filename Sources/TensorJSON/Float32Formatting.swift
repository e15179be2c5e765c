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

extension ShortestDecimal {
  /// The same answer as `float32Untrimmed` (shortest, then closest, ties to even; possibly with trailing zeros), by
  /// Junekey Jeon's Dragonbox for float32: one 64 x 32-bit multiplication and a division by 100 settle almost every
  /// value, where Schubfach needs three multiplications and a candidate selection. `digits` is in 1..<10^9.
  @inline(__always)
  static func float32Dragonbox(_ value: Float) -> (digits: UInt32, exponent: Int) {
    let bits = value.bitPattern
    let fraction = bits & 0x7F_FFFF
    let biasedExponent = (bits &>> 23) & 0xFF
    let isSubnormal: UInt32 = biasedExponent == 0 ? 1 : 0
    let c = fraction | (isSubnormal ^ 1) &<< 23
    // Subnormals share the smallest normal exponent.
    let e = Int(truncatingIfNeeded: biasedExponent &+ isSubnormal) &- 150
    let minusK = floorLog10Pow2(e, threeQuarters: false) &- 1
    let cache = float32Cache[(0 &- minusK) &- float32CacheMin]
    // 3...6 for every float32.
    let beta = e &+ floorLog2Pow10(0 &- minusK)
    // The rounding interval's width at this scale: 10 <= deltai < 100.
    let deltai = UInt32(truncatingIfNeeded: cache &>> UInt64(truncatingIfNeeded: 63 &- beta))
    // The interval's upper end at this scale (its integer part).
    let z = cache.multipliedFullWidth(
      by: UInt64((c &<< 1 | 1) &<< UInt32(truncatingIfNeeded: beta)))
    let zi = UInt32(truncatingIfNeeded: z.high)
    // zi < 2^32, so s < 4.3 · 10^7 and s · 10 + 10 < 10^9.
    let s = zi / 100
    let r = zi &- 100 &* s
    // The common cases without a branch (which one applies is data-dependent, and a branch on it mispredicts):
    // r < deltai, the shorter s; else one digit more, the candidate closest to the middle of the interval.
    let shorter = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(r) &+ 1, UInt64(deltai)))
    let product = (r &- deltai / 2 &+ 5) &* 6554
    let divisible = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(product & 0xFFFF) &+ 1, 6554))
    // One branch for everything else: powers of two (their lower neighbour is closer), r == deltai (the left
    // endpoint decides), r == 0 (the right endpoint may be excluded) and a distance that is a multiple of 10 (a tie
    // or near tie between two candidates).
    let rare =
      (fraction == 0 ? 1 : 0) | (r == deltai ? 1 : 0) | (r == 0 ? 1 : 0)
      | (divisible & (shorter ^ 1))
    if rare != 0 {
      return float32DragonboxRare(value)
    }
    let digits = s &* 10 &+ ((product &>> 16) & (shorter &- 1))
    return (digits, minusK &+ 1)
  }

  /// `float32Dragonbox` for the cases its common path leaves out: Dragonbox's steps in full, with Schubfach for
  /// powers of two.
  @inline(never)
  static func float32DragonboxRare(_ value: Float) -> (digits: UInt32, exponent: Int) {
    let bits = value.bitPattern
    let fraction = bits & 0x7F_FFFF
    if fraction == 0 {
      return float32Untrimmed(value)
    }
    let biasedExponent = (bits &>> 23) & 0xFF
    let isSubnormal: UInt32 = biasedExponent == 0 ? 1 : 0
    let c = fraction | (isSubnormal ^ 1) &<< 23
    let e = Int(truncatingIfNeeded: biasedExponent &+ isSubnormal) &- 150
    let minusK = floorLog10Pow2(e, threeQuarters: false) &- 1
    let cache = float32Cache[(0 &- minusK) &- float32CacheMin]
    let beta = e &+ floorLog2Pow10(0 &- minusK)
    let deltai = UInt32(truncatingIfNeeded: cache &>> UInt64(truncatingIfNeeded: 63 &- beta))
    let twoC = c &<< 1
    let z = cache.multipliedFullWidth(by: UInt64((twoC | 1) &<< UInt32(truncatingIfNeeded: beta)))
    let zi = UInt32(truncatingIfNeeded: z.high)
    let zIsInteger = UInt32(truncatingIfNeeded: z.low &>> 32) == 0
    let exponent = minusK &+ 1
    let includesEndpoints = c & 1 == 0
    var s = zi / 100
    var r = zi &- 100 &* s
    if r < deltai {
      // The right endpoint is the answer only if it is in the interval.
      if r != 0 || !zIsInteger || includesEndpoints {
        return (s &* 10, exponent)
      }
      s &-= 1
      r = 100
    } else if r == deltai {
      let (parity, isInteger) = mulParity(twoC &- 1, cache, beta)
      if parity || (isInteger && includesEndpoints) {
        return (s &* 10, exponent)
      }
    }
    var dist = r &- deltai / 2 &+ 5
    let approxYParity = (dist ^ 5) & 1 != 0
    let product = dist &* 6554
    let divisible = product & 0xFFFF < 6554
    dist = product &>> 16
    var digits = s &* 10 &+ dist
    if divisible {
      let (parity, isInteger) = mulParity(twoC, cache, beta)
      if parity != approxYParity || (digits & 1 != 0 && isInteger) {
        digits &-= 1
      }
    }
    return (digits, exponent)
  }

  /// Dragonbox's `compute_mul_parity` for float32: the lowest bit of the integer part of `twoF · 10^k · 2^e` and
  /// whether that product is an integer.
  @inline(__always)
  private static func mulParity(_ twoF: UInt32, _ cache: UInt64, _ beta: Int) -> (Bool, Bool) {
    let r = UInt64(twoF) &* cache
    let parity = (r &>> UInt64(truncatingIfNeeded: 64 &- beta)) & 1 != 0
    let isInteger = UInt32(truncatingIfNeeded: r &>> UInt64(truncatingIfNeeded: 32 &- beta)) == 0
    return (parity, isInteger)
  }
}

extension NumberFormatting {
  /// float32 as Python's `repr` lays out its shortest digits: `0.12345678`, `-1.2345678`, `27.0`, `1.8279192e-05`,
  /// `3.4028235e+38`. The digits are spelled once as nine ASCII bytes; their count and trailing zeros come from bit
  /// scans of those bytes, and every layout is placed with fixed-size stores (no per-digit loop, no division per
  /// trailing zero). Writes up to 28 bytes at `p` even when the text is shorter.
  @inline(__always)
  static func write(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    let bits = value.bitPattern
    let magnitude = bits & 0x7FFF_FFFF
    // Zero, infinities and NaN: one predictable branch.
    if magnitude &- 1 >= 0x7F80_0000 &- 1 {
      return writeZeroOrNonFinite(value, to: p)
    }
    p.pointee = UInt8(ascii: "-")
    let out = p + Int(truncatingIfNeeded: bits &>> 31)
    let (d, k) = ShortestDecimal.float32Dragonbox(value)
    let block = nineDigits(d)
    // d >= 1, so not all nine bytes are '0'; bytes 0...7 all '0' leaves tzcnt(0) / 8 = 8.
    let leading = (block.0 ^ 0x3030_3030_3030_3030).trailingZeroBitCount &>> 3
    let count = 9 &- leading
    // Digits 1...8 with the last one in the top byte: its leading zero bytes are d's trailing zero digits.
    let tail = (block.0 &>> 8) | (block.1 &<< 56)
    let zeros = (tail ^ 0x3030_3030_3030_3030).leadingZeroBitCount &>> 3
    let significant = count &- zeros
    let exponent = k &+ zeros
    let scientific = count &- 1 &+ k
    let digits = shiftedRight(block, bytes: leading)
    if scientific >= 0 && scientific < 16 {
      if exponent < 0 {
        // ddd.ddd
        let integerDigits = scientific &+ 1
        store16(digits, at: out)
        store16(shiftedRight(digits, bytes: integerDigits), at: out + integerDigits + 1)
        out[integerDigits] = UInt8(ascii: ".")
        return out + significant + 1 - p
      }
      // ddd000.0 (the block's own trailing zeros are '0' bytes too)
      store16(digits, at: out)
      store16((0x3030_3030_3030_3030, 0x3030_3030_3030_3030), at: out + count)
      let point = out + scientific + 1
      point[0] = UInt8(ascii: ".")
      point[1] = UInt8(ascii: "0")
      return point + 2 - p
    }
    if scientific < 0 && scientific >= -4 {
      // 0.000ddd
      UnsafeMutableRawPointer(out).storeBytes(of: 0x3030_3030_3030_2E30 as UInt64, as: UInt64.self)
      let start = out + (1 &- scientific)
      store16(digits, at: start)
      return start + significant - p
    }
    // d.ddde±XX: float32 exponents are -45...38, always two digits.
    out[0] = UInt8(truncatingIfNeeded: digits.0)
    out[1] = UInt8(ascii: ".")
    store16(shiftedRight(digits, bytes: 1), at: out + 2)
    let mantissaEnd = significant > 1 ? significant &+ 1 : 1
    let negativeExponent = scientific < 0
    let exponentMagnitude = negativeExponent ? 0 &- scientific : scientific
    let pairs = UnsafeRawPointer(digitPairs.utf8Start)
    let pair = UInt32(pairs.loadUnaligned(fromByteOffset: exponentMagnitude &* 2, as: UInt16.self))
    let sign: UInt32 = negativeExponent ? UInt32(UInt8(ascii: "-")) : UInt32(UInt8(ascii: "+"))
    let text = UInt32(UInt8(ascii: "e")) | sign &<< 8 | pair &<< 16
    UnsafeMutableRawPointer(out + mantissaEnd).storeBytes(of: text.littleEndian, as: UInt32.self)
    return out + mantissaEnd + 4 - p
  }

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
