import Dispatch

extension JSONWriter {
  /// Writes `values` (row-major) as nested arrays of the given shape, like `tensor.tolist()`: a 0-d tensor
  /// (`shape == []`) is a bare number, shape `[2, 0]` is `[[],[]]`. float32 numbers in their shortest float32 form.
  /// `values.count` must equal the product of `shape` (the engine's invariant, not client input).
  ///
  /// `threads` > 1 writes a large tensor's rows on that many threads (the same bytes): less time, the same CPU.
  public mutating func writeTensor(
    _ values: UnsafeBufferPointer<Float>, shape: [Int], threads: Int = 1
  ) {
    writeNested(values, shape: shape, threads: threads)
  }

  /// As the float32 overload, with float64 shortest forms.
  public mutating func writeTensor(
    _ values: UnsafeBufferPointer<Double>, shape: [Int], threads: Int = 1
  ) {
    writeNested(values, shape: shape, threads: threads)
  }

  /// As the float32 overload, for int64 tensors: plain integers (`3`, not `3.0`).
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Int64>, shape: [Int]) {
    writeNested(values, shape: shape)
  }

  /// Below this many values a second thread costs more than it saves.
  static var parallelMinimum: Int { 1 << 16 }

  private mutating func writeNested<Element: JSONNumberElement>(
    _ values: UnsafeBufferPointer<Element>, shape: [Int], threads: Int = 1
  ) {
    var count = 1
    // Arrays written: 1 for the outermost, shape[0] for the next level, ... (each costs at most "[],").
    var arrays = 0
    for extent in shape {
      precondition(extent >= 0, "negative extent in tensor shape \(shape)")
      arrays = arrays.addingReportingOverflow(count).partialValue
      count = count.multipliedReportingOverflow(by: extent).partialValue
    }
    precondition(
      count == values.count, "tensor shape \(shape) does not match \(values.count) values")
    let parallel =
      threads > 1 && count >= Self.parallelMinimum && shape.count > 0 && shape[0] >= threads
    // The last number may write up to NumberFormatting.maxLength bytes however short its text; in parallel, so
    // may the last number of every part (gaps between the parts' regions keep those writes apart).
    let bound =
      count * (Element.maxJSONLength + 1) + arrays * 3 + NumberFormatting.maxLength
      + (parallel ? threads * Self.partGap : 0)
    prepareForValue()
    /// The text at `out` onwards (which has room for `bound` bytes): its length.
    func emitAll(at start: UnsafeMutablePointer<UInt8>) -> Int {
      var out = start
      if shape.isEmpty {
        if let source = values.baseAddress {
          out += Element.writeJSON(source[0], to: out)
        }
      } else if parallel {
        shape.withUnsafeBufferPointer { dims in
          Self.emitRowsInParallel(dims, source: values, parts: threads, out: &out)
        }
      } else {
        var index = 0
        shape.withUnsafeBufferPointer { dims in
          Self.emit(dims, level: 0, source: values, index: &index, out: &out)
        }
      }
      return out - start
    }
    if bytes.capacity - bytes.count >= bound {
      // Room in the buffer already (a small tensor after a large one, such as a bias's gradient after its weight's):
      // written in place. A new buffer would copy the text so far and fault in fresh pages for all of it.
      let start = bytes.count
      bytes.append(contentsOf: repeatElement(0, count: bound))
      let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return emitAll(at: base + start)
      }
      bytes.removeLast(bound - written)
    } else if !writeIntoPooledBuffer(bound: bound, emitAll) {
      let old = bytes
      bytes = [UInt8](unsafeUninitializedCapacity: old.count + bound) { buffer, initialized in
        guard let base = buffer.baseAddress else {
          initialized = buffer.initialize(from: old).1
          return
        }
        adviseHugePages(UnsafeMutableRawPointer(base), count: buffer.count)
        let (_, copied) = buffer.initialize(from: old)
        initialized = copied + emitAll(at: base + copied)
      }
    }
    needsComma = true
  }

  /// Writes the text so far and then `emitAll`'s into a buffer of `TensorTextBuffers` (already mapped) instead of a
  /// fresh one, and makes it `bytes`. Returns false, having changed nothing, when no such buffer is available.
  private mutating func writeIntoPooledBuffer(
    bound: Int, _ emitAll: (UnsafeMutablePointer<UInt8>) -> Int
  ) -> Bool {
    let start = bytes.count
    let (needed, overflow) = start.addingReportingOverflow(bound)
    guard !overflow, var buffer = TensorTextBuffers.take(count: needed) else { return false }
    let old = bytes
    let written = buffer.withUnsafeMutableBufferPointer { target -> Int in
      guard let base = target.baseAddress else { return 0 }
      old.withUnsafeBufferPointer { text in
        if let from = text.baseAddress { base.update(from: from, count: start) }
      }
      return emitAll(base + start)
    }
    buffer.removeLast(buffer.count - start - written)
    bytes = buffer
    return true
  }

  /// Room left after each part's region in a parallel write, for its last number's overrun.
  static var partGap: Int { 64 }

  /// The outermost array, its rows split into `parts` runs written at once, each into its own region of `out`,
  /// then moved down behind the previous one: one buffer, written once, no scratch allocation to fault in and copy
  /// out of. A region starts where the text before it is expected to end (its length estimated from a sample of
  /// its values, with a margin), so the pages touched are about the text's own; a part that would run past its
  /// region stops, and the whole array is then written again on this thread (correct, only slower: for tensors
  /// whose sample misleads). `dims[0] >= parts`, and `out` has room for the whole text's bound plus
  /// `parts * partGap`.
  private static func emitRowsInParallel<Element: JSONNumberElement>(
    _ dims: UnsafeBufferPointer<Int>, source: UnsafeBufferPointer<Element>, parts: Int,
    out: inout UnsafeMutablePointer<UInt8>
  ) {
    let rows = dims[0]
    let rowValues = source.count / rows
    var arraysPerRow = 0
    var product = 1
    for level in 1..<dims.count {
      arraysPerRow += product
      product *= dims[level]
    }
    // One row's text and the comma before it (a row has at least one value: the tensor is not empty).
    let rowBound = rowValues * (Element.maxJSONLength + 1) + arraysPerRow * 3
    let opening = out
    out.pointee = UInt8(ascii: "[")
    out += 1
    let first = out
    // regions[part] = (start, limit) as offsets from `first`; the last part's limit is its worst case.
    let regions = UnsafeMutableBufferPointer<(Int, Int)>.allocate(capacity: parts)
    defer { regions.deallocate() }
    var start = 0
    for part in 0..<parts {
      let lower = rows * part / parts
      let upper = rows * (part + 1) / parts
      let worst = (upper - lower) * rowBound
      let expected = min(
        worst,
        estimatedLength(source, from: lower * rowValues, to: upper * rowValues)
          + (upper - lower) * arraysPerRow * 3 + 4096)
      regions[part] = (start, start + (part == parts - 1 ? worst : expected))
      start += expected + partGap
    }
    let ends = UnsafeMutableBufferPointer<Int>.allocate(capacity: parts)
    defer { ends.deallocate() }
    let shared = ParallelRows(
      dims: dims, source: source, first: first, regions: UnsafeBufferPointer(regions), ends: ends)
    DispatchQueue.concurrentPerform(iterations: parts) { part in
      let lower = rows * part / parts
      let upper = rows * (part + 1) / parts
      let (regionStart, regionLimit) = shared.regions[part]
      let start = shared.first + regionStart
      let limit = shared.first + regionLimit
      var p = start
      var index = lower * rowValues
      for row in lower..<upper {
        guard limit - p >= rowBound else {
          shared.ends[part] = -1
          return
        }
        if row > lower {
          p.pointee = UInt8(ascii: ",")
          p += 1
        }
        if shared.dims.count == 1 {
          if let base = shared.source.baseAddress {
            p += Element.writeJSON(base[index], to: p)
          }
          index += 1
        } else {
          emit(shared.dims, level: 1, source: shared.source, index: &index, out: &p)
        }
      }
      shared.ends[part] = p - start
    }
    if ends.contains(where: { $0 < 0 }) {
      out = opening
      var index = 0
      emit(dims, level: 0, source: source, index: &index, out: &out)
      return
    }
    out = first + ends[0]
    for part in 1..<parts {
      out.pointee = UInt8(ascii: ",")
      out += 1
      // Never forward: each region starts past the end of the text before it.
      out.update(from: first + regions[part].0, count: ends[part])
      out += ends[part]
    }
    out.pointee = UInt8(ascii: "]")
    out += 1
  }

  /// The expected text of `source[from..<to]` with a comma each: the mean length of up to 128 evenly spaced values,
  /// plus a sixteenth.
  private static func estimatedLength<Element: JSONNumberElement>(
    _ source: UnsafeBufferPointer<Element>, from: Int, to: Int
  ) -> Int {
    let count = to - from
    guard count > 0, let base = source.baseAddress else { return 0 }
    let samples = min(count, 128)
    let total = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch -> Int in
      guard let text = scratch.baseAddress else { return samples * Element.maxJSONLength }
      var sum = 0
      for k in 0..<samples {
        sum += Element.writeJSON(base[from + k * count / samples], to: text)
      }
      return sum
    }
    let perValue = Double(total) / Double(samples) + 1
    return Int((Double(count) * perValue * 1.0625).rounded(.up))
  }

  /// One nested array; the innermost level is the hot loop.
  private static func emit<Element: JSONNumberElement>(
    _ dims: UnsafeBufferPointer<Int>, level: Int, source: UnsafeBufferPointer<Element>,
    index: inout Int,
    out: inout UnsafeMutablePointer<UInt8>
  ) {
    out.pointee = UInt8(ascii: "[")
    out += 1
    let extent = dims[level]
    if level == dims.count - 1 {
      if extent > 0, let base = source.baseAddress {
        var p = out
        var element = base + index
        let end = element + extent
        p += Element.writeJSON(element.pointee, to: p)
        element += 1
        while element < end {
          p.pointee = UInt8(ascii: ",")
          p += 1
          p += Element.writeJSON(element.pointee, to: p)
          element += 1
        }
        out = p
      }
      index += extent
    } else {
      for j in 0..<extent {
        if j > 0 {
          out.pointee = UInt8(ascii: ",")
          out += 1
        }
        emit(dims, level: level + 1, source: source, index: &index, out: &out)
      }
    }
    out.pointee = UInt8(ascii: "]")
    out += 1
  }
}

