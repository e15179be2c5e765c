import Foundation
import HTTPServer
import HTTPTypes
import Logging

@testable import AutogradService

/// A response as a test sees it.
struct TestResponse: Sendable {
  var status: Int
  var headers: [(String, String)]
  var body: [UInt8]

  func header(_ name: String) -> String? {
    headers.first { $0.0.lowercased() == name.lowercased() }?.1
  }

  var text: String { String(decoding: body, as: UTF8.self) }

  /// The body parsed with Foundation, which is fine in tests (the service itself never uses it).
  var json: Any? {
    try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
  }

  var object: [String: Any] { json as? [String: Any] ?? [:] }
}

/// Sends requests either straight to the handler or over a real socket; the same test body runs against both.
protocol TestTarget: Sendable {
  func send(_ method: String, _ path: String, body: String?, headers: [(String, String)])
    async throws
    -> TestResponse
  /// A target on its own connection to the same service (parallel clients).
  func fork() async throws -> any TestTarget
}

extension TestTarget {
  func send(_ method: String, _ path: String, json: String? = nil, headers: [(String, String)] = [])
    async throws -> TestResponse
  {
    var headers = headers
    if json != nil, !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
      headers.append(("Content-Type", "application/json"))
    }
    return try await send(method, path, body: json, headers: headers)
  }

  /// Creates a session and answers its path prefix, `/v1/sessions/<id>`.
  func newSession() async throws -> String {
    let response = try await send("POST", "/v1/sessions")
    guard let id = response.object["id"] as? String else {
      throw TestFailure("session not created: \(response.status) \(response.text)")
    }
    return "/v1/sessions/" + id
  }
}

struct TestFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}

/// Calls `AutogradService.handle` in-process.
struct InProcessTarget: TestTarget {
  let service: AutogradService

  init(service: AutogradService) {
    self.service = service
  }

  func fork() async throws -> any TestTarget { self }

  init(configuration: ServiceConfiguration = ServiceConfiguration()) {
    service = AutogradService(
      configuration: configuration,
      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
  }

  func send(_ method: String, _ path: String, body: String?, headers: [(String, String)])
    async throws
    -> TestResponse
  {
    var fields = HTTPFields()
    for (name, value) in headers {
      if let fieldName = HTTPField.Name(name) {
        fields.append(HTTPField(name: fieldName, value: value))
      }
    }
    let head = HTTPRequest(
      method: HTTPRequest.Method(method) ?? .get, scheme: "http", authority: "localhost",
      path: path,
      headerFields: fields)
    let response = await service.handle(
      HTTPServerRequest(head: head, body: Array((body ?? "").utf8)))
    return TestResponse(
      status: response.status.code,
      headers: response.allHeaderFields.map { ($0.name.canonicalName, $0.value) },
      body: response.body)
  }
}
