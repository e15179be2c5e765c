/// The 32-bit Mersenne Twister exactly as PyTorch's CPU generator runs it (`at::mt19937`,
/// aten/src/ATen/core/MT19937RNGEngine.h): seeded from the low 32 bits of the seed (`init_with_uint32`), one
/// tempered 32-bit word per draw, the 624-word state regenerated in one pass when it runs out.
struct MT19937: Sendable {
  private static let n = 624
  private static let m = 397

  private var state: [UInt32]
  private var index: Int

  init(seed: UInt64) {
    var state = [UInt32](repeating: 0, count: Self.n)
    // PyTorch keeps the 64-bit seed for `initial_seed()` but the state only sees its low word.
    state[0] = UInt32(truncatingIfNeeded: seed)
    for j in 1..<Self.n {
      let previous = state[j - 1]
      state[j] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(j)
    }
    self.state = state
    index = Self.n
  }

  /// One 32-bit draw (`random()`).
  mutating func next() -> UInt32 {
    if index >= Self.n { regenerate() }
    let y = state[index]
    index += 1
    return Self.temper(y)
  }

  /// Calls `body` once per draw, `count` times, without per-draw bounds checks or copy-on-write checks: the bulk
  /// path for a million-element `rand`.
  mutating func draw(_ count: Int, _ body: (UInt32) -> Void) {
    var remaining = count
    while remaining > 0 {
      if index >= Self.n { regenerate() }
      let take = min(remaining, Self.n - index)
      let start = index
      state.withUnsafeBufferPointer { words in
        for k in start..<(start + take) {
          body(Self.temper(words[k]))
        }
      }
      index += take
      remaining -= take
    }
  }

  @inline(__always)
  private static func temper(_ word: UInt32) -> UInt32 {
    var y = word
    y ^= y >> 11
    y ^= (y << 7) & 0x9D2C_5680
    y ^= (y << 15) & 0xEFC6_0000
    y ^= y >> 18
    return y
  }

  private mutating func regenerate() {
    state.withUnsafeMutableBufferPointer { s in
      let n = Self.n
      let m = Self.m
      @inline(__always) func twist(_ upper: UInt32, _ lower: UInt32) -> UInt32 {
        let y = (upper & 0x8000_0000) | (lower & 0x7FFF_FFFF)
        return (y >> 1) ^ ((y & 1) == 0 ? 0 : 0x9908_B0DF)
      }
      for k in 0..<(n - m) { s[k] = s[k + m] ^ twist(s[k], s[k + 1]) }
      for k in (n - m)..<(n - 1) { s[k] = s[k + m - n] ^ twist(s[k], s[k + 1]) }
      s[n - 1] = s[m - 1] ^ twist(s[n - 1], s[0])
    }
    index = 0
  }
}
