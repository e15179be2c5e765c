import Dispatch
import HTTPServer
import HTTPTypes
import Logging
import Synchronization

/// The REST API of `API.md` over the autograd engine: sessions, routes, JSON mapping and errors.
/// Handlers translate (decode, call the engine, encode); autograd itself lives in `Autograd`.
public final class AutogradService: HTTPHandler {
  let configuration: ServiceConfiguration
  let logger: Logger
  let store = SessionStore()
  let metrics: Metrics
  let requestIDs = RequestIDs()
  let router = Router(routes: routeTable)
  let apiKeys: APIKeys
  let memory: MemoryBudget
  private let draining = Atomic<Bool>(false)
  // nonisolated(unsafe): assigned once in init and afterwards only cancelled; Dispatch sources are thread-safe.
  nonisolated(unsafe) private let sweeper: any DispatchSourceTimer

  /// Every route as (method, path template), for comparing the router with `openapi.yaml`.
  public static let routeTemplates: [(method: String, path: String)] = routeTable.map {
    (method: $0.method.rawValue, path: $0.path)
  }

  public init(configuration: ServiceConfiguration = ServiceConfiguration(), logger: Logger) {
    self.configuration = configuration
    self.logger = logger
    self.apiKeys = APIKeys(configuration.apiKeys)
    self.memory = MemoryBudget(limit: configuration.maxTotalBytes)
    self.metrics = Metrics(routeTemplates: routeTable.map(\.path))
    self.sweeper = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
    startSweeper()
  }

  deinit {
    sweeper.cancel()
  }

  /// From now on `/readyz` answers 503, so a load balancer stops sending traffic while in-flight requests finish.
  public func beginDraining() {
    draining.store(true, ordering: .relaxed)
  }

  var isDraining: Bool { draining.load(ordering: .relaxed) }

  var sessionLimits: SessionLimits {
    SessionLimits(
      maxTensors: configuration.maxTensorsPerSession,
      maxElements: configuration.maxElementsPerTensor,
      maxJacobianElements: configuration.maxJacobianElements,
      maxGraphNodes: configuration.maxGraphNodesPerSession,
      maxBytes: configuration.maxSessionBytes,
      memory: memory)
  }

  /// Run on the I/O thread unless the request is a program or a Jacobian, whose cost the client sets (the server
  /// only hands small bodies here). Everything else is bounded by the session's limits, and a long one would
  /// hold one of the pool's two threads just as long.
  public func handlesInline(_ request: HTTPServerRequest) -> Bool {
    guard let target = request.head.path?.utf8 else { return true }
    let path = target[..<(target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)]
    let ends = { (suffix: String) in
      path.count >= suffix.utf8.count && path.suffix(suffix.utf8.count).elementsEqual(suffix.utf8)
    }
    return !ends("/eval") && !ends("/jacobian")
  }

  public func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
    let started = WallClock.monotonic()
    let requestID: String
    if let given = request.head.headerFields[.xRequestID], RequestIDs.accepts(given) {
      requestID = given
    } else {
      requestID = requestIDs.next()
    }
    let target = request.head.path ?? "/"
    let path: Substring
    let query: Substring?
    if let mark = target.firstIndex(of: "?") {
      path = target[..<mark]
      query = target[target.index(after: mark)...]
    } else {
      path = target[...]
      query = nil
    }

    var routeIndex = metrics.unmatchedRoute
    var response: HTTPServerResponse
    do throws(ServiceError) {
      switch router.route(method: request.head.method, path: path) {
      case .matched(let match):
        routeIndex = match.routeIndex
        let context = RequestContext(request: request, match: match, query: query)
        response = try await dispatch(routeTable[match.routeIndex].endpoint, context)
      case .wrongMethod(let allow):
        throw .methodNotAllowed(allow: allow)
      case .noRoute:
        throw .notFound("no route for \(request.head.method.rawValue) \(path)")
      }
    } catch {
      response = Responses.problem(error)
      if error.status == .unauthorized {
        response.headerFields[.wwwAuthenticate] = APIKeys.challenge
      }
    }
    // Appended: no handler sets it, and the subscript setter would scan and splice the fields.
    response.headerFields.append(HTTPField(name: .xRequestID, value: requestID))