/// What the parts of one parallel write share. `@unchecked Sendable`: each part writes only within its own region
/// of `first` (it stops a row bound short of the region's limit, and regions are `partGap` apart, more than a
/// number's overrun) and its own slot of `ends`; `dims`, `source` and `regions` are only read; all of it outlives
/// the `concurrentPerform` that uses it.
private struct ParallelRows<Element>: @unchecked Sendable {
  let dims: UnsafeBufferPointer<Int>
  let source: UnsafeBufferPointer<Element>
  let first: UnsafeMutablePointer<UInt8>
  let regions: UnsafeBufferPointer<(Int, Int)>
  let ends: UnsafeMutableBufferPointer<Int>
}

/// The element types a tensor is written from.
protocol JSONNumberElement: SendableMetatype {
  /// The longest text `writeJSON` produces.
  static var maxJSONLength: Int { get }
  static func writeJSON(_ value: Self, to p: UnsafeMutablePointer<UInt8>) -> Int
}

extension Float: JSONNumberElement {
  /// `-1234567900000000.0`; `"-Infinity"` (with quotes) is shorter. (Scratch writes past the text are
  /// overwritten by what follows, or fall in the final slack.)
  static var maxJSONLength: Int { 19 }

  @inline(__always)
  static func writeJSON(_ value: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
    NumberFormatting.write(value, to: p)
  }
}

extension Double: JSONNumberElement {
  /// `-1.2345678901234567e-308`.
  static var maxJSONLength: Int { 24 }

  @inline(__always)
  static func writeJSON(_ value: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
    NumberFormatting.write(value, to: p)
  }
}

extension Int64: JSONNumberElement {
  /// `-9223372036854775808`.
  static var maxJSONLength: Int { 20 }

  @inline(__always)
  static func writeJSON(_ value: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
    NumberFormatting.write(value, to: p)
  }
}
