import Autograd
import Testing

@testable import AutogradEval

/// `torch.manual_seed` and the random factories in a program print what PyTorch 2.15 prints (each expected
/// output below is the same program run by python3 with torch).
@Suite struct RandomEvalTests {
  private func stdout(_ source: String, _ environment: inout InMemoryEvalEnvironment) throws
    -> String
  {
    try EvalProgram.run(source: source, environment: &environment).stdout
  }

  private func stdout(_ source: String) throws -> String {
    var environment = InMemoryEvalEnvironment()
    return try stdout(source, &environment)
  }

  private func failure(_ source: String) -> EvalError? {
    var environment = InMemoryEvalEnvironment()
    do {
      _ = try EvalProgram.run(source: source, environment: &environment)
      return nil
    } catch {
      return error
    }
  }

  @Test func factoriesContinueOneStreamWithTheCachedNormal() throws {
    let program = """
      torch.manual_seed(0)
      a = torch.randn(3, dtype=torch.float64)
      b = torch.rand(2)
      c = torch.randn(1, dtype=torch.float64)
      d = torch.randn(20)
      e = torch.randn(1)
      print(a)
      print(c)
      print(e)
      """
    #expect(
      try stdout(program) == """
        tensor([ 1.5410, -0.2934, -2.1788], dtype=torch.float64)
        tensor([0.5684], dtype=torch.float64)
        tensor([-0.7079])

        """)
  }

  @Test func likeFactoriesAndZeroDimensionalShapesUseTheStream() throws {
    let program = """
      torch.manual_seed(7)
      x = torch.ones(2, 3, dtype=torch.float64)
      print(torch.rand_like(x))
      print(torch.randn_like(x))
      torch.manual_seed(7)
      print(torch.randn(()))
      """
    #expect(
      try stdout(program) == """
        tensor([[0.2794, 0.2737, 0.8621],
                [0.6567, 0.9225, 0.8395]], dtype=torch.float64)
        tensor([[-0.3556,  1.2324,  0.1382],
                [-1.6822,  0.3177,  0.1328]], dtype=torch.float64)
        tensor(-0.1468)

        """)
  }

  @Test func manualSeedReadsIntOfItsArgument() throws {
    // int(7.9) == 7, int('12') == 12, int(True) == 1; -1 wraps to 2**64 - 1.
    #expect(
      try stdout("torch.manual_seed(7.9)\nprint(torch.rand(3, generator=None))")
        == "tensor([0.5349, 0.1988, 0.6592])\n")
    #expect(
      try stdout("torch.manual_seed('12')\nprint(torch.rand(3))")
        == "tensor([0.4657, 0.2328, 0.4527])\n")
    #expect(
      try stdout("torch.manual_seed(True)\nprint(torch.rand(3))")
        == "tensor([0.7576, 0.2793, 0.4031])\n")
    #expect(
      try stdout("torch.manual_seed(-1)\nprint(torch.randn(17))") == """
        tensor([-2.6643, -0.8766, -1.6460, -0.5383,  0.3062,  0.4240,  0.2656, -3.1493,
                -2.8438, -1.3129, -0.3403, -0.3260, -0.0296,  0.3832, -0.1610,  1.9679,
                 1.6244])

        """)
  }

  @Test func manualSeedRefusesWhatPythonRefuses() {
    #expect(
      failure("torch.manual_seed(1e20)")?.message == "ValueError: Overflow when unpacking long long"
    )
    #expect(failure("torch.manual_seed(1e20)")?.code == "invalid_op")
    #expect(
      failure("torch.manual_seed(float('nan'))")?.message
        == "ValueError: cannot convert float NaN to integer")
    #expect(
      failure("torch.manual_seed([1])")?.message
        == "TypeError: int() argument must be a string, a bytes-like object or a real number, not 'list'"
    )
    #expect(
      failure("torch.manual_seed('x1')")?.message
        == "ValueError: invalid literal for int() with base 10: 'x1'")
    #expect(failure("torch.rand(2, generator=torch.ones(1))")?.code == "invalid_argument")
  }

  @Test func theGeneratorCarriesOverToTheEnvironmentsNextProgram() throws {
    // One Python process: torch.manual_seed(7) and later torch.randn(3), twice.
    var environment = InMemoryEvalEnvironment()
    _ = try stdout("torch.manual_seed(7)\nx = torch.randn(3)", &environment)
    #expect(
      try stdout("print(torch.randn(3))", &environment) == "tensor([-1.1143,  1.6908, -0.8948])\n")
  }
}
