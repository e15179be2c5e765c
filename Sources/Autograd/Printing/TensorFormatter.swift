#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// PyTorch's `repr(tensor)` (`torch/_tensor_str.py`, default print options: precision 4, threshold 1000, edge items
/// 3, line width 80), for the `/eval` stdout. Each step below mirrors a function of that file, so the two can be held
/// side by side.
package enum TensorFormatter {
  static let precision = 4
  static let threshold = 1000
  static let edgeItems = 3
  static let lineWidth = 80

  /// `values` row-major (float32 values already widened to Double, as `.item()` and `.tolist()` widen them);
  /// `dtype` is "float32", "float64" or "int64"; `suffixes` such as `grad_fn=<AddBackward0>` or
  /// `requires_grad=True` come after the ones printed here (`size=...`, `dtype=...`).
  package static func repr(values: [Double], shape: [Int], dtype: String, suffixes: [String])
    -> String
  {
    let prefix = "tensor("
    let indent = prefix.count
    var allSuffixes: [String] = []
    let body: String
    let count = values.count
    if count == 0 {
      // `_str_intern`: an empty tensor shows its shape unless it is 1-d, and any non-default dtype.
      if shape.count != 1 { allSuffixes.append("size=" + pythonTuple(shape)) }
      if dtype != "float32" { allSuffixes.append("dtype=torch." + dtype) }
      body = "[]"
    } else if shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).partialValue }) != count
      || shape.contains(where: { $0 < 0 })
    {
      // The engine never passes this; printing something beats trapping the whole server.
      return "tensor(<\(count) values, inconsistent with shape \(shape)>)"
    } else {
      // `has_default_dtype`: float32, int64 and bool print no dtype when the tensor has elements.
      if dtype != "float32" && dtype != "int64" && dtype != "bool" {
        allSuffixes.append("dtype=torch." + dtype)
      }
      let tensor = View(values: values, shape: shape)
      let summarize = count > threshold
      let formatter = ElementFormatter(
        values: summarize ? tensor.summarizedValues() : values,
        isFloatingPoint: dtype != "int64" && dtype != "bool", isBool: dtype == "bool")
      body = tensor.render(indent: indent, summarize: summarize, formatter: formatter)
    }
    return addSuffixes(prefix + body, allSuffixes + suffixes, indent: indent)
  }

  /// `_add_suffixes`: each suffix goes on the same line while that stays within the line width.
  static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
    var out = text
    // Python: len(s) - s.rfind("\n") + 1, where rfind is -1 without a newline.
    let lastNewline =
      text.utf8.lastIndex(of: UInt8(ascii: "\n")).map {
        text.utf8.distance(from: text.utf8.startIndex, to: $0)
      } ?? -1
    var lastLineLength = text.utf8.count - lastNewline + 1
    for suffix in suffixes {
      let length = suffix.utf8.count
      if lastLineLength + length + 2 > lineWidth {
        out += ",\n" + String(repeating: " ", count: indent) + suffix
        lastLineLength = indent + length
      } else {
        out += ", " + suffix
        lastLineLength += length + 2
      }
    }
    return out + ")"
  }

  static func pythonTuple(_ shape: [Int]) -> String {
    if shape.count == 1 { return "(\(shape[0]),)" }
    return "(" + shape.map(String.init).joined(separator: ", ") + ")"
  }
}

/// A row-major sub-tensor: `shape` over `values[offset...]`.
private struct View {
  let values: [Double]
  let shape: ArraySlice<Int>
  let offset: Int

  init(values: [Double], shape: [Int]) {
    self.init(values: values, shape: shape[...], offset: 0)
  }

  init(values: [Double], shape: ArraySlice<Int>, offset: Int) {
    self.values = values
    self.shape = shape
    self.offset = offset
  }

  var rowStride: Int { shape.dropFirst().reduce(1, *) }

  func row(_ i: Int) -> View {
    View(values: values, shape: shape.dropFirst(), offset: offset + i * rowStride)
  }

  /// `get_summarized_data`: the elements that a summarized print shows (3 edge items per dimension).
  func summarizedValues() -> [Double] {
    var out: [Double] = []
    collectSummarized(into: &out)
    return out
  }

  private func collectSummarized(into out: inout [Double]) {
    guard let size = shape.first else {
      out.append(values[offset])
      return
    }
    let rows =
      size > 2 * TensorFormatter.edgeItems
      ? Array(0..<TensorFormatter.edgeItems) + Array((size - TensorFormatter.edgeItems)..<size)
      : Array(0..<size)
    if shape.count == 1 {
      for i in rows { out.append(values[offset + i]) }
    } else {
      for i in rows { row(i).collectSummarized(into: &out) }
    }
  }

