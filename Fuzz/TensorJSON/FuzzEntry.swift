// libFuzzer entry point for the tensor JSON reader; built by scripts/fuzz.sh together with Sources/TensorJSON.

/// Writes `value` back out; what the reader accepted, the writer must give back in a form the reader accepts again
/// and reads to the same value.
private func roundTrip(_ value: JSONValue) {
  var writer = JSONWriter()
  writer.value(value)
  do {
    let again = try JSONValue.parse(writer.bytes)
    precondition(numbersOnly(again) == numbersOnly(value), "round trip changed the value")
  } catch {
    preconditionFailure("the writer produced JSON the reader refuses: \(error)")
  }
}

/// `value` without the integer-literal flags: an integer literal beyond Int64 is written back in exponent form, so
/// only the numbers themselves must survive.
private func numbersOnly(_ value: JSONValue) -> JSONValue {
  switch value {
  case .number(let d, _): return .number(d, isInteger: false)
  case .numbers(let values, _): return .numbers(values, allIntegers: false)
  case .array(let elements): return .array(elements.map(numbersOnly))
  case .object(let object):
    guard let normalized = JSONObject(object.members.map { ($0, numbersOnly($1)) }) else {
      preconditionFailure("an object read back with duplicate keys")
    }
    return .object(normalized)
  default: return value
  }
}

/// The input as the `data` member of an object, read with and without `float32Member`: the float32 reader must
/// accept exactly what the general reader accepts there, and give `Float` of its Doubles bit for bit.
private func float32MemberAgrees(_ input: UnsafeRawBufferPointer) {
  let body = Array("{\"data\":".utf8) + Array(input) + Array("}".utf8)
  let general = try? JSONValue.parse(body, maxDepth: 32)
  let float32 = try? JSONValue.parse(body, maxDepth: 32, float32Member: "data")
  precondition(
    (general == nil) == (float32 == nil), "float32Member changed whether the body parses")
  guard case .float32Tensor(let tensor)? = float32?["data"] else { return }
  guard let data = general?["data"], let literal = try? tensorLiteral(data) else {
    preconditionFailure("a float32 tensor the general reader does not read as a tensor")
  }
  precondition(literal.shape == tensor.shape, "float32 tensor shape differs")
  precondition(
    zip(literal.values, tensor.values).allSatisfy { Float($0).bitPattern == $1.bitPattern },
    "float32 tensor values differ from Float of the Doubles")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTensorJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  let input = UnsafeRawBufferPointer(start: data, count: size)
  float32MemberAgrees(input)
  // A small depth limit keeps the recursion honest under ASan's larger frames and exercises the limit path.
  guard let value = try? JSONValue.parse(input, maxDepth: 32) else { return 0 }
  roundTrip(value)
  if let literal = try? tensorLiteral(value) {
    var count = 1
    for dim in literal.shape {
      precondition(dim >= 0, "negative dimension")
      count *= dim
    }
    precondition(
      count == literal.values.count,
      "shape \(literal.shape) does not match \(literal.values.count) values")
    var writer = JSONWriter()
    literal.values.withUnsafeBufferPointer { writer.writeTensor($0, shape: literal.shape) }
    guard let back = try? JSONValue.parse(writer.bytes), let reread = try? tensorLiteral(back)
    else {
      preconditionFailure("a written tensor does not read back")
    }
    precondition(
      reread.shape == literal.shape || literal.shape.contains(0),
      "tensor shape changed on round trip")
  }
  return 0
}
