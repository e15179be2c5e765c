extension ShortestDecimal {
  /// The shortest digits of a normal float32 that is not a power of two, by Junekey Jeon's Dragonbox, or nil for the
  /// few values its common path leaves out (`float32Nine` answers those): `digits` in 10^8..<10^9 (the shortest
  /// digits followed by zeros) such that `digits × 10^exponent` is the shortest, closest decimal that reads back as
  /// `value` (ties to even), as `init(_: Float)` finds it. One 64 x 32-bit multiplication and a division by 100,
  /// where Schubfach needs three multiplications and a candidate selection.
  @inline(__always)
  static func float32NineQuick(_ value: Float) -> (digits: UInt32, exponent: Int)? {
    let bits = value.bitPattern
    let fraction = bits & 0x7F_FFFF
    let biasedExponent = (bits &>> 23) & 0xFF
    // Powers of two, subnormals, and (for the writer) zeros, infinities and NaN.
    if fraction == 0 || (biasedExponent &+ 1) & 0xFE == 0 {
      return nil
    }
    let c = fraction | 0x80_0000
    let e = Int(truncatingIfNeeded: biasedExponent) &- 150
    let minusK = floorLog10Pow2(e, threeQuarters: false) &- 1
    // By exponent rather than by k: no dependency on the logarithm's multiplication.
    let cache = float32CacheByExponent[Int(truncatingIfNeeded: biasedExponent)]
    let beta = Int(
      truncatingIfNeeded: float32BetaByExponent[Int(truncatingIfNeeded: biasedExponent)])
    // The rounding interval's width at this scale: 10 <= deltai < 100.
    let deltai = UInt32(truncatingIfNeeded: cache &>> UInt64(truncatingIfNeeded: 63 &- beta))
    // The interval's upper end at this scale (its integer part): about c · deltai, below 1.7 · 10^9.
    let z = cache.multipliedFullWidth(
      by: UInt64((c &<< 1 | 1) &<< UInt32(truncatingIfNeeded: beta)))
    let zi = UInt32(truncatingIfNeeded: z.high)
    let s = zi / 100
    let r = zi &- 100 &* s
    // The common cases without a branch (which one applies is data-dependent, and a branch on it mispredicts):
    // r < deltai, the shorter s; else one digit more, the candidate closest to the middle of the interval.
    let shorter = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(r) &+ 1, UInt64(deltai)))
    let product = (r &- deltai / 2 &+ 5) &* 6554
    let divisible = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(product & 0xFFFF) &+ 1, 6554))
    // Left out: r == deltai (the left endpoint decides), r == 0 (the right endpoint may be excluded) and a distance
    // that is a multiple of 10 (a tie or near tie between two candidates).
    if (r == deltai ? 1 : 0) | (r == 0 ? 1 : 0) | (divisible & (shorter ^ 1)) != 0 {
      return nil
    }
    let d = s &* 10 &+ ((product &>> 16) & (shorter &- 1))
    // d has 7, 8 or 9 digits (it is about c · deltai / 10 >= 2^23): scaled to nine.
    let below8 = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(d) &+ 1, 100_000_000))
    let below7 = UInt32(truncatingIfNeeded: lessOrEqual(UInt64(d) &+ 1, 10_000_000))
    let nine = d &* (1 &+ 9 &* below8 &+ 90 &* below7)
    return (nine, minusK &+ 1 &- Int(truncatingIfNeeded: below8 &+ below7))
  }

  /// `float32NineQuick`'s answer for every finite nonzero float32: Dragonbox's steps in full, Schubfach for powers
  /// of two (whose lower neighbour is closer).
  static func float32Nine(_ value: Float) -> (digits: UInt32, exponent: Int) {
    var (digits, exponent) = float32Shortest(value)
    while digits < 100_000_000 {
      digits &*= 10
      exponent &-= 1
    }
    return (digits, exponent)
  }

  /// Dragonbox for float32 (the reference implementation's `compute_nearest`, normal interval), untrimmed.
  private static func float32Shortest(_ value: Float) -> (digits: UInt32, exponent: Int) {
    let bits = value.bitPattern
    let fraction = bits & 0x7F_FFFF
    if fraction == 0 {
      return float32Untrimmed(value)
    }
    let biasedExponent = (bits &>> 23) & 0xFF
    let isSubnormal: UInt32 = biasedExponent == 0 ? 1 : 0
    let c = fraction | (isSubnormal ^ 1) &<< 23
    // Subnormals share the smallest normal exponent (and the tables' entry 0 is entry 1's).
    let e = Int(truncatingIfNeeded: biasedExponent &+ isSubnormal) &- 150
    let minusK = floorLog10Pow2(e, threeQuarters: false) &- 1
    let cache = float32CacheByExponent[Int(truncatingIfNeeded: biasedExponent)]
    let beta = Int(
      truncatingIfNeeded: float32BetaByExponent[Int(truncatingIfNeeded: biasedExponent)])
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
