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

  init(routes: [Route]) {
    self.routes = routes
    var byLength: [[Int]] = Array(
      repeating: [], count: (routes.map(\.segments.count).max() ?? 0) + 1)
    for (index, route) in routes.enumerated() { byLength[route.segments.count].append(index) }
    self.byLength = byLength
  }

  func route(method: HTTPRequest.Method, path: Substring) -> Outcome {
    let utf8 = path.utf8
    guard utf8.first == UInt8(ascii: "/") else { return .noRoute }
    // Segments are found again for each candidate route instead of split into an array: no allocation per request.
    let segmentCount = utf8.reduce(0) { $1 == UInt8(ascii: "/") ? $0 + 1 : $0 }
    guard segmentCount < byLength.count else { return .noRoute }
    var allowed: [String] = []
    for index in byLength[segmentCount] {
      let route = routes[index]
      var match = RouteMatch(routeIndex: index)
      var fits = true
      var rest = utf8.dropFirst()
      for segment in route.segments {
        let end = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let part = rest[..<end]
        rest = end == rest.endIndex ? rest[end...] : rest[rest.index(after: end)...]
        switch segment {
        case .literal(let text):
          fits = Router.equal(part, text)
        case .sessionID:
          fits = !part.isEmpty
          match.sessionID = Substring(part)
        case .tensorName:
          fits = !part.isEmpty
          match.tensorName = Substring(part)
        }
        if !fits { break }
      }
      guard fits else { continue }
      if route.method == method { return .matched(match) }
      allowed.append(route.method.rawValue)
    }
    if allowed.isEmpty { return .noRoute }
    return .wrongMethod(allow: allowed.sorted().joined(separator: ", "))
  }
}

extension Router {
  /// Byte equality through contiguous storage when both have it (every native string does): the generic
  /// `elementsEqual` walks both views through protocol witnesses.
  static func equal(_ part: Substring.UTF8View, _ text: String) -> Bool {
    let fast = part.withContiguousStorageIfAvailable { partBytes in
      text.utf8.withContiguousStorageIfAvailable { textBytes in
        guard partBytes.count == textBytes.count else { return false }
        guard let a = partBytes.baseAddress, let b = textBytes.baseAddress else { return true }  // both empty
        return memcmp(a, b, partBytes.count) == 0
      }
    }
    return (fast ?? nil) ?? part.elementsEqual(text.utf8)
  }
}

extension RouteMatch {
  init(routeIndex: Int) {
    self.routeIndex = routeIndex
    self.sessionID = nil
    self.tensorName = nil
  }
}
