import Autograd
import HTTPServer
import Synchronization

/// One client's tensors and names.
///
/// `state` is touched only by the holder of `gate`: requests on one session run one at a time, in arrival order
/// (the gate is FIFO; an actor is not), while requests on different sessions run in parallel on the threads that
/// received them. Dropping the last reference (the store's, then in-flight requests') frees every graph.
final class Session: @unchecked Sendable {
  // @unchecked: `state` and `journal` (a class that is not Sendable) are the only mutable non-atomic state, and
  // they are read and written only by the holder of `gate` (inside `run`), whose Mutex orders one holder's
  // accesses before the next one's; everything else is immutable or atomic.
  let id: String
  /// The API key that created the session (nil when no key is configured).
  let owner: String?
  /// Idle lifetime in seconds.
  let ttl: Double
  let createdAt: Double
  private let lastUsedMillis: Atomic<Int64>
  /// Kept up to date after every request so `/metrics` can sum them without entering the queue.
  let namedTensorCount = Atomic<Int>(0)
  let namedTensorBytes = Atomic<Int>(0)
  private let memory: MemoryBudget
  private let gate = FIFOGate()
  private var state: SessionState
  /// The undo log of the request holding the gate; one per session, emptied by `commit` or `rollback` after every
  /// request, so requests allocate none.
  private let journal = MutationJournal()
  /// Bytes this session has charged to the global budget, and whether it was removed (then it charges nothing
  /// more: the store gave its bytes back when it removed it).
  private let charged = Mutex<(bytes: Int, closed: Bool)>((0, false))

  init(id: String, owner: String?, ttl: Double, now: Double, limits: SessionLimits) {
    self.id = id
    self.owner = owner
    self.ttl = ttl
    self.createdAt = now
    self.lastUsedMillis = Atomic(Int64(now * 1000))
    self.state = SessionState(limits: limits)
    self.memory = limits.memory
  }

  var lastUsed: Double { Double(lastUsedMillis.load(ordering: .relaxed)) / 1000 }

  var expiresAt: Double { lastUsed + ttl }

  func touch(now: Double) {
    lastUsedMillis.store(Int64(now * 1000), ordering: .relaxed)
  }

  func isExpired(now: Double) -> Bool { expiresAt < now }

  /// Runs `work` after every request on this session that arrived before it, alone, and hands back its result.
  /// A failed request changes nothing: names come back from the state's undo log, tensor state from the engine's
  /// journal.
  func run(_ work: SessionTask) async -> Result<HTTPServerResponse, ServiceError> {
    await gate.enter()
    defer { gate.leave() }
    return runAdmitted(work)
  }

  func run(_ work: @escaping SessionWork) async -> Result<HTTPServerResponse, ServiceError> {
    await run(.journaled(work))
  }

  /// `run` without waiting, for a caller outside any task: nil (having done nothing) when another request holds
  /// the session or waits for it, so this one must queue behind them.
  func runIfIdle(_ work: SessionTask) -> Result<HTTPServerResponse, ServiceError>? {
    guard gate.tryEnter() else { return nil }
    defer { gate.leave() }
    return runAdmitted(work)
  }

  func runIfIdle(_ work: @escaping SessionWork) -> Result<HTTPServerResponse, ServiceError>? {
    runIfIdle(.journaled(work))
  }

  /// The body of `run`, while holding the gate.
  private func runAdmitted(_ work: SessionTask) -> Result<HTTPServerResponse, ServiceError> {
    state.reservedBytes = 0
    state.graphNodesAtStart = nil
    state.beginRequest()
    let bytesBefore = state.namedBytes
    var result: Result<HTTPServerResponse, ServiceError> = journal.recording {
      Session.perform(work, session: self, on: &state, journal: journal, bytesBefore: bytesBefore)
    }
    let reserved = state.reservedBytes
    if case .success = result,
      !settle(reserved: reserved, grown: state.namedBytes - bytesBefore)
    {
      result = .failure(
        .limitExceeded(
          "the server's memory budget (max-total-bytes) is \(memory.limit) bytes and this "
            + "request would go beyond it"))
    }
    if case .failure = result {
      _ = settle(reserved: reserved, grown: 0)
      journal.rollback()
      let exactNodes = state.graphNodesAtStart
      state.rollbackRequest()
      if let exactNodes { state.setGraphNodes(exactNodes) }
    } else {
      journal.commit()
      state.commitRequest()
    }
    state.reservedBytes = 0
    namedTensorCount.store(state.namedCount, ordering: .relaxed)
    namedTensorBytes.store(state.namedBytes, ordering: .relaxed)
    return result
  }

  /// The work and the checks after it, on the state as an `inout` argument: a method called on the stored property
  /// inside the closure worked on a copy of the whole state (a retain and release of each of its tables).
  private static func perform(
    _ work: SessionTask, session: Session, on state: inout SessionState, journal: MutationJournal,
    bytesBefore: Int
  ) -> Result<HTTPServerResponse, ServiceError> {
    do throws(ServiceError) {
      let value: HTTPServerResponse
      switch work {
      case .plain(let work): value = try work(&state)
      case .journaled(let work): value = try work(&state, journal)
      case .request(let context, let limits, let work):
        value = try work(session, context, limits, &state)
      }
      try state.checkBytesAfterWork(before: bytesBefore)
      return .success(value)
    } catch {
      return .failure(error)
    }
  }

  /// Settles a request's reservation with the global budget; false when its growth does not fit.
  private func settle(reserved: Int, grown: Int) -> Bool {
    // Most requests (reads, in-place ops, rebinding) neither reserve nor add storage.
    if reserved == 0 && grown == 0 { return true }
    return charged.withLock { charged in
      guard !charged.closed else {
        _ = memory.settle(reserved: reserved, grown: 0)
        return true
      }
      guard memory.settle(reserved: reserved, grown: grown) else { return false }
      charged.bytes += grown
      return true
    }
  }

  /// Called once, by the store, when the session is removed: gives its bytes back to the global budget.
  func close() {
    charged.withLock { charged in
      guard !charged.closed else { return }
      charged.closed = true
      memory.release(charged.bytes)
      charged.bytes = 0
    }
  }
}
