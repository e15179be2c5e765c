import Synchronization

/// The global memory budget: bytes of tensor storage held by all sessions' named tensors, plus what requests in
/// flight have reserved before allocating. A request reserves its estimate up front (refused with 429 when the
/// budget cannot hold it), then settles to what it really holds once it is done, so concurrent requests on
/// different sessions cannot together overshoot the budget by more than their estimates undercount.
final class MemoryBudget: Sendable {
  let limit: Int
  private let used = Atomic<Int>(0)

  init(limit: Int) {
    self.limit = limit
  }

  var bytesUsed: Int { used.load(ordering: .relaxed) }

  /// Takes `bytes` from the budget, or throws 429 (taking nothing) when they do not fit.
  func reserve(_ bytes: Int) throws(ServiceError) {
    guard bytes > 0 else { return }
    var current = used.load(ordering: .relaxed)
    while true {
      let (total, overflow) = current.addingReportingOverflow(bytes)
      guard !overflow, total <= limit else {
        throw .limitExceeded(
          "the server's memory budget (max-total-bytes) is \(limit) bytes; \(current) are held and this "
            + "request needs up to \(bytes) more")
      }
      let (exchanged, original) = used.compareExchange(
        expected: current, desired: total, ordering: .relaxed)
      if exchanged { return }
      current = original
    }
  }

  /// Gives back a reservation and charges what the request really added (negative when it freed storage).
  /// Answers false, charging nothing, when growth beyond the reservation does not fit: the caller then undoes the
  /// request.
  func settle(reserved: Int, grown: Int) -> Bool {
    let change = grown - reserved
    var current = used.load(ordering: .relaxed)
    while true {
      let total = current &+ change
      if change > 0 && grown > 0 && total > limit { return false }
      let (exchanged, original) = used.compareExchange(
        expected: current, desired: total, ordering: .relaxed)
      if exchanged { return true }
      current = original
    }
  }

  /// Returns the bytes of a session that was deleted or expired.
  func release(_ bytes: Int) {
    guard bytes != 0 else { return }
    used.subtract(bytes, ordering: .relaxed)
  }
}
