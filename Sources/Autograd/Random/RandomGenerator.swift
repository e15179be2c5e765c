/// PyTorch's CPU generator (`torch.Generator()`): a Mersenne Twister plus the second Box-Muller sample that
/// `normal_distribution<double>` keeps for the next call. Copying it forks the stream.
public struct RandomGenerator: Sendable {
  /// The seed as `torch.Generator.initial_seed()` reports it (negative seeds wrap to UInt64).
  public let initialSeed: UInt64
  var engine: MT19937
  /// `next_double_normal_sample`: the sine half of the last pair, used by the next small `randn`. Only
  /// `manual_seed` (a new generator) clears it; `rand` and large `randn` calls leave it alone, as in PyTorch.
  var cachedNormal: Double?

  /// `torch.Generator().manual_seed(seed)`; a negative Python seed is `UInt64(bitPattern:)` of it, as in
  /// PyTorch.
  public init(seed: UInt64) {
    initialSeed = seed
    engine = MT19937(seed: seed)
  }

  /// `random64()`: two draws, the first one the high word.
  mutating func random64() -> UInt64 {
    let high = UInt64(engine.next())
    return high << 32 | UInt64(engine.next())
  }
}
