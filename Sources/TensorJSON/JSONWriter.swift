/// Writes compact JSON into a byte buffer. Commas are inserted automatically: call `beginObject()`, then
/// `key(_:)` before each member's value, `endObject()`; arrays likewise without keys.
///
/// ```swift
/// var w = JSONWriter()
/// w.beginObject()
/// w.key("shape"); w.beginArray(); w.int(2); w.int(2); w.endArray()
/// w.key("data"); values.withUnsafeBufferPointer { w.writeTensor($0, shape: [2, 2]) }
/// w.endObject()
/// send(w.bytes)   // {"shape":[2,2],"data":[[1.0,2.0],[3.0,4.0]]}
/// ```
///
/// Numbers are written in the shortest form that reads back as the same value in their own type (`0.1` for
/// `Float(0.1)`, integral values as `27.0`, Python's exponent layout `1e-05`, `3.4028235e+38`), non-finite values as
/// the strings `"NaN"`, `"Infinity"`, `"-Infinity"`. The writer does not check that calls nest properly.
public struct JSONWriter: Sendable {
  public var bytes: [UInt8]
  /// Whether the next value or key needs a comma before it.
  var needsComma = false

  public init(capacity: Int = 256) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public mutating func beginObject() {
    prepareForValue()
    bytes.append(UInt8(ascii: "{"))
    needsComma = false
  }

  public mutating func endObject() {
    bytes.append(UInt8(ascii: "}"))
    needsComma = true
  }

  public mutating func beginArray() {
    prepareForValue()
    bytes.append(UInt8(ascii: "["))
    needsComma = false
  }

  public mutating func endArray() {
    bytes.append(UInt8(ascii: "]"))
    needsComma = true
  }

  /// An object member's key; the next call writes its value.
  public mutating func key(_ key: String) {
    prepareForValue()
    appendQuoted(key)
    bytes.append(UInt8(ascii: ":"))
    needsComma = false
  }

  public mutating func string(_ value: String) {
    prepareForValue()
    appendQuoted(value)
    needsComma = true
  }

  public mutating func bool(_ value: Bool) {
    prepareForValue()
    appendASCII(value ? "true" : "false")
    needsComma = true
  }

  public mutating func null() {
    prepareForValue()
    appendASCII("null")
    needsComma = true
  }

  public mutating func int(_ value: Int) {
    number(Int64(value))
  }

  public mutating func number(_ value: Int64) {
    prepareForValue()
    appendNumber { NumberFormatting.write(value, to: $0) }
    needsComma = true
  }

  /// Shortest round-trip form of a float64 value (`0.1`, `27.0`); non-finite values as strings.
  public mutating func number(_ value: Double) {
    prepareForValue()
    appendNumber { NumberFormatting.write(value, to: $0) }
    needsComma = true
  }

  /// Shortest round-trip form of a float32 value (`Float(0.1)` as `0.1`); non-finite values as strings.
  public mutating func number(_ value: Float) {
    prepareForValue()
    appendNumber { NumberFormatting.write(value, to: $0) }
    needsComma = true
  }

  /// Appends bytes that already are one complete JSON value (e.g. a cached response fragment), as a value.
  /// The bytes are not checked.
  public mutating func rawValue(_ json: some Collection<UInt8>) {
    prepareForValue()
    bytes.append(contentsOf: json)
    needsComma = true
  }

  /// Writes `value` as a complete JSON value (objects keep their key order).
  public mutating func value(_ value: JSONValue) {
    switch value {
    case .null: null()
    case .bool(let b): bool(b)
    case .number(let d, let isInteger):
      if isInteger, let i = Int64(exactly: d) { number(i) } else { number(d) }
    case .string(let s): string(s)
    case .numbers(let values, let allIntegers):
      beginArray()
      for d in values {
        if allIntegers, let i = Int64(exactly: d) { number(i) } else { number(d) }
      }
      endArray()
    case .float32Tensor(let tensor):
      tensor.values.withUnsafeBufferPointer { writeTensor($0, shape: tensor.shape) }
    case .array(let elements):
      beginArray()
      for element in elements { self.value(element) }
      endArray()
    case .object(let object):
      beginObject()
      for (k, v) in object.members {
        key(k)
        self.value(v)
      }
      endObject()
    }
  }

  @inline(__always)
  mutating func prepareForValue() {
    if needsComma { bytes.append(UInt8(ascii: ",")) }
  }

  private mutating func appendASCII(_ text: StaticString) {
    bytes.append(
      contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  @inline(__always)
  private mutating func appendNumber(_ write: (UnsafeMutablePointer<UInt8>) -> Int) {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: NumberFormatting.maxLength) { buffer in
      // The allocation is never empty, so baseAddress exists.
      guard let base = buffer.baseAddress else { return }
      let n = write(base)
      bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: n))
    }
  }

  /// A JSON string literal: `"` `\` and control characters escaped, everything else (valid UTF-8, since it
  /// comes from a String) copied as is.
  private mutating func appendQuoted(_ text: String) {
    bytes.append(UInt8(ascii: "\""))
    var text = text
    text.withUTF8 { utf8 in
      var runStart = 0
      for (i, byte) in utf8.enumerated()
      where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
        appendEscape(byte)
        runStart = i + 1
      }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private mutating func appendEscape(_ byte: UInt8) {
    bytes.append(UInt8(ascii: "\\"))
    switch byte {
    case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
    case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
    case 0x0A: bytes.append(UInt8(ascii: "n"))
    case 0x0D: bytes.append(UInt8(ascii: "r"))
    case 0x09: bytes.append(UInt8(ascii: "t"))
    case 0x08: bytes.append(UInt8(ascii: "b"))
    case 0x0C: bytes.append(UInt8(ascii: "f"))
    default:
      let hex: StaticString = "0123456789abcdef"
      bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
      bytes.append(hex.utf8Start[Int(byte >> 4)])
      bytes.append(hex.utf8Start[Int(byte & 0xF)])
    }
  }
}
