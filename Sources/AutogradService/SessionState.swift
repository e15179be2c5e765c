/// The quotas a session enforces on itself.
struct SessionLimits: Sendable {
  var maxTensors: Int
  var maxElements: Int
  var maxJacobianElements: Int
}

/// A session's names and tensors; lives on the session's queue only.
struct SessionState {
  let limits: SessionLimits

  init(limits: SessionLimits) {
    self.limits = limits
  }

  var namedCount: Int { 0 }
  var namedBytes: Int { 0 }

  mutating func removeAll() {}
}
