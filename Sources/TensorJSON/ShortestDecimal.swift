/// The shortest decimal `digits × 10^exponent` that reads back as the same binary value (Raffaello Giulietti's
/// Schubfach algorithm): no String per number, no heap, a handful of multiplications. When several shortest decimals
/// round-trip, the one closest to the exact binary value is chosen, as Python's `repr` and Swift's `description` do.
struct ShortestDecimal {
  /// No trailing zeros, except for zero itself.
  var digits: UInt64
  var exponent: Int

  /// `value` must be finite; the sign is ignored.
  @inline(__always)
  init(_ value: Float) {
    if value == 0 {
      self.init(trimming: 0, exponent: 0)
      return
    }
    let (digits, exponent) = ShortestDecimal.float32Untrimmed(value)
    self.init(trimming: UInt64(digits), exponent: exponent)
  }

  /// `value` must be finite; the sign is ignored.
  @inline(__always)
  init(_ value: Double) {
    let bits = value.bitPattern
    let fraction = bits & 0xF_FFFF_FFFF_FFFF
    let biasedExponent = Int((bits >> 52) & 0x7FF)
    var c: UInt64
    var q: Int
    if biasedExponent != 0 {
      c = fraction | (1 << 52)
      q = biasedExponent - 1075
      let shift = UInt64(truncatingIfNeeded: -q)
      let inRange = lessOrEqual(UInt64(truncatingIfNeeded: UInt32(truncatingIfNeeded: shift)), 52)
      let mask = ((1 &<< shift) &- 1) | (inRange &- 1)
      if c & mask == 0 {
        self.init(trimming: c >> shift, exponent: 0)
        return
      }
    } else {
      if fraction == 0 {
        self.init(trimming: 0, exponent: 0)
        return
      }
      c = fraction
      q = -1074
    }
    let lowerIsCloser = fraction == 0 && biasedExponent > 1
    let cbl = 4 &* c &- 2 &+ (lowerIsCloser ? 1 : 0)
    let cb = 4 &* c
    let cbr = 4 &* c &+ 2
    let k = floorLog10Pow2(q, threeQuarters: lowerIsCloser)
    let h = q &+ floorLog2Pow10(-k) &+ 1
    let index = 2 * (-k - float64Pow10Min)
    let gHigh = float64Pow10[index]
    let gLow = float64Pow10[index + 1]
    let vbl = roundToOdd64(gHigh, gLow, cbl << UInt64(h))
    let vb = roundToOdd64(gHigh, gLow, cb << UInt64(h))
    let vbr = roundToOdd64(gHigh, gLow, cbr << UInt64(h))
    let lower = vbl &+ (c & 1)
    let upper = vbr &- (c & 1)
    let (d, e) = ShortestDecimal.choose(vb: vb, lower: lower, upper: upper, k: k)
    self.init(trimming: d, exponent: e)
  }

  @inline(__always)
  private init(trimming digits: UInt64, exponent: Int) {
    var d = digits
    var e = exponent
    if d != 0 {
      while d % 10 == 0 {
        d /= 10
        e += 1
      }
    }
    self.digits = d
    self.exponent = e
  }

  /// Figures 4 and 6 of the Schubfach paper: prefer one digit less, else the closer of the two candidates.
  /// In 0/1 arithmetic rather than branches: which case applies is data-dependent and branches here mispredict.
  @inline(__always)
  private static func choose(vb: UInt64, lower: UInt64, upper: UInt64, k: Int) -> (UInt64, Int) {
    let (longer, shorter, useShorter) = candidates(vb: vb, lower: lower, upper: upper)
    // useShorter is 0 or 1: pick without a branch.
    return (longer &+ (shorter &- longer) &* useShorter, k &+ Int(useShorter))
  }

  /// The two candidates of `choose` (the longer at 10^k, the shorter at 10^(k+1)) and 1 when the shorter one wins.
  @inline(__always)
  static func candidates(vb: UInt64, lower: UInt64, upper: UInt64) -> (
    longer: UInt64, shorter: UInt64, useShorter: UInt64
  ) {
    let s = vb / 4
    let sp = s / 10
    let upInside = lessOrEqual(lower, 40 &* sp)
    let wpInside = lessOrEqual(40 &* sp &+ 40, upper)
    let useShorter = (upInside ^ wpInside) & lessOrEqual(10, s)
    let uInside = lessOrEqual(lower, 4 &* s)
    let wInside = lessOrEqual(4 &* s &+ 4, upper)
    let mid = 4 &* s &+ 2
    let roundUp = lessOrEqual(mid &+ 1, vb) | (isZero(vb ^ mid) & (s & 1))
    let oneInside = uInside ^ wInside
    let longer = s &+ ((oneInside & wInside) | ((oneInside ^ 1) & roundUp))
    return (longer, sp &+ wpInside, useShorter)
  }
}

/// 1 when a <= b, else 0, by the sign of b - a (both below 2^63 here: at most 4 · 10^18): arithmetic that the
/// compiler cannot turn back into a branch.
@inline(__always)
func lessOrEqual(_ a: UInt64, _ b: UInt64) -> UInt64 {
  ((b &- a) >> 63) ^ 1
}

/// 1 when x == 0, else 0 (x below 2^63).
@inline(__always)
func isZero(_ x: UInt64) -> UInt64 {
  (x &- 1) >> 63
}

/// floor(log10(2^e)), or floor(log10(3/4 · 2^e)); exact for |e| <= 2620.
@inline(__always)
func floorLog10Pow2(_ e: Int, threeQuarters: Bool) -> Int {
  (e &* 1_262_611 &- (threeQuarters ? 524_031 : 0)) >> 22
}

/// floor(log2(10^e)); exact for |e| <= 1233.
@inline(__always)
func floorLog2Pow10(_ e: Int) -> Int {
  (e &* 1_741_647) >> 19
}

@inline(__always)
func roundToOdd32(_ g: UInt64, _ cp: UInt32) -> UInt32 {
  let p = g.multipliedFullWidth(by: UInt64(cp))
  let y1 = UInt32(truncatingIfNeeded: p.high)
  let y0 = UInt32(truncatingIfNeeded: p.low >> 32)
  return y1 | (y0 > 1 ? 1 : 0)
}

@inline(__always)
private func roundToOdd64(_ gHigh: UInt64, _ gLow: UInt64, _ cp: UInt64) -> UInt64 {
  let x = gLow.multipliedFullWidth(by: cp)
  let y = gHigh.multipliedFullWidth(by: cp)
  let (y0, carry) = y.low.addingReportingOverflow(x.high)
  let y1 = y.high &+ (carry ? 1 : 0)
  return y1 | (y0 > 1 ? 1 : 0)
}
