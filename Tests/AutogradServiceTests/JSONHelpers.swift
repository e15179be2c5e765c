/// Reading values out of Foundation-parsed JSON in assertions.
enum J {
  /// Every number of a nested array (or a bare number), row-major.
  static func flat(_ value: Any?) -> [Double] {
    if let number = value as? Double { return [number] }
    if let number = value as? Int { return [Double(number)] }
    if let array = value as? [Any] { return array.flatMap { flat($0) } }
    return []
  }

  static func object(_ value: Any?) -> [String: Any] { value as? [String: Any] ?? [:] }

  static func string(_ value: Any?) -> String? { value as? String }
}

extension TestTarget {
  /// POSTs JSON and returns the parsed object, failing the call on an unexpected status.
  @discardableResult
  func expect(_ status: Int, _ method: String, _ path: String, _ json: String? = nil) async throws
    -> [String: Any]
  {
    let response = try await send(method, path, json: json)
    guard response.status == status else {
      throw TestFailure(
        "\(method) \(path) \(json ?? ""): expected \(status), got \(response.status): \(response.text)"
      )
    }
    return response.object
  }
}
