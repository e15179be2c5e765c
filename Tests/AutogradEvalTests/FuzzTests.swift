import Autograd
import Testing

@testable import AutogradEval

/// Random token soups must end in a value or an EvalError, never a trap: a trap would kill every session.
@Suite struct FuzzTests {
  private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
  }

  static let fragments = [
    "x", "y", "torch", ".", "(", ")", "[", "]", ",", ":", "=", "+", "-", "*", "/", "//", "%", "**",
    "@", " ",
    "\n", "    ", "1", "0", "-1", "2.5", "1e3", "None", "True", "'s'", "ones", "sum", "view",
    "grad", "data",
    "backward", "shape", "requires_grad=True", "dim=0", "...", "with", "torch.no_grad()", "+=",
    "*=",
    "print", "t", "detach", "item", "[0]", "[:, 1]", "x[1:]", "tensor", "[[1., 2.], [3., 4.]]",
    "9999999999",
    "2**62", "reshape", "expand", "zero_", "not", "and", "is", "#", "\\", "\"", "unsqueeze", "dot",
    "mean",
  ]

  @Test func randomProgramsNeverTrap() {
    var rng = Generator(state: 42)
    var limits = EvalLimits()
    limits.maxCreatedElements = 100_000
    for _ in 0..<3000 {
      var source = "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = x * 2\n"
      let length = Int(rng.next() % 24)
      for _ in 0..<length { source += rng.pick(Self.fragments) }
      var environment = InMemoryEvalEnvironment()
      _ = try? EvalProgram.run(source: source, environment: &environment, limits: limits)
    }
  }

  @Test func randomBytesNeverTrapTheLexer() {
    var rng = Generator(state: 7)
    for _ in 0..<2000 {
      var bytes: [UInt8] = []
      for _ in 0..<Int(rng.next() % 64) { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
      let source = String(decoding: bytes, as: UTF8.self)
      _ = try? Parser.parse(source)
    }
  }
}
