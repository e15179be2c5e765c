import Autograd
import Foundation

/// PyTorch's tensor repr (`torch/_tensor_str.py` with the default print options: precision 4, threshold 1000,
/// edgeitems 3, linewidth 80): `tensor([[3., 3.],\n        [3., 3.]], grad_fn=<AddBackward0>)`.
/// Used unless the engine's `Tensor` describes itself.
enum TensorFormatter {
  static let precision = 4
  static let threshold = 1000
  static let edgeItems = 3
  static let lineWidth = 80

  static func repr(_ tensor: Tensor) -> String {
    if let described = (tensor as Any) as? CustomStringConvertible { return described.description }
    let prefix = "tensor("
    let indent = prefix.count
    var suffixes: [String] = []
    let body: String
    if tensor.numel == 0 {
      if tensor.rank != 1 {
        suffixes.append(
          "size=(" + tensor.shape.map(String.init).joined(separator: ", ")
            + (tensor.rank == 1 ? ",)" : ")"))
      }
      if tensor.dtype != .float32 {
        suffixes.append("dtype=" + PythonFormat.dtypeName(tensor.dtype))
      }
      body = "[]"
    } else {
      if tensor.dtype == .float64 { suffixes.append("dtype=torch.float64") }
      body = tensorString(
        tensor.contiguousDoubles(), shape: tensor.shape, dtype: tensor.dtype, indent: indent)
    }
    if let node = tensor.gradFn {
      suffixes.append("grad_fn=<\(node.name)>")
    } else if tensor.requiresGrad {
      suffixes.append("requires_grad=True")
    }
    return addSuffixes(prefix + body, suffixes, indent: indent)
  }

  private static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
    var out = text
    // Python: len(s) - s.rfind("\n") + 1, where rfind gives -1 without a newline.
    let characters = Array(text)
    let lastNewline = characters.lastIndex(of: "\n") ?? -1
    var lastLineLength = characters.count - lastNewline + 1
    for suffix in suffixes {
      if lastLineLength + suffix.count + 2 > lineWidth {
        out += ",\n" + String(repeating: " ", count: indent) + suffix
        lastLineLength = indent + suffix.count
      } else {
        out += ", " + suffix
        lastLineLength += suffix.count + 2
      }
    }
    return out + ")"
  }

  static func tensorString(_ values: [Double], shape: [Int], dtype: DType, indent: Int) -> String {
    let summarize = values.count > threshold
    var shown: [Double] = []
    collectShown(values, shape: shape, offset: 0, summarize: summarize, into: &shown)
    let formatter = ValueFormatter(shown, floating: dtype.isFloatingPoint)
    return format(
      values, shape: shape, offset: 0, indent: indent, summarize: summarize, formatter: formatter)
  }

  private static func strideOf(_ shape: ArraySlice<Int>) -> Int { shape.dropFirst().reduce(1, *) }

  /// The values a summarized print shows (PyTorch's `get_summarized_data`): the formatter sizes only those.
  private static func collectShown(
    _ values: [Double], shape: [Int], offset: Int, summarize: Bool, into shown: inout [Double]
  ) {
    guard let first = shape.first else {
      shown.append(values[offset])
      return
    }
    let stride = strideOf(shape[...])
    let rest = Array(shape.dropFirst())
    for i in rows(first, summarize: summarize) {
      collectShown(
        values, shape: rest, offset: offset + i * stride, summarize: summarize, into: &shown)
    }
  }

  private static func rows(_ count: Int, summarize: Bool) -> [Int] {
    if summarize && count > 2 * edgeItems {
      return Array(0..<edgeItems) + Array((count - edgeItems)..<count)
    }
    return Array(0..<count)
  }

  private static func format(
    _ values: [Double], shape: [Int], offset: Int, indent: Int, summarize: Bool,
    formatter: ValueFormatter
  ) -> String {
    guard let first = shape.first else { return formatter.format(values[offset]) }
    if shape.count == 1 {
      let elementLength = formatter.maxWidth + 2
      let perLine = max(1, (lineWidth - indent) / elementLength)
      var data: [String] = []
      if summarize && first > 2 * edgeItems {
        data =
          (0..<edgeItems).map { formatter.format(values[offset + $0]) } + [" ..."]
          + ((first - edgeItems)..<first).map { formatter.format(values[offset + $0]) }
      } else {
        data = (0..<first).map { formatter.format(values[offset + $0]) }
      }
      var lines: [String] = []
      var i = 0
      while i < data.count {
        lines.append(data[i..<min(i + perLine, data.count)].joined(separator: ", "))
        i += perLine
      }
      return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + 1)) + "]"
    }
    let stride = strideOf(shape[...])
    let rest = Array(shape.dropFirst())
    var slices: [String] = []
    let sub = { (i: Int) in
      format(
        values, shape: rest, offset: offset + i * stride, indent: indent + 1, summarize: summarize,
        formatter: formatter)
    }
    if summarize && first > 2 * edgeItems {
      slices = (0..<edgeItems).map(sub) + ["..."] + ((first - edgeItems)..<first).map(sub)
    } else {
      slices = (0..<first).map(sub)
    }
    let separator =
      "," + String(repeating: "\n", count: shape.count - 1)
      + String(repeating: " ", count: indent + 1)
    return "[" + slices.joined(separator: separator) + "]"
  }
}

/// PyTorch's `_Formatter`: one width and one mode (integer, fixed or scientific) for all printed values.
struct ValueFormatter {
  let floating: Bool
  var intMode = true
  var sciMode = false
  var maxWidth = 1

  init(_ values: [Double], floating: Bool) {
    self.floating = floating
    if !floating {
      for v in values { maxWidth = max(maxWidth, Self.integer(v).count) }
      return
    }
    let finite = values.filter { $0.isFinite && $0 != 0 }
    guard !finite.isEmpty else { return }
    let magnitudes = finite.map { Swift.abs($0) }
    let smallest = magnitudes.min() ?? 1
    let largest = magnitudes.max() ?? 1
    intMode = finite.allSatisfy { $0 == $0.rounded(.up) }
    if intMode {
      if largest / smallest > 1000 || largest > 1e8 {
        sciMode = true
        for v in finite {
          maxWidth = max(maxWidth, Self.printf("%.\(TensorFormatter.precision)e", v).count)
        }
      } else {
        for v in finite { maxWidth = max(maxWidth, Self.printf("%.0f", v).count + 1) }
      }
    } else if largest / smallest > 1000 || largest > 1e8 || smallest < 1e-4 {
      sciMode = true
      for v in finite {
        maxWidth = max(maxWidth, Self.printf("%.\(TensorFormatter.precision)e", v).count)
      }
    } else {
      for v in finite {
        maxWidth = max(maxWidth, Self.printf("%.\(TensorFormatter.precision)f", v).count)
      }
    }
  }

  func format(_ value: Double) -> String {
    var text: String
    if !floating {
      text = Self.integer(value)
    } else if !value.isFinite {
      text = value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf")
    } else if sciMode {
      text = Self.printf("%.\(TensorFormatter.precision)e", value)
    } else if intMode {
      text = Self.printf("%.0f", value) + "."
    } else {
      text = Self.printf("%.\(TensorFormatter.precision)f", value)
    }
    let padding = maxWidth - text.count
    return padding > 0 ? String(repeating: " ", count: padding) + text : text
  }

  private static func integer(_ v: Double) -> String {
    if let i = Int(exactly: v) { return String(i) }
    return printf("%.0f", v)
  }

  private static func printf(_ format: String, _ v: Double) -> String { String(format: format, v) }
}
