/// Limits and timings of the service. The executable maps its options and `AUTOGRAD_*` environment variables onto
/// this; the defaults are what the server runs with when nothing is configured.
public struct ServiceConfiguration: Sendable {
  /// Live sessions at most; creating one more answers 429 `limit_exceeded`.
  public var maxSessions: Int
  /// Idle lifetime of a session that asks for none (`ttl_seconds`), in seconds.
  public var defaultTTL: Double
  /// The longest idle lifetime a client may ask for, in seconds.
  public var maxTTL: Double
  /// Named tensors per session at most.
  public var maxTensorsPerSession: Int
  /// Elements of one tensor (created, or produced by an op) at most.
  public var maxElementsPerTensor: Int
  /// Elements of one Jacobian (output elements × input elements, summed over inputs) at most: `/jacobian` costs one
  /// backward pass per output element.
  public var maxJacobianElements: Int
  /// How often expired sessions are swept, in seconds.
  public var sweepInterval: Double
  /// When set, every `/v1` request needs `Authorization: Bearer KEY` or `X-API-Key: KEY`, and sessions belong to
  /// the key that created them.
  public var apiKey: String?

  public init(
    maxSessions: Int = 10_000,
    defaultTTL: Double = 3600,
    maxTTL: Double = 7 * 24 * 3600,
    maxTensorsPerSession: Int = 100_000,
    maxElementsPerTensor: Int = 1 << 26,
    maxJacobianElements: Int = 1 << 24,
    sweepInterval: Double = 30,
    apiKey: String? = nil
  ) {
    self.maxSessions = maxSessions
    self.defaultTTL = defaultTTL
    self.maxTTL = maxTTL
    self.maxTensorsPerSession = maxTensorsPerSession
    self.maxElementsPerTensor = maxElementsPerTensor
    self.maxJacobianElements = maxJacobianElements
    self.sweepInterval = sweepInterval
    self.apiKey = apiKey
  }
}