  /// `_tensor_str_with_formatter` and `_vector_str`.
  func render(indent: Int, summarize: Bool, formatter: ElementFormatter) -> String {
    guard let size = shape.first else {
      return formatter.format(values[offset])
    }
    let edge = TensorFormatter.edgeItems
    let elided = summarize && size > 2 * edge
    if shape.count == 1 {
      let elementLength = formatter.maxWidth + 2
      let perLine = max(1, (TensorFormatter.lineWidth - indent) / elementLength)
      var items: [String]
      if elided {
        items =
          (0..<edge).map { formatter.format(values[offset + $0]) } + [" ..."]
          + ((size - edge)..<size).map { formatter.format(values[offset + $0]) }
      } else {
        items = (0..<size).map { formatter.format(values[offset + $0]) }
      }
      var lines: [String] = []
      var start = 0
      while start < items.count {
        lines.append(items[start..<min(start + perLine, items.count)].joined(separator: ", "))
        start += perLine
      }
      return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
    var slices: [String]
    if elided {
      slices =
        (0..<edge).map {
          row($0).render(indent: indent + 1, summarize: summarize, formatter: formatter)
        }
        + ["..."]
        + ((size - edge)..<size).map {
          row($0).render(indent: indent + 1, summarize: summarize, formatter: formatter)
        }
    } else {
      slices = (0..<size).map {
        row($0).render(indent: indent + 1, summarize: summarize, formatter: formatter)
      }
    }
    let separator =
      "," + String(repeating: "\n", count: shape.count - 1)
      + String(repeating: " ", count: indent + 1)
    return "[" + slices.joined(separator: separator) + "]"
  }
}

/// `_Formatter`: chooses integer, fixed or scientific notation from the nonzero finite values, and a common width.
struct ElementFormatter {
  let isFloatingPoint: Bool
  /// Bool elements print as Python's `str(True)` and `str(False)`, right-aligned like integers.
  let isBool: Bool
  private(set) var intMode = true
  private(set) var sciMode = false
  private(set) var maxWidth = 1

  init(values: [Double], isFloatingPoint: Bool, isBool: Bool = false) {
    self.isFloatingPoint = isFloatingPoint
    self.isBool = isBool
    guard isFloatingPoint else {
      for v in values { maxWidth = max(maxWidth, Self.integerText(v, isBool: isBool).count) }
      return
    }
    let nonzeroFinite = values.filter { $0.isFinite && $0 != 0 }
    guard let first = nonzeroFinite.first else { return }
    var minimum = abs(first)
    var maximum = abs(first)
    for v in nonzeroFinite {
      minimum = min(minimum, abs(v))
      maximum = max(maximum, abs(v))
      if v != v.rounded(.up) { intMode = false }
    }
    sciMode = maximum / minimum > 1000.0 || maximum > 1.0e8 || minimum < 1.0e-4
    for v in nonzeroFinite {
      let width: Int
      if sciMode {
        width = Self.cFormat("%.*e", v).count
      } else if intMode {
        width = Self.cFormat("%.0f", v).count + 1
      } else {
        width = Self.cFormat("%.*f", v).count
      }
      maxWidth = max(maxWidth, width)
    }
  }

  /// `_Formatter.format`: one element, right-aligned to the common width.
  func format(_ value: Double) -> String {
    let text: String
    if !isFloatingPoint {
      text = Self.integerText(value, isBool: isBool)
    } else if value.isNaN {
      text = "nan"
    } else if value.isInfinite {
      text = value < 0 ? "-inf" : "inf"
    } else if sciMode {
      text = Self.cFormat("%.*e", value)
    } else if intMode {
      text = Self.cFormat("%.0f", value) + "."
    } else {
      text = Self.cFormat("%.*f", value)
    }
    let padding = maxWidth - text.count
    return padding > 0 ? String(repeating: " ", count: padding) + text : text
  }

  static func integerText(_ value: Double, isBool: Bool = false) -> String {
    if isBool { return value != 0 ? "True" : "False" }
    if let i = Int64(exactly: value) { return String(i) }
    return cFormat("%.0f", value)
  }

  /// C's printf conversions are exact (correctly rounded, ties to even on the exact binary value), as Python's
  /// `format` is, so both print the same digits. `%.*` takes the precision 4. Callers handle NaN and infinities.
  static func cFormat(_ format: String, _ value: Double) -> String {
    // %.0f of the largest Double is 309 digits.
    let capacity = 400
    return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
      guard let base = buffer.baseAddress else { return "" }
      let arguments: [CVarArg] =
        format.contains("*") ? [Int32(TensorFormatter.precision), value] : [value]
      let n = withVaList(arguments) { vsnprintf(base, capacity, format, $0) }
      guard n > 0 else { return "" }
      return String(
        decoding: UnsafeRawBufferPointer(start: base, count: Int(min(n, Int32(capacity - 1)))),
        as: UTF8.self)
    }
  }
}
