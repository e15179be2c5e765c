import Autograd
import Foundation

/// Python's format-spec mini-language, the common part: `[[fill]align][sign][0][width][,][.precision][type]`
/// with types `s d f F e E g G %`.
struct FormatSpec {
  var fill: Character = " "
  var align: Character?
  var sign: Character = "-"
  var zeroPad = false
  var width = 0
  var grouping = false
  var precision: Int?
  var type: Character?

  init?(_ spec: String) {
    var chars = Array(spec)[...]
    if chars.count >= 2, "<>^=".contains(chars[chars.startIndex + 1]) {
      fill = chars[chars.startIndex]
      align = chars[chars.startIndex + 1]
      chars = chars.dropFirst(2)
    } else if let first = chars.first, "<>^=".contains(first) {
      align = first
      chars = chars.dropFirst()
    }
    if let first = chars.first, "+- ".contains(first) {
      sign = first
      chars = chars.dropFirst()
    }
    if chars.first == "0" {
      zeroPad = true
      chars = chars.dropFirst()
    }
    var digits = ""
    while let c = chars.first, c.isASCII, c.isNumber {
      digits.append(c)
      chars = chars.dropFirst()
    }
    if !digits.isEmpty {
      guard let w = Int(digits), w <= 1000 else { return nil }
      width = w
    }
    if chars.first == "," {
      grouping = true
      chars = chars.dropFirst()
    }
    if chars.first == "." {
      chars = chars.dropFirst()
      var p = ""
      while let c = chars.first, c.isASCII, c.isNumber {
        p.append(c)
        chars = chars.dropFirst()
      }
      guard let value = Int(p), value <= 100 else { return nil }
      precision = value
    }
    if let c = chars.first {
      guard "sdfFeEgG%".contains(c) else { return nil }
      type = c
      chars = chars.dropFirst()
    }
    guard chars.isEmpty else { return nil }
  }

  func pad(_ text: String, numeric: Bool) -> String {
    let missing = width - text.count
    guard missing > 0 else { return text }
    if zeroPad && align == nil && numeric {
      // Zeros go between the sign and the digits.
      let signed = text.first == "-" || text.first == "+" || text.first == " "
      let head = signed ? String(text.prefix(1)) : ""
      return head + String(repeating: "0", count: missing) + text.dropFirst(signed ? 1 : 0)
    }
    let padding = String(repeating: fill, count: missing)
    switch align ?? (numeric ? ">" : "<") {
    case "<": return text + padding
    case "^":
      let left = missing / 2
      return String(repeating: fill, count: left) + text
        + String(repeating: fill, count: missing - left)
    default: return padding + text
    }
  }
}

extension Interpreter {
  /// `format(value, spec)`: what an f-string field without a conversion writes.
  func formatField(_ value: EvalValue, _ spec: String) throws(EvalError) -> String {
    var subject = value
    if case .tensor(let t) = value {
      // Tensor.__format__ formats a 0-d tensor's item (even with an empty spec: f"{loss}" is "5.0"); any other
      // tensor prints its repr and refuses a non-empty spec.
      guard t.rank == 0 else {
        if spec.isEmpty { return value.str }
        throw fail("invalid_argument", "unsupported format string passed to Tensor.__format__")
      }
      let item = try engine { () throws(AutogradError) in try t.item() }
      subject = Interpreter.pythonScalar(item, dtype: t.dtype)
    }
    if spec.isEmpty { return subject.str }
    guard let format = FormatSpec(spec) else {
      throw fail(
        "invalid_argument",
        "Invalid format specifier '\(spec)' for object of type '\(value.typeName)'")
    }
    switch subject {
    case .int(let i) where format.type == nil || format.type == "d":
      return format.pad(
        signed(grouped(String(Swift.abs(i)), format), negative: i < 0, format), numeric: true)
    case .int, .float, .bool:
      guard let n = number(subject) else { break }
      if format.type == "d" {
        if case .bool(let b) = subject { return format.pad(b ? "1" : "0", numeric: true) }
        throw fail("invalid_argument", "Unknown format code 'd' for object of type 'float'")
      }
      if format.type == "s" {
        throw fail(
          "invalid_argument", "Unknown format code 's' for object of type '\(subject.typeName)'")
      }
      let d = n.double
      return format.pad(
        signed(
          floatBody(Swift.abs(d), format), negative: d < 0 || (d == 0 && d.sign == .minus), format),
        numeric: true)
    case .string(let s):
      guard format.type == nil || format.type == "s" else {
        throw fail(
          "invalid_argument", "Unknown format code '\(format.type ?? " ")' for object of type 'str'"
        )
      }
      let text = format.precision.map { String(s.prefix($0)) } ?? s
      return format.pad(text, numeric: false)
    default:
      break
    }
    guard format.type == nil, format.precision == nil else {
      throw fail(
        "invalid_argument", "unsupported format string passed to \(value.typeName).__format__")
    }
    return format.pad(value.str, numeric: false)
  }

  private func signed(_ body: String, negative: Bool, _ format: FormatSpec) -> String {
    if negative { return "-" + body }
    switch format.sign {
    case "+": return "+" + body
    case " ": return " " + body
    default: return body
    }
  }

  private func grouped(_ digits: String, _ format: FormatSpec) -> String {
    guard format.grouping else { return digits }
    var out = ""
    for (i, c) in digits.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return String(out.reversed())
  }

  private func floatBody(_ d: Double, _ format: FormatSpec) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return "inf" }
    switch format.type {
    case "f", "F":
      return groupedFixed(String(format: "%.\(format.precision ?? 6)f", d), format)
    case "e", "E":
      let text = String(format: "%.\(format.precision ?? 6)e", d)
      return format.type == "E" ? text.uppercased() : text
    case "g", "G":
      let text = String(format: "%.\(max(format.precision ?? 6, 1))g", d)
      return format.type == "G" ? text.uppercased() : text
    case "%":
      return String(format: "%.\(format.precision ?? 6)f", d * 100) + "%"
    default:
      // No type: repr when there is no precision, else like 'g' keeping at least one digit after the point.
      guard let precision = format.precision else { return PythonFormat.float(d) }
      let text = String(format: "%.\(max(precision, 1))g", d)
      return text.contains(".") || text.contains("e") || text.contains("n") ? text : text + ".0"
    }
  }

  private func groupedFixed(_ text: String, _ format: FormatSpec) -> String {
    guard format.grouping else { return text }
    let pieces = text.split(separator: ".", maxSplits: 1)
    let integer = grouped(String(pieces.first ?? ""), format)
    return pieces.count > 1 ? integer + "." + pieces[1] : integer
  }
}
