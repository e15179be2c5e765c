extension JSONWriter {
  /// Writes `values` (row-major) as nested arrays of the given shape, like `tensor.tolist()`: a 0-d tensor
  /// (`shape == []`) is a bare number, shape `[2, 0]` is `[[],[]]`. float32 numbers in their shortest float32 form.
  /// `values.count` must equal the product of `shape` (the engine's invariant, not client input).
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
    writeNested(values, shape: shape)
  }

  /// As the float32 overload, with float64 shortest forms.
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Double>, shape: [Int]) {
    writeNested(values, shape: shape)
  }

  /// As the float32 overload, for int64 tensors: plain integers (`3`, not `3.0`).
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Int64>, shape: [Int]) {
    writeNested(values, shape: shape)
  }

  private mutating func writeNested<Element: JSONNumberElement>(
    _ values: UnsafeBufferPointer<Element>, shape: [Int]
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
    // The last number may write up to NumberFormatting.maxLength bytes however short its text.
    let bound = count * (Element.maxJSONLength + 1) + arrays * 3 + NumberFormatting.maxLength
    prepareForValue()
    let old = bytes
    bytes = [UInt8](unsafeUninitializedCapacity: old.count + bound) { buffer, initialized in
      let (_, copied) = buffer.initialize(from: old)
      guard let base = buffer.baseAddress else {
        initialized = copied
        return
      }
      var out = base + copied
      if shape.isEmpty {
        if let source = values.baseAddress {
          out += Element.writeJSON(source[0], to: out)
        }
      } else {
        var index = 0
        shape.withUnsafeBufferPointer { dims in
          Self.emit(dims, level: 0, source: values, index: &index, out: &out)
        }
      }
      initialized = out - base
    }
    needsComma = true
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

/// The element types a tensor is written from.
protocol JSONNumberElement {
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