    let seconds = WallClock.monotonic() - started
    let status = response.status.code
    metrics.record(
      method: request.head.method.rawValue, route: routeIndex, status: status, seconds: seconds)
    logger.info(
      "request",
      metadata: [
        "method": "\(request.head.method.rawValue)",
        "route": "\(routeIndex < routeTable.count ? routeTable[routeIndex].path : "unmatched")",
        "status": "\(status)",
        "duration_ms": "\(milliseconds(seconds))",
        "request_id": "\(requestID)",
      ])
    return response
  }

  private func dispatch(_ endpoint: Endpoint, _ context: RequestContext) async throws(ServiceError)
    -> HTTPServerResponse
  {
    switch endpoint {
    case .healthz: return Responses.json(.ok, Array(#"{"status":"ok"}"#.utf8))
    case .readyz: return readyz()
    case .metrics:
      if !configuration.metricsPublic { _ = try authorize(context.request) }
      return metricsText()
    case .openAPI: return Responses.text(.ok, OpenAPIDocument.text, contentType: "application/yaml")
    default: break
    }
    let owner = try authorize(context.request)
    switch endpoint {
    case .healthz, .readyz, .metrics, .openAPI: throw .notFound("no route")
    case .listOps: return try listOps(context)
    case .createSession: return try createSession(context, owner: owner)
    case .listSessions: return try listSessions(context, owner: owner)
    case .getSession: return try await getSession(context, owner: owner)
    case .deleteSession: return try deleteSession(context, owner: owner)
    case .createTensor: return try await createTensor(context, owner: owner)
    case .listTensors: return try await listTensors(context, owner: owner)
    case .getTensor: return try await getTensor(context, owner: owner)
    case .patchTensor: return try await patchTensor(context, owner: owner)
    case .deleteTensor: return try await deleteTensor(context, owner: owner)
    case .applyOps: return try await applyOps(context, owner: owner)
    case .backward: return try await backward(context, owner: owner)
    case .getGrad: return try await getGrad(context, owner: owner)
    case .deleteGrad: return try await deleteGrad(context, owner: owner)
    case .zeroGrad: return try await zeroGrad(context, owner: owner)
    case .autogradGrad: return try await autogradGrad(context, owner: owner)
    case .jacobian: return try await jacobian(context, owner: owner)
    case .graph: return try await graph(context, owner: owner)
    case .eval: return try await eval(context, owner: owner)
    }
  }

  private func readyz() -> HTTPServerResponse {
    if isDraining {
      return Responses.problem(
        ServiceError(.serviceUnavailable, "draining", "the server is shutting down"))
    }
    return Responses.json(.ok, Array(#"{"status":"ready"}"#.utf8))
  }

  private func metricsText() -> HTTPServerResponse {
    var tensors = 0
    var bytes = 0
    let sessions = store.all
    for session in sessions {
      tensors += session.namedTensorCount.load(ordering: .relaxed)
      bytes += session.namedTensorBytes.load(ordering: .relaxed)
    }
    let text = metrics.render(
      sessions: sessions.count, tensors: tensors, tensorBytes: bytes,
      budgetUsed: memory.bytesUsed, budgetLimit: memory.limit)
    return Responses.text(.ok, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
  }

  /// The caller's owner label when keys are configured (nil otherwise); 401 when the key is missing or wrong.
  private func authorize(_ request: HTTPServerRequest) throws(ServiceError) -> String? {
    try apiKeys.owner(of: request.head)
  }

  private func startSweeper() {
    let interval = max(configuration.sweepInterval, 0.01)
    sweeper.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
    sweeper.setEventHandler { [weak self] in
      self?.store.sweep(now: WallClock.now())
    }
    sweeper.resume()
  }
}

/// Milliseconds with three decimals, without Foundation's formatters.
func milliseconds(_ seconds: Double) -> String {
  let micros = Int((seconds * 1_000_000).rounded())
  let fraction = String(micros % 1000)
  return "\(micros / 1000)." + String(repeating: "0", count: 3 - fraction.utf8.count) + fraction
}

/// What a handler needs to know about the request.
struct RequestContext: Sendable {
  let request: HTTPServerRequest
  let match: RouteMatch
  let query: Substring?
}

extension HTTPField.Name {
  static let xRequestID = HTTPField.Name("X-Request-Id")!
  static let xAPIKey = HTTPField.Name("X-API-Key")!
}

extension String {
  func trimmingSpaces() -> String {
    var s = Substring(self)
    while s.first == " " { s.removeFirst() }
    while s.last == " " { s.removeLast() }
    return String(s)
  }
}
