import Synchronization

/// The live sessions, by id. Critical sections are dictionary operations only; a session's graphs are freed outside
/// the lock, when the last reference to it goes.
///
/// Sharded: a lookup (every request) takes only the lock of its id's shard, so the I/O threads rarely wait for each
/// other (one lock for all made them meet in futex system calls under load). Changes (create, remove, sweep) also
/// hold `writer`, so the session limits are checked against an exact count.
final class SessionStore: Sendable {
  private final class Shard: Sendable {
    let sessions = Mutex<[SessionKey: Session]>([:])
  }

  private static let shardCount = 16
  private let shards: [Shard] = (0..<SessionStore.shardCount).map { _ in Shard() }
  /// The live sessions over all shards; held while any shard changes.
  private let writer = Mutex<Int>(0)

  private func shard(_ key: SessionKey) -> Shard {
    shards[Int(truncatingIfNeeded: key.low) & (SessionStore.shardCount - 1)]
  }

  var count: Int { writer.withLock { $0 } }

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
    let refusal: ServiceError? = writer.withLock { live in
      func ownCount() -> Int {
        guard owner != nil else { return 0 }
        return shards.reduce(0) { total, shard in
          total
            + shard.sessions.withLock { $0.values.reduce(0) { $0 + ($1.owner == owner ? 1 : 0) } }
        }
      }
      if live >= limit || ownCount() >= perOwnerLimit {
        expired = removeExpired(now: now, live: &live)
      }
      guard live < limit else {
        return .limitExceeded("the server holds at most \(limit) live sessions (max-sessions)")
      }
      guard ownCount() < perOwnerLimit else {
        return .limitExceeded(
          "an API key may hold at most \(perOwnerLimit) live sessions (max-sessions-per-key)")
      }
      shard(key).sessions.withLock { $0[key] = session }
      live += 1
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
    let session = shard(key).sessions.withLock { $0[key] }
    guard let session, session.owner == owner, !session.isExpired(now: now) else { return nil }
    session.touch(now: now)
    return session
  }

  func remove(_ session: Session) {
    guard let key = SessionKey(session.id[...]) else { return }
    let removed = writer.withLock { live in
      let removed = shard(key).sessions.withLock { $0.removeValue(forKey: key) }
      if removed != nil { live -= 1 }
      return removed
    }
    removed?.close()  // its graphs are freed outside the lock (once in-flight requests let go)
  }

  func list(owner: String?, now: Double) -> [Session] {
    all.filter { $0.owner == owner && !$0.isExpired(now: now) }.sorted { $0.id < $1.id }
  }

  var all: [Session] {
    shards.flatMap { shard in shard.sessions.withLock { Array($0.values) } }
  }

  /// Drops the sessions idle past their TTL.
  func sweep(now: Double) {
    let expired = writer.withLock { live in removeExpired(now: now, live: &live) }
    for session in expired { session.close() }  // freed outside the lock
  }

  /// Holding `writer`.
  private func removeExpired(now: Double, live: inout Int) -> [Session] {
    var expired: [Session] = []
    for shard in shards {
      shard.sessions.withLock { sessions in
        let gone = sessions.filter { $0.value.isExpired(now: now) }
        for key in gone.keys { sessions.removeValue(forKey: key) }
        expired.append(contentsOf: gone.values)
      }
    }
    live -= expired.count
    return expired
  }

  /// 128 random bits, base64url without padding (22 characters).
  static func newID() -> String { SessionKey.random().text }
}
