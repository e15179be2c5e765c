import Glibc
import HTTPTypes

/// One line of the route table.
struct Route: Sendable {
  enum Segment: Sendable, Equatable {
    case literal(String)
    case sessionID
    case tensorName
  }

  let method: HTTPRequest.Method
  let path: String
  let endpoint: Endpoint
  let segments: [Segment]

  init(_ method: HTTPRequest.Method, _ path: String, _ endpoint: Endpoint) {
    self.method = method
    self.path = path
    self.endpoint = endpoint
    self.segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
      part in
      switch part {
      case "{sid}": .sessionID
      case "{name}": .tensorName
      default: .literal(String(part))
      }
    }
  }
}

/// Where a request path led.
struct RouteMatch {
  /// Index into `routeTable`: also the metrics label's key.
  var routeIndex: Int
  var sessionID: Substring?
  var tensorName: Substring?
}

/// Matches paths against `routeTable`. A path that matches some route's segments but not its method is a 405 with
/// the methods that path takes.
struct Router: Sendable {
  enum Outcome {
    case matched(RouteMatch)
    case wrongMethod(allow: String)
    case noRoute
  }

  let routes: [Route]
  /// Route indices by segment count, so a path is only held against routes of its own length.
  private let byLength: [[Int]]
  /// Each route's literal segments as bytes (empty for parameters), by route and segment.
  private let literals: [[[UInt8]]]

  init(routes: [Route]) {
    self.routes = routes
    var byLength: [[Int]] = Array(
      repeating: [], count: (routes.map(\.segments.count).max() ?? 0) + 1)
    for (index, route) in routes.enumerated() { byLength[route.segments.count].append(index) }
    self.byLength = byLength
    literals = routes.map { route in
      route.segments.map { segment in
        if case .literal(let text) = segment { return Array(text.utf8) }
        return []
      }
    }
  }

  func route(method: HTTPRequest.Method, path: Substring) -> Outcome {
    if let outcome = path.utf8.withContiguousStorageIfAvailable({
      route(method: method, bytes: $0, path: path)
    }) {
      return outcome
    }
    // Not contiguous UTF-8 (a bridged string): never the server's own, which it builds from bytes.
    var copy = String(path)
    copy.makeContiguousUTF8()
    return route(method: method, path: copy[...])
  }

  /// Matches on the path's bytes: segments are found again for each candidate route instead of split into an
  /// array, so there is no allocation per request; parameters become substrings of `path` only on a match.
  private func route(method: HTTPRequest.Method, bytes: UnsafeBufferPointer<UInt8>, path: Substring)
    -> Outcome
  {
    guard let base = bytes.baseAddress, bytes.first == UInt8(ascii: "/") else { return .noRoute }
    var segmentCount = 0
    for byte in bytes where byte == UInt8(ascii: "/") { segmentCount += 1 }
    guard segmentCount < byLength.count else { return .noRoute }
    var allowed: [String] = []
    for index in byLength[segmentCount] {
      let route = routes[index]
      var sessionID: Range<Int>?
      var tensorName: Range<Int>?
      var fits = true
      var start = 1
      for (k, segment) in route.segments.enumerated() {
        var end = start
        while end < bytes.count && bytes[end] != UInt8(ascii: "/") { end += 1 }
        switch segment {
        case .literal:
          let literal = literals[index][k]
          fits =
            literal.count == end - start
            && literal.withUnsafeBufferPointer { text in
              guard let textBase = text.baseAddress else { return true }  // both empty
              return memcmp(textBase, base + start, text.count) == 0
            }
        case .sessionID:
          fits = end > start
          sessionID = start..<end
        case .tensorName:
          fits = end > start
          tensorName = start..<end
        }
        if !fits { break }
        start = end + 1
      }
      guard fits else { continue }
      if route.method == method {
        var match = RouteMatch(routeIndex: index)
        match.sessionID = sessionID.map { Router.slice(path, $0) }
        match.tensorName = tensorName.map { Router.slice(path, $0) }
        return .matched(match)
      }
      allowed.append(route.method.rawValue)
    }
    if allowed.isEmpty { return .noRoute }
    return .wrongMethod(allow: allowed.sorted().joined(separator: ", "))
  }

  /// The bytes `range` of `path` (offsets from its start, on `/` boundaries) as a substring.
  private static func slice(_ path: Substring, _ range: Range<Int>) -> Substring {
    let utf8 = path.utf8
    let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let upper = utf8.index(lower, offsetBy: range.count)
    return path[lower..<upper]
  }
}

extension RouteMatch {
  init(routeIndex: Int) {
    self.routeIndex = routeIndex
    self.sessionID = nil
    self.tensorName = nil
  }
}
