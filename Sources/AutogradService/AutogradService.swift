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
    request.withPath { target in
      let path = target[..<(target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)]
      let ends = { (suffix: StaticString) in
        path.count >= suffix.utf8CodeUnitCount
          && suffix.withUTF8Buffer { path.suffix($0.count).elementsEqual($0) }
      }
      return !ends("/eval") && !ends("/jacobian")
    }
  }

  public func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse {
    let (call, reply) = begin(request)
    // Consumed, so the response's header fields are referenced once and `finish` appends to them in place.
    switch consume reply {
    case .success(.response(let response)):
      return finish(call, request, .success(response))
    case .success(.session(let session, let work)):
      return finish(call, request, await session.run(work))
    case .failure(let error):
      return finish(call, request, .failure(error))
    }
  }

  /// `handle` on the I/O thread, for every request but a program or a Jacobian (see `handlesInline`), when its
  /// session is idle; nil, having changed nothing, when it must wait (then `handle` queues it).
  public func respondImmediately(to request: HTTPServerRequest) -> HTTPServerResponse? {
    let (call, reply) = begin(request)
    switch consume reply {
    case .success(.response(let response)):
      return finish(call, request, .success(response))
    case .success(.session(let session, let work)):
      if call.endpoint == .eval || call.endpoint == .jacobian { return nil }
      guard let result = session.runIfIdle(work) else { return nil }
      return finish(call, request, result)
    case .failure(let error):
      return finish(call, request, .failure(error))
    }
  }

  /// A routed request, for its metrics: when it started and where it led.
  private struct Call {
    var started: Double
    var routeIndex: Int
    var endpoint: Endpoint?
  }

  /// Routes the request and takes its handler's reply; the session work in the reply has not run yet. The reply
  /// is returned apart from `Call` so the caller can consume it: a response kept in a struct alive until `finish`
  /// would share its header storage, and appending `X-Request-Id` would copy it.
  private func begin(_ request: HTTPServerRequest) -> (Call, Result<Reply, ServiceError>) {
    let started = WallClock.monotonic()
    // A String: the route's parameters are substrings of it.
    let target = request.path
    let path: Substring
    let query: Substring?
    // On UTF-8 bytes: `firstIndex(of: Character)` walks grapheme clusters.
    if let mark = target.utf8.firstIndex(of: UInt8(ascii: "?")) {
      path = target[..<mark]
      query = target[target.utf8.index(after: mark)...]
    } else {
      path = target[...]
      query = nil
    }
    var call = Call(started: started, routeIndex: metrics.unmatchedRoute, endpoint: nil)
    let reply: Result<Reply, ServiceError>
    do throws(ServiceError) {
      switch router.route(method: request.method, path: path) {
      case .matched(let match):
        call.routeIndex = match.routeIndex
        let endpoint = routeTable[match.routeIndex].endpoint
        call.endpoint = endpoint
        let context = RequestContext(request: request, match: match, query: query)
        reply = .success(try dispatch(endpoint, context))
      case .wrongMethod(let allow):
        throw .methodNotAllowed(allow: allow)
      case .noRoute:
        throw .notFound("no route for \(request.method.rawValue) \(path)")
      }
    } catch {
      reply = .failure(error)
    }
    return (call, reply)
  }

  private func finish(
    _ call: Call, _ request: HTTPServerRequest,
    _ result: consuming Result<HTTPServerResponse, ServiceError>
  ) -> HTTPServerResponse {
    var response: HTTPServerResponse
    switch consume result {
    case .success(let answer):
      response = answer
    case .failure(let error):
      response = Responses.problem(error)
      if error.status == .unauthorized {
        response.headerFields[.wwwAuthenticate] = APIKeys.challenge
      }
    }
    let requestID: String
    if let given = request.headerValue(.xRequestID), RequestIDs.accepts(given) {
      requestID = given
    } else {
      requestID = requestIDs.next()
    }
    // Written by the server's encoder: most responses then need no field list at all.
    response.requestID = requestID

    let seconds = WallClock.monotonic() - call.started
    let status = response.status.code
    let routeIndex = call.routeIndex
    metrics.record(
      method: request.method.rawValue, route: routeIndex, status: status, seconds: seconds)
    logger.info(
      "request",
      metadata: [
        "method": "\(request.method.rawValue)",
        "route": "\(routeIndex < routeTable.count ? routeTable[routeIndex].path : "unmatched")",
        "status": "\(status)",
        "duration_ms": "\(milliseconds(seconds))",
        "request_id": "\(requestID)",
      ])
    return response
  }

  private func dispatch(_ endpoint: Endpoint, _ context: RequestContext) throws(ServiceError)
    -> Reply
  {
    switch endpoint {
    case .healthz: return .response(Responses.json(.ok, Array(#"{"status":"ok"}"#.utf8)))
    case .readyz: return .response(readyz())
    case .metrics:
      if !configuration.metricsPublic { _ = try authorize(context.request) }
      return .response(metricsText())
    case .openAPI:
      return .response(
        Responses.text(.ok, OpenAPIDocument.text, contentType: "application/yaml"))
    default: break
    }
    let owner = try authorize(context.request)
    switch endpoint {
    case .healthz, .readyz, .metrics, .openAPI: throw .notFound("no route")
    case .listOps: return .response(try listOps(context))
    case .createSession: return .response(try createSession(context, owner: owner))
    case .listSessions: return .response(try listSessions(context, owner: owner))
    case .getSession: return try getSession(context, owner: owner)
    case .deleteSession: return .response(try deleteSession(context, owner: owner))
    case .createTensor: return try createTensor(context, owner: owner)
    case .listTensors: return try listTensors(context, owner: owner)
    case .getTensor: return try getTensor(context, owner: owner)
    case .patchTensor: return try patchTensor(context, owner: owner)
    case .deleteTensor: return try deleteTensor(context, owner: owner)
    case .applyOps: return try applyOps(context, owner: owner)
    case .backward: return try backward(context, owner: owner)
    case .getGrad: return try getGrad(context, owner: owner)
    case .deleteGrad: return try deleteGrad(context, owner: owner)
    case .zeroGrad: return try zeroGrad(context, owner: owner)
    case .autogradGrad: return try autogradGrad(context, owner: owner)
    case .jacobian: return try jacobian(context, owner: owner)
    case .graph: return try graph(context, owner: owner)
    case .eval: return try eval(context, owner: owner)
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
    try apiKeys.owner(of: request)
  }

  private func startSweeper() {
    let interval = max(configuration.sweepInterval, 0.01)
    sweeper.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
    sweeper.setEventHandler { [weak self] in
      self?.store.sweep(now: WallClock.now())
      LargeBufferPool.drainIfUnused()
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
