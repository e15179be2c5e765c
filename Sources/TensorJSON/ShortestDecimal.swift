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
    let bits = value.bitPattern
    let fraction = UInt32(bits & 0x7F_FFFF)
    let biasedExponent = Int((bits >> 23) & 0xFF)
    var c: UInt32
    var q: Int
    if biasedExponent != 0 {
      c = fraction | 0x80_0000
      q = biasedExponent - 150
      // Small integers: exact, no interval arithmetic needed.
      if q <= 0 && q > -24 && c & ((1 << UInt32(-q)) &- 1) == 0 {
        self.init(trimming: UInt64(c >> UInt32(-q)), exponent: 0)
        return
      }
    } else {
      if fraction == 0 {
        self.init(trimming: 0, exponent: 0)
        return
      }
      c = fraction
      q = -149
    }
    let isEven = c & 1 == 0
    let lowerIsCloser = fraction == 0 && biasedExponent > 1
    let cbl = 4 &* c &- 2 &+ (lowerIsCloser ? 1 : 0)
    let cb = 4 &* c
    let cbr = 4 &* c &+ 2
    let k = floorLog10Pow2(q, threeQuarters: lowerIsCloser)
    let h = q &+ floorLog2Pow10(-k) &+ 1
    let g = float32Pow10[-k - float32Pow10Min]
    let vbl = roundToOdd32(g, cbl << UInt32(h))
    let vb = roundToOdd32(g, cb << UInt32(h))
    let vbr = roundToOdd32(g, cbr << UInt32(h))
    let lower = vbl &+ (isEven ? 0 : 1)
    let upper = vbr &- (isEven ? 0 : 1)
    let (d, e) = ShortestDecimal.choose(
      vb: UInt64(vb), lower: UInt64(lower), upper: UInt64(upper), k: k)
    self.init(trimming: d, exponent: e)
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
      if q <= 0 && q > -53 && c & ((1 << UInt64(-q)) &- 1) == 0 {
        self.init(trimming: c >> UInt64(-q), exponent: 0)
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
    let isEven = c & 1 == 0
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
    let lower = vbl &+ (isEven ? 0 : 1)
    let upper = vbr &- (isEven ? 0 : 1)
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
  @inline(__always)
  private static func choose(vb: UInt64, lower: UInt64, upper: UInt64, k: Int) -> (UInt64, Int) {
    let s = vb / 4
    if s >= 10 {
      let sp = s / 10
      let upInside = lower <= 40 * sp
      let wpInside = 40 * sp + 40 <= upper
      if upInside != wpInside {
        return (sp + (wpInside ? 1 : 0), k + 1)
      }
    }
    let uInside = lower <= 4 * s
    let wInside = 4 * s + 4 <= upper
    if uInside != wInside {
      return (s + (wInside ? 1 : 0), k)
    }
    let mid = 4 * s + 2
    let roundUp = vb > mid || (vb == mid && s & 1 != 0)
    return (s + (roundUp ? 1 : 0), k)
  }
}

/// floor(log10(2^e)), or floor(log10(3/4 · 2^e)); exact for |e| <= 2620.
@inline(__always)
private func floorLog10Pow2(_ e: Int, threeQuarters: Bool) -> Int {
  (e &* 1_262_611 &- (threeQuarters ? 524_031 : 0)) >> 22
}

/// floor(log2(10^e)); exact for |e| <= 1233.
@inline(__always)
private func floorLog2Pow10(_ e: Int) -> Int {
  (e &* 1_741_647) >> 19
}

@inline(__always)
private func roundToOdd32(_ g: UInt64, _ cp: UInt32) -> UInt32 {
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
