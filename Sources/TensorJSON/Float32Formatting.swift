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
    let (d, k) = ShortestDecimal.float32Untrimmed(value)
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
