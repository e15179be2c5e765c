import HTTPServer
import HTTPTypes
import TensorJSON

/// A request body read as JSON: media type checked (415), bytes parsed (400 `invalid_json`).
enum RequestBody {
  /// The body's JSON, or nil when there is none. A body needs `application/json` (or a `+json` type); a missing
  /// Content-Type is read as JSON, as curl and most clients send it.
  /// `float32Member`: see `JSONValue.parse`.
  static func json(_ request: HTTPServerRequest, float32Member: String? = nil) throws(ServiceError)
    -> JSONValue?
  {
    guard !isBlank(request.body) else { return nil }
    // On the value's bytes: every JSON request passes here, and its Content-Type needs no String.
    let isJSON = request.withHeaderValue(.contentType) { $0.map(isJSONMediaType) ?? true }
    if !isJSON {
      throw .unsupportedMediaType(
        "this route takes application/json, not \(mediaType(request) ?? "")")
    }
    return try parse(request.body, float32Member: float32Member)
  }

  /// `application/json` or `application/<x>+json`, any case, with or without parameters.
  static func isJSONMediaType(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
    var start = 0
    while start < value.count, value[start] == UInt8(ascii: " ") { start += 1 }
    var end = start
    while end < value.count, value[end] != UInt8(ascii: ";"), value[end] != UInt8(ascii: " ") {
      end += 1
    }
    let type = value[start..<end]
    let lower = { (byte: UInt8) -> UInt8 in byte >= 65 && byte <= 90 ? byte + 32 : byte }
    if type.lazy.map(lower).elementsEqual("application/json".utf8) { return true }
    let prefix = "application/".utf8
    let suffix = "+json".utf8
    guard type.count > prefix.count + suffix.count else { return false }
    return type.prefix(prefix.count).lazy.map(lower).elementsEqual(prefix)
      && type.suffix(suffix.count).lazy.map(lower).elementsEqual(suffix)
  }

  /// A JSON object body; `required` refuses a missing one (400), else it reads as `{}`.
  static func object(
    _ request: HTTPServerRequest, required: Bool, allowed: Set<String>, what: String,
    float32Member: String? = nil
  )
    throws(ServiceError) -> JSONObject
  {
    guard let value = try json(request, float32Member: float32Member) else {
      if required { throw .invalidArgument("\(what) needs a JSON object body") }
      return JSONObject()
    }
    guard case .object(let object) = value else {
      throw .invalidArgument("\(what) takes a JSON object, got \(value.kindDescription)")
    }
    try object.refuseUnknownKeys(allowed, what: what)
    return object
  }

  /// A tensor-creating body: its `data` list read straight to float32 when the tensor will be float32 (no `dtype`,
  /// or a float32 one), the common case for large uploads; otherwise (float64, int64, a bad dtype) read again as
  /// Doubles, which those need.
  static func tensorObject(_ request: HTTPServerRequest, allowed: Set<String>, what: String)
    throws(ServiceError) -> JSONObject
  {
    let object = try self.object(
      request, required: true, allowed: allowed, what: what, float32Member: "data")
    guard case .float32Tensor = object["data"], let dtype = object["dtype"], !dtype.isNull,
      (try? TensorRequests.dtype(dtype)) != .float32
    else { return object }
    return try self.object(request, required: true, allowed: allowed, what: what)
  }

  static func parse(_ bytes: [UInt8], float32Member: String? = nil) throws(ServiceError)
    -> JSONValue
  {
    do {
      return try JSONValue.parse(bytes, float32Member: float32Member)
    } catch {
      throw .invalidJSON("body is not JSON: \(error.description)")
    }
  }

  /// The Content-Type without parameters, lower-cased.
  static func mediaType(_ request: HTTPServerRequest) -> String? {
    guard let value = request.headerValue(.contentType) else { return nil }
    let bare = value.split(separator: ";", maxSplits: 1).first ?? ""
    return String(bare).trimmingSpaces().lowercased()
  }

  static func isBlank(_ bytes: [UInt8]) -> Bool {
    bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
  }
}

extension JSONObject {
  func refuseUnknownKeys(_ allowed: Set<String>, what: String) throws(ServiceError) {
    let unknown = keys.filter { !allowed.contains($0) }
    guard unknown.isEmpty else {
      throw .invalidArgument(
        "unknown field(s) for \(what): \(unknown.sorted().joined(separator: ", "))")
    }
  }

  /// A boolean member; absent or null gives `defaultValue`.
  func bool(_ key: String, default defaultValue: Bool) throws(ServiceError) -> Bool {
    guard let value = self[key], !value.isNull else { return defaultValue }
    guard let flag = value.boolValue else { throw .invalidArgument("\(key) must be a boolean") }
    return flag
  }

  /// An optional boolean: nil when absent or null (PyTorch's `retain_graph=None`).
  func optionalBool(_ key: String) throws(ServiceError) -> Bool? {
    guard let value = self[key], !value.isNull else { return nil }
    guard let flag = value.boolValue else { throw .invalidArgument("\(key) must be a boolean") }
    return flag
  }

  func string(_ key: String) throws(ServiceError) -> String? {
    guard let value = self[key], !value.isNull else { return nil }
    guard let text = value.stringValue else { throw .invalidArgument("\(key) must be a string") }
    return text
  }

  /// A number member; the strings "NaN", "Infinity", "-Infinity" are numbers too.
  func number(_ key: String) throws(ServiceError) -> Double? {
    guard let value = self[key], !value.isNull else { return nil }
    if let number = value.doubleValue { return number }
    if let special = value.stringValue.flatMap(specialNumber) { return special }
    throw .invalidArgument("\(key) must be a number")
  }

  func int(_ key: String) throws(ServiceError) -> Int? {
    guard let value = self[key], !value.isNull else { return nil }
    guard let number = value.intValue else { throw .invalidArgument("\(key) must be an integer") }
    return number
  }
}

/// JSON's spelling of the non-finite numbers.
func specialNumber(_ text: String) -> Double? {
  switch text {
  case "NaN": .nan
  case "Infinity": .infinity
  case "-Infinity": -.infinity
  default: nil
  }
}
