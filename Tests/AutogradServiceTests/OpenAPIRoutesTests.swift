import AutogradService
import Foundation
import Testing

/// The contract users read (`openapi.yaml`), the document the server serves, and the router must agree.
@Suite struct OpenAPIRoutesTests {
  static let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func rootDocument() throws -> String {
    try String(contentsOf: repositoryRoot.appendingPathComponent("openapi.yaml"), encoding: .utf8)
  }

  struct Route: Hashable, CustomStringConvertible {
    let method: String
    let path: String
    var description: String { "\(method) \(path)" }
  }

  /// The operations under `paths:`. openapi.yaml keeps one layout (a path at two spaces of indentation, its
  /// methods at four), so reading that layout is enough; the validator in .ci/run checks the rest of the document.
  static func documentedRoutes(_ yaml: String) -> Set<Route> {
    let methods: Set<String> = [
      "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ]
    var routes: Set<Route> = []
    var inPaths = false
    var currentPath: String?
    for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
      if !line.hasPrefix(" ") && !line.isEmpty {
        inPaths = line == "paths:"
        continue
      }
      guard inPaths else { continue }
      if let match = line.wholeMatch(of: /\ {2}(\/[^ :]*):/) {
        currentPath = String(match.1)
      } else if let match = line.wholeMatch(of: /\ {4}([a-z]+):/),
        methods.contains(String(match.1)),
        let currentPath
      {
        routes.insert(Route(method: match.1.uppercased(), path: currentPath))
      }
    }
    return routes
  }

  @Test func servedDocumentIsTheRootOpenAPIFileByteForByte() throws {
    #expect(OpenAPIDocument.text == (try Self.rootDocument()), "run scripts/embed-openapi.sh")
  }

  @Test func documentedOperationsAreExactlyTheRouterRoutes() throws {
    let documented = Self.documentedRoutes(try Self.rootDocument())
    let routed = Set(
      AutogradService.routeTemplates.map { Route(method: $0.method.uppercased(), path: $0.path) })
    #expect(routed.count == AutogradService.routeTemplates.count, "the router lists a route twice")
    #expect(
      documented.subtracting(routed).isEmpty,
      "in openapi.yaml, not routed: \(documented.subtracting(routed))")
    #expect(
      routed.subtracting(documented).isEmpty,
      "routed, not in openapi.yaml: \(routed.subtracting(documented))")
    #expect(documented.count == 23)
  }

  @Test func documentReaderFindsEachOperationOfAPath() {
    let yaml = """
      openapi: 3.1.0
      paths:
        /v1/sessions/{sid}:
          parameters:
            - $ref: "#/components/parameters/SessionId"
          get:
            summary: x
          delete:
            responses:
              "204":
                description: gone
      components:
        schemas:
          get:
            type: object
      """
    #expect(
      Self.documentedRoutes(yaml) == [
        Route(method: "GET", path: "/v1/sessions/{sid}"),
        Route(method: "DELETE", path: "/v1/sessions/{sid}"),
      ])
  }
}
