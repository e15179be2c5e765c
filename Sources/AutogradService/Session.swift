import Autograd
import Dispatch
import Synchronization

/// One client's tensors and names.
///
/// `state` is touched only by blocks on `queue`, a serial queue: requests on one session run one at a time, in the
/// order they were enqueued (a serial DispatchQueue is FIFO; an actor is not), while different sessions' queues run
/// in parallel on Dispatch's worker threads.
final class Session: @unchecked Sendable {
  // @unchecked: `state` is the only mutable non-atomic property and it is read and written only on `queue`
  // (through `run`); everything else is immutable or atomic.
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
  private let queue: DispatchQueue
  private var state: SessionState

  init(id: String, owner: String?, ttl: Double, now: Double, limits: SessionLimits) {
    self.id = id
    self.owner = owner
    self.ttl = ttl
    self.createdAt = now
    self.lastUsedMillis = Atomic(Int64(now * 1000))
    self.queue = DispatchQueue(label: "autograd.session")
    self.state = SessionState(limits: limits)
  }

  var lastUsed: Double { Double(lastUsedMillis.load(ordering: .relaxed)) / 1000 }

  var expiresAt: Double { lastUsed + ttl }

  func touch(now: Double) {
    lastUsedMillis.store(Int64(now * 1000), ordering: .relaxed)
  }

  func isExpired(now: Double) -> Bool { expiresAt < now }

  /// Runs `body` on the session's queue after every request that arrived before it, and hands back its result.
  func run<T: Sendable>(
    _ body: @escaping @Sendable (inout SessionState) throws(ServiceError) -> T
  ) async throws(ServiceError) -> T {
    let result: Result<T, ServiceError> = await withCheckedContinuation { continuation in
      queue.async {
        // A failed request changes nothing: names come back from the snapshot (copy-on-write, so this costs a
        // copy only when the request rebinds), tensor state from the engine's journal.
        let snapshot = self.state
        let journal = MutationJournal()
        let result: Result<T, ServiceError> = journal.recording {
          do throws(ServiceError) {
            return .success(try body(&self.state))
          } catch {
            return .failure(error)
          }
        }
        if case .failure = result {
          journal.rollback()
          self.state = snapshot
        } else {
          journal.commit()
        }
        self.namedTensorCount.store(self.state.namedCount, ordering: .relaxed)
        self.namedTensorBytes.store(self.state.namedBytes, ordering: .relaxed)
        continuation.resume(returning: result)
      }
    }
    return try result.get()
  }

  /// Drops every tensor and graph once the requests already queued have finished.
  func close() {
    queue.async {
      self.state.removeAll()
      self.namedTensorCount.store(0, ordering: .relaxed)
      self.namedTensorBytes.store(0, ordering: .relaxed)
    }
  }
}
