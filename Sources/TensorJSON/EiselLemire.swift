/// Eisel–Lemire (Lemire, "Number Parsing at a Gigabyte per Second", 2021; this follows Go's `strconv`
/// `eiselLemire64`): `mantissa × 10^exponent` correctly rounded to Double with one or two 64×64-bit
/// multiplications by a truncated 128-bit power of ten. Returns nil in the rare cases it cannot decide (a possible
/// halfway point, a subnormal or overflowing result, a power outside the table); the caller then uses `strtod`.
/// `mantissa` must be nonzero.
@inline(__always)
func eiselLemire(_ mantissa: UInt64, _ exponent: Int) -> Double? {
  let index = exponent - float64Pow10Min
  guard index >= 0, 2 * index + 1 < float64Pow10.count else { return nil }
  // The table holds floor(10^k · 2^-r) + 1 (for Schubfach); Eisel–Lemire wants the floor itself.
  var powerHigh = float64Pow10[2 * index]
  var powerLow = float64Pow10[2 * index + 1]
  if powerLow == 0 { powerHigh &-= 1 }
  powerLow &-= 1

  let leadingZeros = mantissa.leadingZeroBitCount
  let man = mantissa << UInt64(leadingZeros)
  var resultExponent = ((217_706 &* exponent) >> 16) &+ 64 &+ 1023 &- leadingZeros

  var (xHigh, xLow) = man.multipliedFullWidth(by: powerHigh)
  if xHigh & 0x1FF == 0x1FF && xLow &+ man < man {
    // The truncated product might be off in the bits that matter: include the power's low word.
    let (yHigh, yLow) = man.multipliedFullWidth(by: powerLow)
    var mergedHigh = xHigh
    let mergedLow = xLow &+ yHigh
    if mergedLow < xLow { mergedHigh &+= 1 }
    if mergedHigh & 0x1FF == 0x1FF && mergedLow &+ 1 == 0 && yLow &+ man < man {
      return nil
    }
    xHigh = mergedHigh
    xLow = mergedLow
  }

  let msb = xHigh >> 63
  var resultMantissa = xHigh >> (msb &+ 9)
  resultExponent &-= Int(1 ^ msb)

  // Exactly halfway between two Doubles: needs the full decimal to break the tie.
  if xLow == 0 && xHigh & 0x1FF == 0 && resultMantissa & 3 == 1 {
    return nil
  }
  resultMantissa &+= resultMantissa & 1
  resultMantissa >>= 1
  if resultMantissa >> 53 > 0 {
    resultMantissa >>= 1
    resultExponent &+= 1
  }
  guard resultExponent > 0 && resultExponent < 0x7FF else { return nil }
  return Double(bitPattern: UInt64(resultExponent) << 52 | resultMantissa & 0x000F_FFFF_FFFF_FFFF)
}
