import HTTPServer
import HTTPTypes

/// The configured API keys and the check of a request's credentials against them.
///
/// A session's owner is the *index* of the key that created it (`key-0`, `key-1`, ...), so sessions never hold a
/// copy of a secret and nothing derived from one reaches a log or a metric.
struct APIKeys: Sendable {
  private let keys: [[UInt8]]

  init(_ keys: [String]) {
    self.keys = keys.map { Array($0.utf8) }
  }

  var isEmpty: Bool { keys.isEmpty }

  static let challenge = #"Bearer realm="autograd""#

  /// The owner label of the request's key; nil when no key is configured; 401 when the key is missing or wrong.
  func owner(of request: HTTPServerRequest) throws(ServiceError) -> String? {
    guard !keys.isEmpty else { return nil }
    guard let given = APIKeys.credential(request) else {
      throw APIKeys.unauthorized("an API key is required (Authorization: Bearer KEY)")
    }
    // Every key is compared in full whichever matches, so timing tells nothing about which or how much matched.
    var match = -1
    for (index, key) in keys.enumerated() where APIKeys.constantTimeEqual(given, key) {
      match = index
    }
    guard match >= 0 else { throw APIKeys.unauthorized("the API key is not valid") }
    return "key-\(match)"
  }

  static func unauthorized(_ detail: String) -> ServiceError {
    ServiceError(.unauthorized, "unauthorized", detail)
  }

  /// `Authorization: Bearer KEY` (scheme case-insensitive, RFC 9110 §11.1), else `X-API-Key: KEY`.
  static func credential(_ request: HTTPServerRequest) -> [UInt8]? {
    if let authorization = request.withHeaderValue(.authorization, { $0.map { Array($0) } }) {
      let bytes = authorization
      let scheme = Array("bearer ".utf8)
      guard bytes.count > scheme.count,
        zip(bytes, scheme).allSatisfy({ lowercase($0) == $1 })
      else { return nil }
      let token = trimmed(bytes[scheme.count...])
      return token.isEmpty ? nil : token
    }
    if let key = request.withHeaderValue(.xAPIKey, { $0.map { Array($0) } }) {
      let token = trimmed(key[...])
      return token.isEmpty ? nil : token
    }
    return nil
  }

  private static func lowercase(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
  }

  private static func trimmed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
    var slice = bytes
    while slice.first == UInt8(ascii: " ") || slice.first == UInt8(ascii: "\t") {
      slice.removeFirst()
    }
    while slice.last == UInt8(ascii: " ") || slice.last == UInt8(ascii: "\t") { slice.removeLast() }
    return Array(slice)
  }

  /// Compares without an early exit: the time taken depends on the lengths only, never on where bytes differ.
  static func constantTimeEqual(_ given: [UInt8], _ key: [UInt8]) -> Bool {
    var difference = UInt8(given.count == key.count ? 0 : 1)
    for i in 0..<key.count {
      // A shorter `given` is compared against itself cyclically, so the loop always runs `key.count` times.
      let byte = given.isEmpty ? 0 : given[i % given.count]
      difference |= byte ^ key[i]
    }
    return difference == 0
  }
}
