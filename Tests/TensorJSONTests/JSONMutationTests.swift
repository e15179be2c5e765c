import Testing

@testable import TensorJSON

/// SplitMix64: a seeded generator so that a failing mutation can be reproduced.
private struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("JSON parser on mutated input")
struct JSONMutationTests {
  /// Every prefix and thousands of byte mutations of valid bodies either parse or throw a JSONError whose offset
  /// lies within the input; none traps. Whatever parses is written back and parses again to the same value.
  @Test func neverTrapsOnMutatedBodies() throws {
    let seeds = [
      #"{"name": "x", "data": [[1, 2.5], [-3e-2, "NaN"]], "requires_grad": true, "kwargs": {"dim": 0}}"#,
      #"[{"op": "mul", "args": ["x", 2.0]}, {"op": "sum", "args": ["y"], "name": "s\u00e9\ud83d\ude00"}]"#,
      #"{"shape": [2, 2], "data": [0.1, 0.2, 0.30000001192092896, 1e-05], "dtype": "float32", "x": null}"#,
    ]
    var generator = SplitMix64(state: 20_261_127)
    let alphabet =
      Array(#"{}[]",:.-+eE0123456789 \tnulltruefalse\u"#.utf8) + [
        0x00, 0x80, 0xC3, 0xE2, 0xF0, 0xFF,
      ]
    for seed in seeds {
      let bytes = Array(seed.utf8)
      for end in 0...bytes.count { check(Array(bytes[..<end])) }
      for _ in 0..<3000 {
        var mutated = bytes
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
          let position = Int.random(in: 0..<mutated.count, using: &generator)
          switch Int.random(in: 0..<3, using: &generator) {
          case 0: mutated[position] = alphabet.randomElement(using: &generator) ?? 0
          case 1: mutated.remove(at: position)
          default: mutated.insert(alphabet.randomElement(using: &generator) ?? 0, at: position)
          }
          if mutated.isEmpty { mutated = [0x5B] }
        }
        check(mutated)
      }
    }
  }

  private func check(_ bytes: [UInt8]) {
    do {
      let value = try JSONValue.parse(bytes)
      var writer = JSONWriter()
      writer.value(value)
      #expect(try JSONValue.parse(writer.bytes) == value)
      _ = try? tensorLiteral(value)
    } catch {
      #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
    }
  }
}
