extension JSONWriter {
  /// Writes `values` (row-major) as nested arrays of the given shape, like `tensor.tolist()`: a 0-d tensor
  /// (`shape == []`) is a bare number, shape `[2, 0]` is `[[],[]]`. float32 numbers in their shortest float32 form.
  /// `values.count` must equal the product of `shape` (the engine's invariant, not client input).
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Float>, shape: [Int]) {
    writeNested(values, shape: shape) { NumberFormatting.write($0, to: $1) }
  }

  /// As the float32 overload, with float64 shortest forms.
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Double>, shape: [Int]) {
    writeNested(values, shape: shape) { NumberFormatting.write($0, to: $1) }
  }

  /// As the float32 overload, for int64 tensors: plain integers (`3`, not `3.0`).
  public mutating func writeTensor(_ values: UnsafeBufferPointer<Int64>, shape: [Int]) {
    writeNested(values, shape: shape) { NumberFormatting.write($0, to: $1) }
  }

  @inline(__always)
  private mutating func writeNested<Element>(
    _ values: UnsafeBufferPointer<Element>, shape: [Int],
    _ write: (Element, UnsafeMutablePointer<UInt8>) -> Int
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
    let bound = count * (NumberFormatting.maxLength + 1) + arrays * 3 + 1
    prepareForValue()
    let old = bytes
    bytes = [UInt8](unsafeUninitializedCapacity: old.count + bound) { buffer, initialized in
      guard let base = buffer.baseAddress, let source = values.baseAddress else {
        // Only an empty tensor has no base address: write its brackets the slow way.
        var p = 0
        for b in old {
          buffer[p] = b
          p += 1
        }
        p += Self.emptyNested(shape, into: buffer, at: p)
        initialized = p
        return
      }
      _ = buffer.initialize(from: old)
      var out = base + old.count
      if shape.isEmpty {
        out += write(source[0], out)
      } else {
        var index = 0
        shape.withUnsafeBufferPointer { dims in
          Self.emit(dims, level: 0, source: source, index: &index, out: &out, write)
        }
      }
      initialized = out - base
    }
    needsComma = true
  }

  @inline(__always)
  private static func emit<Element>(
    _ dims: UnsafeBufferPointer<Int>, level: Int, source: UnsafePointer<Element>, index: inout Int,
    out: inout UnsafeMutablePointer<UInt8>, _ write: (Element, UnsafeMutablePointer<UInt8>) -> Int
  ) {
    out.pointee = UInt8(ascii: "[")
    out += 1
    let extent = dims[level]
    if level == dims.count - 1 {
      var p = out
      var i = index
      let end = i + extent
      if i < end {
        p += write(source[i], p)
        i += 1
        while i < end {
          p.pointee = UInt8(ascii: ",")
          p += 1
          p += write(source[i], p)
          i += 1
        }
      }
      index = end
      out = p
    } else {
      for j in 0..<extent {
        if j > 0 {
          out.pointee = UInt8(ascii: ",")
          out += 1
        }
        emit(dims, level: level + 1, source: source, index: &index, out: &out, write)
      }
    }
    out.pointee = UInt8(ascii: "]")
    out += 1
  }

  /// Brackets of a tensor with no elements (some extent is 0), e.g. `[[],[]]` for shape [2, 0].
  private static func emptyNested(
    _ shape: [Int], into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int
  )
    -> Int
  {
    var text: [UInt8] = []
    func level(_ l: Int) {
      text.append(UInt8(ascii: "["))
      if l < shape.count - 1 {
        for j in 0..<shape[l] {
          if j > 0 { text.append(UInt8(ascii: ",")) }
          level(l + 1)
        }
      }
      text.append(UInt8(ascii: "]"))
    }
    level(0)
    for (i, b) in text.enumerated() { buffer[start + i] = b }
    return text.count
  }
}
