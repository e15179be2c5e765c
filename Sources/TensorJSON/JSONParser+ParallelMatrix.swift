import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

extension JSONParser {
  /// Below this many bytes of input a second thread costs more than it saves.
  static var parallelMatrixMinimum: Int { 1 << 20 }

  /// The threads a large matrix is read on: this module's only thread choice, as the writer's is the service's.
  static let matrixReaderThreads = min(2, max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

  /// A large list of number lists (`[[...], [...], ...]`, a matrix) read on two threads: the rows from the first
  /// row boundary past the middle of the remaining input on the second. The halves must join up exactly (the first
  /// ends with the row just before the second's first, all rows as long as the first, the second closes the outer
  /// list); anything else returns nil with the position unspecified, and the caller reads sequentially. On success
  /// the position is past the outer list's ']'.
  mutating func readMatrixInParallel(depth: Int, into base: UnsafeMutablePointer<Float>)
    -> ([Int], Int)?
  {
    let start = i
    guard Self.matrixReaderThreads > 1, count - start >= Self.parallelMatrixMinimum,
      depth + 1 <= maxDepth
    else { return nil }
    // The outer '[' and the first row's '['.
    guard p[i] == UInt8(ascii: "[") else { return nil }
    i += 1
    skipWhitespace()
    guard i < count, p[i] == UInt8(ascii: "[") else { return nil }
    let firstRow = i
    guard let split = rowBoundary(after: start + (count - start) / 2) else { return nil }
    // The first half holds at most this many numbers (two bytes each with a separator): the second half's floats
    // go there, clear of the first half's, and move down afterwards.
    let secondBase = base + (split - start) / 2
    var first = self
    first.i = firstRow
    var second = self
    second.i = split
    let halves = MatrixHalves(
      first: first, second: second, base: base, secondBase: secondBase, stop: split)
    DispatchQueue.concurrentPerform(iterations: 2) { part in
      halves.read(part)
    }
    guard let a = halves.firstRows, let b = halves.secondRows, a.rowLength == b.rowLength else {
      return nil
    }
    // Forward overlap is fine for memmove; the regions are disjoint before the move.
    memmove(base + a.written, secondBase, b.written * MemoryLayout<Float>.stride)
    i = b.end
    return ([a.rows + b.rows, a.rowLength], a.written + b.written)
  }

  /// The position of the '[' of the first row that starts after `offset` (`]`, optional whitespace, `,`, optional
  /// whitespace, `[`), or nil. Numbers hold no brackets, so in a matrix every `],[` is a row boundary.
  private func rowBoundary(after offset: Int) -> Int? {
    var k = offset
    while k < count {
      guard p[k] == UInt8(ascii: "]") else {
        k += 1
        continue
      }
      var j = k + 1
      while j < count && isWhitespace(p[j]) { j += 1 }
      guard j < count, p[j] == UInt8(ascii: ",") else {
        k = j
        continue
      }
      j += 1
      while j < count && isWhitespace(p[j]) { j += 1 }
      guard j < count, p[j] == UInt8(ascii: "[") else {
        k = j
        continue
      }
      return j
    }
    return nil
  }

  @inline(__always)
  private func isWhitespace(_ b: UInt8) -> Bool {
    b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09
  }

  /// Rows `[x, ...]` separated by ',' from the current position (a row's '['): until the row whose separating ','
  /// is followed by `stop` (then `end` is `stop`), or, without `stop`, through the ']' closing the outer list.
  /// Every row must be as long as the first. Nil at anything else.
  mutating func readMatrixRows(into base: UnsafeMutablePointer<Float>, stop: Int?) -> MatrixRows? {
    var out = base
    var rows = 0
    var rowLength = -1
    while true {
      guard i < count, p[i] == UInt8(ascii: "[") else { return nil }
      i += 1
      skipWhitespace()
      let rowStart = out
      guard readRow(into: &out) else { return nil }
      let length = out - rowStart
      if rowLength < 0 {
        rowLength = length
      } else if length != rowLength {
        return nil
      }
      rows += 1
      skipWhitespace()
      guard i < count else { return nil }
      let separator = p[i]
      i += 1
      if separator == UInt8(ascii: "]") {
        guard stop == nil else { return nil }
        return MatrixRows(rows: rows, rowLength: rowLength, written: out - base, end: i)
      }
      guard separator == UInt8(ascii: ",") else { return nil }
      skipWhitespace()
      if let stop, i >= stop {
        guard i == stop else { return nil }
        return MatrixRows(rows: rows, rowLength: rowLength, written: out - base, end: i)
      }
    }
  }
}

/// What one half of a parallel matrix read found.
struct MatrixRows {
  var rows: Int
  var rowLength: Int
  var written: Int
  /// The position after the half: the second half's first row, or past the outer ']'.
  var end: Int
}

/// The two halves of a parallel matrix read. `@unchecked Sendable`: each part reads through its own copy of the
/// parser (the input is only read), writes only its own float region (`base` for the first, `secondBase` for the
/// second; disjoint, as the first half has at most (stop - start) / 2 numbers) and its own result slot; everything
/// outlives the `concurrentPerform` that uses it.
private final class MatrixHalves: @unchecked Sendable {
  let first: JSONParser
  let second: JSONParser
  let base: UnsafeMutablePointer<Float>
  let secondBase: UnsafeMutablePointer<Float>
  let stop: Int
  /// Each written by one part only (separate properties, so no overlapping access).
  var firstRows: MatrixRows?
  var secondRows: MatrixRows?

  init(
    first: JSONParser, second: JSONParser, base: UnsafeMutablePointer<Float>,
    secondBase: UnsafeMutablePointer<Float>, stop: Int
  ) {
    self.first = first
    self.second = second
    self.base = base
    self.secondBase = secondBase
    self.stop = stop
  }

  func read(_ part: Int) {
    if part == 0 {
      var parser = first
      firstRows = parser.readMatrixRows(into: base, stop: stop)
    } else {
      var parser = second
      secondRows = parser.readMatrixRows(into: secondBase, stop: nil)
    }
  }
}
