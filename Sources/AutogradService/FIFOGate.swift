import Synchronization

/// Admits one holder at a time, strictly in arrival order.
///
/// Entering an idle gate does not suspend, so a request on an idle session runs on the thread that received it,
/// with no hop to another thread and back (on this server the hops, not the autograd, were most of the CPU time).
/// A busy gate queues the caller; `leave` hands the gate straight to the oldest waiter, so a newcomer can never
/// overtake a request that arrived before it.
///
/// A noncopyable struct rather than a class: it lives inside its session, not in an allocation of its own.
struct FIFOGate: ~Copyable, Sendable {
  // Not private: a private type nested in this noncopyable struct crashed the Swift 6.3 compiler ("Global is
  // external, but doesn't have external or weak linkage").
  struct State {
    var busy = false
    var waiters: [CheckedContinuation<Void, Never>] = []
    /// Index of the oldest waiter in `waiters` (a queue without shifting the array on every hand-over).
    var head = 0
  }

  private let state = Mutex(State())

  func enter() async {
    // The check happens inside the continuation's closure, so an idle gate resumes before the task would
    // suspend (the runtime then continues synchronously) and admission order is exactly the lock order.
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
      let admitted = state.withLock { state in
        if state.busy {
          state.waiters.append(continuation)
          return false
        }
        state.busy = true
        return true
      }
      if admitted { continuation.resume() }
    }
  }

  /// Enters only an idle gate (then no one waits either); false leaves the gate as it was.
  func tryEnter() -> Bool {
    state.withLock { state in
      if state.busy { return false }
      state.busy = true
      return true
    }
  }

  func leave() {
    let next: CheckedContinuation<Void, Never>? = state.withLock { state in
      guard state.head < state.waiters.count else {
        state.busy = false
        state.waiters.removeAll(keepingCapacity: true)
        state.head = 0
        return nil
      }
      let next = state.waiters[state.head]
      state.head += 1
      return next
    }
    next?.resume()
  }
}
