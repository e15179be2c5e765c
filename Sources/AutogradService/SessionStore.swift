import Synchronization

/// The live sessions, by id. Critical sections are dictionary operations only; a session's graphs are freed outside
/// the lock, when the last reference to it goes.
final class SessionStore: Sendable {
  private let sessions = Mutex<[SessionKey: Session]>([:])

  var count: Int { sessions.withLock { $0.count } }

  /// Registers a new session, or refuses when `limit` sessions are live, or `perOwnerLimit` of this owner's
  /// (after dropping the expired ones). The per-owner limit applies only to sessions created with an API key.
  func create(
    owner: String?, ttl: Double, now: Double, limit: Int, perOwnerLimit: Int,
    limits: SessionLimits
  )
    throws(ServiceError)
    -> Session
  {
    let key = SessionKey.random()
    let session = Session(id: key.text, owner: owner, ttl: ttl, now: now, limits: limits)
    var expired: [Session] = []
    let refusal: ServiceError? = sessions.withLock { sessions in
      func ownCount() -> Int {
        guard owner != nil else { return 0 }
        return sessions.values.reduce(0) { $0 + ($1.owner == owner ? 1 : 0) }
      }
      if sessions.count >= limit || ownCount() >= perOwnerLimit {
        expired = SessionStore.removeExpired(from: &sessions, now: now)
      }
      guard sessions.count < limit else {
        return .limitExceeded("the server holds at most \(limit) live sessions (max-sessions)")
      }
      guard ownCount() < perOwnerLimit else {
        return .limitExceeded(
          "an API key may hold at most \(perOwnerLimit) live sessions (max-sessions-per-key)")
      }
      sessions[key] = session
      return nil
    }
    // The expired sessions' graphs are freed here, outside the lock, as `expired` goes away.
    for old in expired { old.close() }
    if let refusal { throw refusal }
    return session
  }

  /// The session with this id if it is live and belongs to `owner`; refreshes its idle timer.
  func lookup(_ id: Substring, owner: String?, now: Double) -> Session? {
    guard let key = SessionKey(id) else { return nil }
    let session = sessions.withLock { $0[key] }
    guard let session, session.owner == owner, !session.isExpired(now: now) else { return nil }
    session.touch(now: now)
    return session
  }

  func remove(_ session: Session) {
    guard let key = SessionKey(session.id[...]) else { return }
    let removed = sessions.withLock { $0.removeValue(forKey: key) }
    removed?.close()  // its graphs are freed outside the lock (once in-flight requests let go)
  }

  func list(owner: String?, now: Double) -> [Session] {
    sessions.withLock { sessions in
      sessions.values.filter { $0.owner == owner && !$0.isExpired(now: now) }
    }.sorted { $0.id < $1.id }
  }

  var all: [Session] { sessions.withLock { Array($0.values) } }

  /// Drops the sessions idle past their TTL.
  func sweep(now: Double) {
    let expired = sessions.withLock { SessionStore.removeExpired(from: &$0, now: now) }
    for session in expired { session.close() }  // freed outside the lock
  }

  private static func removeExpired(from sessions: inout [SessionKey: Session], now: Double)
    -> [Session]
  {
    let expired = sessions.filter { $0.value.isExpired(now: now) }
    for key in expired.keys { sessions.removeValue(forKey: key) }
    return Array(expired.values)
  }

  /// 128 random bits, base64url without padding (22 characters).
  static func newID() -> String { SessionKey.random().text }
}
