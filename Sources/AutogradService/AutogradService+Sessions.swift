import HTTPServer

extension AutogradService {
  func createSession(_ context: RequestContext, owner: String?) throws(ServiceError)
    -> HTTPServerResponse
  {
    // body parsed once TensorJSON lands
    let now = WallClock.now()
    let session = try store.create(
      owner: owner, ttl: configuration.defaultTTL, now: now, limit: configuration.maxSessions,
      limits: sessionLimits)
    var out = JSONOutput()
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
    var out = JSONOutput()
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

  func getSession(_ context: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  {
    let session = try session(context, owner: owner)
    return try await session.run { state throws(ServiceError) in
      var out = JSONOutput()
      out.beginObject()
      out.key("id")
      out.string(session.id)
      out.key("expires_at")
      out.string(WallClock.rfc3339(session.expiresAt))
      out.key("tensors")
      out.beginArray()
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
    Responses.json(.ok, Array(#"{"ops":[]}"#.utf8))
  }
}
