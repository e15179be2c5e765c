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
    // Below this position `fractionElement` and `commonElement` read inside the input; only the last few numbers
    // of a body, whitespace and rarer forms take the checked readers. The position stays local (not `i`) while the
    // fast paths run.
    let fastEnd = count - Self.commonElementReach
    var j = i
    var o = out
    defer { out = o }
    while true {
      var end = 0
      // The usual case, fractions each followed by a bare ',', in a loop of its own (nothing else competes for its
      // registers); whatever follows a ',' is checked as the next number.
      Self.readFractions(p, from: &j, before: fastEnd, into: &o)
      if j < fastEnd {
        let (fraction, after) = Self.fractionElement(p, at: j)
        if after != 0 && Self.endsFraction(p[after]) {
          o.pointee = fraction
          end = after
        } else if let value = Self.commonElement(p, at: j, end: &end) {
          o.pointee = value
        } else if !readCheckedElement(from: j, fastEnd: fastEnd, into: o, end: &end) {
          return false
        }
      } else if !readCheckedElement(from: j, fastEnd: fastEnd, into: o, end: &end) {
        return false
      }
      o += 1
      j = end
      if j < count && p[j] == UInt8(ascii: ",") {
        j += 1
        continue
      }
      i = j
      skipWhitespace()
      guard i < count else { return false }
      let separator = p[i]
      i += 1
      guard separator == UInt8(ascii: ",") else { return separator == UInt8(ascii: "]") }
      j = i
    }
  }

  /// `fractionElement`s followed by ',' from `j` while below `fastEnd`, stored from `out` on; `j` is left at the
  /// first number that is not one (or at or past `fastEnd`).
  @inline(__always)
  private static func readFractions(
    _ p: UnsafePointer<UInt8>, from j: inout Int, before fastEnd: Int,
    into out: inout UnsafeMutablePointer<Float>
  ) {
    var k = j
    var o = out
    while k < fastEnd {
      let (fraction, after) = fractionElement(p, at: k)
      guard after != 0 && p[after] == UInt8(ascii: ",") else { break }
      o.pointee = fraction
      o += 1
      k = after &+ 1
    }
    j = k
    out = o
  }

  /// One number after optional whitespace from `start`, by the checked readers (near the end of the input, or a
  /// form the fast ones refuse), stored at `out`; `end` is the position after it. False at anything else.
  private mutating func readCheckedElement(
    from start: Int, fastEnd: Int, into out: UnsafeMutablePointer<Float>, end: inout Int
  ) -> Bool {
    i = start
    skipWhitespace()
    guard i < count, Self.isNumberStart(p[i]) else { return false }
    if i < fastEnd, let value = Self.commonElement(p, at: i, end: &end) {
      out.pointee = value
      return true
    }
    if let value = Self.shortNumber(p, count, at: &i) {
      out.pointee = Float(value)
    } else {
      guard let (value, _) = try? parseNumber() else { return false }
      out.pointee = Float(value)
    }
    end = i
    return true
  }
}
