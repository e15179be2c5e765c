extension JSONParser {
  /// A rectangular nested list of numbers (`[[1.5, 2], [3, 4e-3]]`, at least one number), read in one pass straight
  /// into one float32 buffer: no array per row, no Double per element kept. Each element is the nearest Double to
  /// its literal, then rounded to float32 (what `torch.tensor(json.loads(body)[...], dtype=torch.float32)` does).
  ///
  /// Returns nil, with the position back at the opening bracket, at anything else (an empty list, a ragged list, a
  /// string, null, an object, a syntax error, nesting past the limit): the caller then parses the value the general
  /// way, which gives every error its usual text.
  mutating func parseFloat32Tensor(depth: Int) -> Float32TensorLiteral? {
    let start = i
    // Every number takes at least two bytes with its separator: this many floats always fit (and only the pages
    // written to are ever touched).
    let capacity = (count - start) / 2 + 1
    var shape: [Int]? = nil
    let values = [Float](unsafeUninitializedCapacity: capacity) { buffer, initialized in
      initialized = 0
      guard let base = buffer.baseAddress else { return }
      adviseHugePages(UnsafeMutableRawPointer(base), count: capacity * MemoryLayout<Float>.stride)
      let position = i
      if let (extents, written) = readMatrixInParallel(depth: depth, into: base) {
        shape = extents
        initialized = written
        return
      }
      i = position
      if let (extents, written) = readRectangular(depth: depth, into: base) {
        shape = extents
        initialized = written
      }
    }
    guard let shape else {
      i = start
      return nil
    }
    return Float32TensorLiteral(shape: shape, values: values)
  }

  /// The body of `parseFloat32Tensor`: the extents and the number of values written, or nil (position unspecified).
  private mutating func readRectangular(depth: Int, into base: UnsafeMutablePointer<Float>)
    -> ([Int], Int)?
  {
    // The opening brackets give the rank.
    var rank = 0
    while i < count && p[i] == UInt8(ascii: "[") {
      rank += 1
      guard depth + rank - 1 <= maxDepth else { return nil }
      i += 1
      skipWhitespace()
    }
    guard rank > 0, i < count, Self.isNumberStart(p[i]) else { return nil }
    // extents[level] is known once that level's first list closes (-1 before); counts[level] are the lists or
    // numbers read so far in the open list at that level.
    var extents = [Int](repeating: -1, count: rank)
    var counts = [Int](repeating: 0, count: rank)
    var out = base
    while true {
      // One innermost list, from its first number through its closing bracket.
      let rowStart = out
      guard readRow(into: &out) else { return nil }
      let rowLength = out - rowStart
      if extents[rank - 1] < 0 {
        extents[rank - 1] = rowLength
      } else if extents[rank - 1] != rowLength {
        return nil
      }
      // Close lists outwards until a comma opens the next sibling.
      var level = rank - 2
      while level >= 0 {
        counts[level] += 1
        skipWhitespace()
        guard i < count else { return nil }
        let separator = p[i]
        i += 1
        if separator == UInt8(ascii: ",") {
          break
        }
        guard separator == UInt8(ascii: "]") else { return nil }
        if extents[level] < 0 {
          extents[level] = counts[level]
        } else if extents[level] != counts[level] {
          return nil
        }
        counts[level] = 0
        level -= 1
      }
      if level < 0 { return (extents, out - base) }
      // A sibling at `level`: it must open lists down to the innermost level again, each non-empty and no longer
      // than the first list at its level.
      if extents[level] >= 0 && counts[level] >= extents[level] { return nil }
      for _ in (level + 1)..<rank {
        skipWhitespace()
        guard i < count, p[i] == UInt8(ascii: "[") else { return nil }
        i += 1
      }
      skipWhitespace()
      guard i < count, Self.isNumberStart(p[i]) else { return nil }
    }
  }

  /// One innermost list from its first number (the position) through its closing ']', the numbers stored at `out`
  /// onwards. False at anything else (the position is then unspecified).
  @inline(__always)
  mutating func readRow(into out: inout UnsafeMutablePointer<Float>) -> Bool {
    guard i < count, Self.isNumberStart(p[i]) else { return false }
    while true {
      if let value = Self.shortNumber(p, count, at: &i) {
        out.pointee = Float(value)
      } else {
        guard let (value, _) = try? parseNumber() else { return false }
        out.pointee = Float(value)
      }
      out += 1
      // The usual separator, a bare ',' with a number right after it, without the whitespace loops.
      if i + 1 < count && p[i] == UInt8(ascii: ",") && Self.isNumberStart(p[i + 1]) {
        i += 1
        continue
      }
      skipWhitespace()
      guard i < count else { return false }
      let separator = p[i]
      i += 1
      if separator == UInt8(ascii: ",") {
        skipWhitespace()
        guard i < count, Self.isNumberStart(p[i]) else { return false }
      } else {
        return separator == UInt8(ascii: "]")
      }
    }
  }

  /// The usual tensor element (`-0.012345678`, `1.5`, `3`: up to 7 integer digits, up to 15 fraction digits, no
  /// exponent), correctly rounded to Double with eight digits per step and no branch on the digit count; nil
  /// (position unchanged) for anything else, which `parseNumber` then reads or refuses.
  @inline(__always)
  private static func shortNumber(_ p: UnsafePointer<UInt8>, _ count: Int, at position: inout Int)
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
      guard count - j >= 16 else { return nil }
      let first = loadEight(p, at: j)
      let firstDigits = leadingDigits(first)
      guard firstDigits > 0 else { return nil }
      mantissa =
        mantissa &* powerOfTenTable(firstDigits) &+ UInt64(digitsValue(first, count: firstDigits))
      fractionDigits = firstDigits
      j += firstDigits
      if firstDigits == 8 {
        let second = loadEight(p, at: j)
        let secondDigits = leadingDigits(second)
        guard secondDigits < 8 else { return nil }
        if secondDigits > 0 {
          mantissa =
            mantissa &* powerOfTenTable(secondDigits)
            &+ UInt64(digitsValue(second, count: secondDigits))
          fractionDigits += secondDigits
          j += secondDigits
        }
      }
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
