import AutogradEval

/// Limits and timings of the service. The executable maps its options and `AUTOGRAD_*` environment variables onto
/// this; the defaults are what the server runs with when nothing is configured.
public struct ServiceConfiguration: Sendable {
  /// Live sessions at most; creating one more answers 429 `limit_exceeded`.
  public var maxSessions: Int
  /// Live sessions one API key may hold at most (applies only when keys are configured).
  public var maxSessionsPerKey: Int
  /// Idle lifetime of a session that asks for none (`ttl_seconds`), in seconds.
  public var defaultTTL: Double
  /// The longest idle lifetime a client may ask for, in seconds.
  public var maxTTL: Double
  /// Named tensors per session at most.
  public var maxTensorsPerSession: Int
  /// Autograd nodes (`grad_fn`s, not counting leaves' AccumulateGrad) the graphs behind a session's named tensors
  /// may hold at most.
  public var maxGraphNodesPerSession: Int
  /// Elements of one tensor (created, or produced by an op) at most.
  public var maxElementsPerTensor: Int
  /// Bytes of tensor storage one session's named tensors may hold (storage shared by views counted once).
  public var maxSessionBytes: Int
  /// Bytes of tensor storage all sessions together may hold: the global memory budget.
  public var maxTotalBytes: Int
  /// Elements of one Jacobian (output elements × input elements, summed over inputs) at most: `/jacobian` costs one
  /// backward pass per output element.
  public var maxJacobianElements: Int
  /// Caps on `/eval` programs (source size, statements, nesting, elements created, output).
  public var evalLimits: EvalLimits
  /// How often expired sessions are swept, in seconds.
  public var sweepInterval: Double
  /// When not empty, every `/v1` request needs `Authorization: Bearer KEY` (or `X-API-Key: KEY`) with one of these,
  /// and sessions belong to the key that created them.
  public var apiKeys: [String]
  /// Whether `/metrics` answers without a key when keys are configured.
  public var metricsPublic: Bool

  public init(
    maxSessions: Int = 10_000,
    maxSessionsPerKey: Int = 1_000,
    defaultTTL: Double = 3600,
    maxTTL: Double = 7 * 24 * 3600,
    maxTensorsPerSession: Int = 100_000,
    maxGraphNodesPerSession: Int = 1_000_000,
    maxElementsPerTensor: Int = 1 << 26,
    maxSessionBytes: Int = 2 << 30,
    maxTotalBytes: Int = 8 << 30,
    maxJacobianElements: Int = 1 << 24,
    evalLimits: EvalLimits = EvalLimits(),
    sweepInterval: Double = 30,
    apiKeys: [String] = [],
    metricsPublic: Bool = false
  ) {
    self.maxSessions = maxSessions
    self.maxSessionsPerKey = maxSessionsPerKey
    self.defaultTTL = defaultTTL
    self.maxTTL = maxTTL
    self.maxTensorsPerSession = maxTensorsPerSession
    self.maxGraphNodesPerSession = maxGraphNodesPerSession
    self.maxElementsPerTensor = maxElementsPerTensor
    self.maxSessionBytes = maxSessionBytes
    self.maxTotalBytes = maxTotalBytes
    self.maxJacobianElements = maxJacobianElements
    self.evalLimits = evalLimits
    self.sweepInterval = sweepInterval
    self.apiKeys = apiKeys
    self.metricsPublic = metricsPublic
  }
}
