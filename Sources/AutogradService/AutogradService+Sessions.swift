import HTTPServer
import TensorJSON

extension AutogradService {
  func createSession(_ context: RequestContext, owner: String?) throws(ServiceError)
    -> HTTPServerResponse
  {
    let body = try RequestBody.object(
      context.request, required: false, allowed: BodyKeys.session, what: "a session")
    var ttl = configuration.defaultTTL
    if let requested = try body.number("ttl_seconds") {
      guard requested > 0, requested <= configuration.maxTTL else {
        throw .invalidArgument("ttl_seconds must be a number in (0, \(configuration.maxTTL)]")
      }
      ttl = requested
    }
    let now = WallClock.now()
    let session = try store.create(
      owner: owner, ttl: ttl, now: now, limit: configuration.maxSessions,
      perOwnerLimit: configuration.maxSessionsPerKey, limits: sessionLimits)
    var out = JSONWriter()
    out.beginObject()
    out.key("id")
    out.string(session.id)
    out.key("tensors")
    out.beginArray()
    out.endArray()
    out.key("expires_at")
    out.string(WallClock.rfc3339(session.expiresAt))
    out.endObject()
    return Responses.json(.created, out.bytes, location: "/v1/sessions/" + session.id)
  }

  func listSessions(_ context: RequestContext, owner: String?) throws(ServiceError)
    -> HTTPServerResponse
  {
    var out = JSONWriter()
    out.beginObject()
    out.key("sessions")
    out.beginArray()
    for session in store.list(owner: owner, now: WallClock.now()) {
      out.beginObject()
      out.key("id")
      out.string(session.id)
      out.key("expires_at")
      out.string(WallClock.rfc3339(session.expiresAt))
      out.key("tensors")
      out.int(session.namedTensorCount.load(ordering: .relaxed))
      out.endObject()
    }
    out.endArray()
    out.endObject()
    return Responses.json(.ok, out.bytes)
  }

  func getSession(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      var out = JSONWriter()
      out.beginObject()
      out.key("id")
      out.string(session.id)
      out.key("created_at")
      out.string(WallClock.rfc3339(session.createdAt))
      out.key("expires_at")
      out.string(WallClock.rfc3339(session.expiresAt))
      out.key("tensors")
      out.beginArray()
      for (name, binding) in state.listing {
        out.tensorObject(binding.tensor, name: name, id: binding.id, data: false)
      }
      out.endArray()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  func deleteSession(_ context: RequestContext, owner: String?) throws(ServiceError)
    -> HTTPServerResponse
  {
    let session = try session(context, owner: owner)
    store.remove(session)
    return Responses.noContent()
  }

  /// The request's session, or 404 (also for another key's session, so ids cannot be probed).
  func session(_ context: RequestContext, owner: String?) throws(ServiceError) -> Session {
    guard let id = context.match.sessionID,
      let session = store.lookup(id, owner: owner, now: WallClock.now())
    else {
      throw .notFound("no session \(context.match.sessionID.map { String($0) } ?? "")")
    }
    return session
  }

  func listOps(_ context: RequestContext) throws(ServiceError) -> HTTPServerResponse {
    Responses.json(.ok, AutogradService.opsListing)
  }
}
