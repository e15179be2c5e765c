import Autograd
import Testing

@testable import AutogradEval

private func run(
  _ source: String, _ environment: inout InMemoryEvalEnvironment, limits: EvalLimits = .default
)
  throws(EvalError) -> EvalResult
{
  try EvalProgram.run(source: source, environment: &environment, limits: limits)
}

private func failure(_ source: String, limits: EvalLimits = .default) -> EvalError? {
  var environment = InMemoryEvalEnvironment()
  do {
    _ = try run(source, &environment, limits: limits)
    return nil
  } catch {
    return error
  }
}

@Suite struct SessionBindingTests {
  @Test func programNamesBecomeSessionNamesInAssignmentOrder() throws {
    var environment = InMemoryEvalEnvironment()
    let result = try run("y = torch.ones(1)\nx = torch.zeros(1)\ny = x + 1\nk = 3", &environment)
    #expect(result.bindings == ["y", "x"])
    #expect(environment.tensors.keys.sorted() == ["x", "y"])
    #expect(environment.tensors["y"]?.contiguousDoubles() == [1])
  }

  @Test func programsReadTheSessionsTensors() throws {
    var environment = InMemoryEvalEnvironment(tensors: [
      "w": try Tensor(shape: [2], doubles: [1, 2])
    ])
    let result = try run("print(w * 3)", &environment)
    #expect(result.stdout == "tensor([3., 6.])\n")
    #expect(result.bindings.isEmpty)
  }

  @Test func rebindingASessionNameToANumberUnbindsIt() throws {
    var environment = InMemoryEvalEnvironment(tensors: ["w": try Tensor(shape: [1], doubles: [1])])
    let result = try run("w = 5\nprint(w)", &environment)
    #expect(result.unbound == ["w"])
    #expect(environment.tensors["w"] == nil)
  }

  @Test func aFailingProgramBindsNothing() throws {
    var environment = InMemoryEvalEnvironment(tensors: ["w": try Tensor(shape: [1], doubles: [1])])
    #expect(throws: EvalError.self) {
      try run("a = torch.ones(2)\nw = a * 2\nprint(w)\nb = a.view(3)", &environment)
    }
    #expect(environment.tensors.keys.sorted() == ["w"])
    #expect(environment.tensors["w"]?.shape == [1])
  }

  @Test func aFailingProgramsMutationsAreRolledBackThroughTheJournal() throws {
    let w = try Tensor(shape: [2], doubles: [1, 2])
    let g = try Tensor(shape: [2], doubles: [1, 1], requiresGrad: true)
    var environment = InMemoryEvalEnvironment(tensors: ["w": w, "g": g])
    let journal = MutationJournal()
    #expect(throws: EvalError.self) {
      try EvalProgram.run(
        source: "w.data *= 100\nw[0] = 7\n(g * 3).sum().backward()\nx = w.view(3)",
        environment: &environment, journal: journal)
    }
    #expect(w.contiguousDoubles() == [1, 2])
    #expect(w.version == 0)
    #expect(g.grad == nil)
    #expect(environment.tensors.keys.sorted() == ["g", "w"])
  }

  @Test func onTheCallersThreadTheCallersRecordingJournalSeesTheMutations() throws {
    let w = try Tensor(shape: [2], doubles: [1, 2])
    var environment = InMemoryEvalEnvironment(tensors: ["w": w])
    let journal = MutationJournal()
    journal.recording {
      _ = try? EvalProgram.run(source: "w[0] = 7", environment: &environment)
    }
    #expect(w.contiguousDoubles() == [7, 2])
    journal.rollback()
    #expect(w.contiguousDoubles() == [1, 2])
  }

  @Test func onItsOwnThreadTheGivenJournalRollsBackAFailure() throws {
    let w = try Tensor(shape: [2], doubles: [1, 2])
    var environment = InMemoryEvalEnvironment(tensors: ["w": w])
    let journal = MutationJournal()
    #expect(throws: EvalError.self) {
      try EvalProgram.run(
        source: "w[0] = 7\nw.view(3)", environment: &environment,
        limits: EvalLimits(stackBytes: 8 << 20),
        journal: journal)
    }
    #expect(w.contiguousDoubles() == [1, 2])
    #expect(w.version == 0)
  }

  @Test func aSuccessfulProgramsMutationsStayRecordedForTheCaller() throws {
    let w = try Tensor(shape: [2], doubles: [1, 2])
    var environment = InMemoryEvalEnvironment(tensors: ["w": w])
    let journal = MutationJournal()
    _ = try EvalProgram.run(source: "w[0] = 7", environment: &environment, journal: journal)
    #expect(w.contiguousDoubles() == [7, 2])
    journal.rollback()
    #expect(w.contiguousDoubles() == [1, 2])
  }

  @Test func underscoreNamesStayLocalToTheProgram() throws {
    var environment = InMemoryEvalEnvironment()
    let result = try run("_tmp = torch.ones(1)\nz = _tmp * 2", &environment)
    #expect(result.bindings == ["z"])
    #expect(environment.tensors["_tmp"] == nil)
  }

  @Test func resultIsTheLastExpressionStatement() throws {
    var environment = InMemoryEvalEnvironment()
    let result = try run("x = torch.ones(2)\nx.sum()", &environment)
    #expect(result.result.map(\.repr) == "tensor(2.)")
    let assignment = try run("y = 1", &environment)
    #expect(assignment.result == nil)
  }

  @Test func errorCarriesTheFailingStatementsPositionAndStdoutSoFar() {
    let e = failure(
      "x = torch.ones(2, 2)\nprint('before')\nwith torch.no_grad():\n    y = x.view(3)\n")
    #expect(e?.code == "shape_mismatch")
    #expect(e?.message == "shape '[3]' is invalid for input of size 4")
    #expect(e?.line == 4)
    #expect(e?.column == 5)
    #expect(e?.stdout == "before\n")
  }

  @Test func unknownNameIsNotFound() {
    let e = failure("x = 1\ny = x + zz")
    #expect(
      e == EvalError(code: "not_found", message: "name 'zz' is not defined", line: 2, column: 1))
  }

  @Test func engineErrorsPassThroughWithPyTorchsText() {
    let e = failure("x = torch.ones(2, requires_grad=True)\n(x * 2).backward()")
    #expect(e?.code == "implicit_grad_non_scalar")
    #expect(e?.message == "grad can be implicitly created only for scalar outputs")
    let leaf = failure("a = torch.ones(2, requires_grad=True)\na += 1")
    #expect(leaf?.code == "leaf_inplace")
    #expect(
      leaf?.message == "a leaf Variable that requires grad is being used in an in-place operation.")
    let none = failure("a = torch.ones(2, requires_grad=True)\na.grad.zero_()")
    #expect(none?.message == "'NoneType' object has no attribute 'zero_'")
  }
}

@Suite struct RuntimeRefusalTests {
  @Test(arguments: [
    "x = torch.ones(1)\nx.__class__",
    "x = torch.ones(1)\nx.numpy()",
    "torch.load('f')",
    "torch.__dict__",
    "print.__self__",
    "x = torch.ones(1)\nx.register_hook(print)",
    "open('f')",
    "__import__('os')",
    "eval('1')",
    "with print():\n    pass",
    "torch.nn.Module",
    "F.__name__",
    "(1).real",
  ])
  func refusedAtRuntime(source: String) {
    let e = failure(source)
    #expect(e != nil)
    #expect(e?.code == "invalid_argument" || e?.code == "not_found")
    #expect((e?.line ?? 0) >= 1)
  }

  @Test func refusalOfAnAttributeNamesIt() {
    let e = failure("x = torch.ones(1)\ny = x.__class__")
    #expect(
      e
        == EvalError(
          code: "invalid_argument", message: "the tensor attribute '__class__' is not supported",
          line: 2, column: 1))
  }
}

@Suite struct LimitTests {
  @Test func oversizedFactoryIsRefusedBeforeAllocating() {
    let e = failure("x = torch.ones(100000, 100000)")
    #expect(e?.code == "limit_exceeded")
    #expect(failure("x = torch.zeros(2**62, 2**62)")?.code == "limit_exceeded")
  }

  @Test func broadcastBlowUpIsRefusedBeforeAllocating() {
    let e = failure("a = torch.ones(100000, 1)\nb = torch.ones(1, 100000)\nc = a + b")
    #expect(e?.code == "limit_exceeded")
    #expect(e?.line == 3)
    #expect(
      failure("a = torch.ones(1)\nb = a.expand(100000, 100000).clone()")?.code == "limit_exceeded")
  }

  @Test func elementBudgetCountsEveryCreatedTensor() {
    var limits = EvalLimits()
    limits.maxCreatedElements = 10
    #expect(
      failure("a = torch.ones(4)\nb = a + 1\nc = b * 2", limits: limits)?.code == "limit_exceeded")
    #expect(failure("a = torch.ones(4)\nb = a + 1", limits: limits) == nil)
  }

  @Test func printedOutputIsCapped() {
    var limits = EvalLimits()
    limits.maxOutputBytes = 10
    #expect(failure("print('hello'); print('world!')", limits: limits)?.code == "limit_exceeded")
  }

  @Test func integerOverflowIsAnErrorNotATrap() {
    #expect(failure("x = 2 ** 64")?.message == "integer overflow")
    #expect(failure("x = 9223372036854775807 + 1")?.message == "integer overflow")
    #expect(
      failure("x = 1 // 0")?.message == "ZeroDivisionError: integer division or modulo by zero")
  }

  @Test func stringDoublingIsCapped() {
    var source = "s = 'ab'\n"
    for _ in 0..<40 { source += "s = s + s\n" }
    #expect(failure(source)?.code == "limit_exceeded")
  }
}

@Suite struct SemanticsTests {
  private func stdout(_ source: String) throws -> String {
    var environment = InMemoryEvalEnvironment()
    return try run(source, &environment).stdout
  }

  @Test func gradModeIsRestoredAfterTheBlock() throws {
    #expect(
      try stdout(
        "x = torch.ones(1, requires_grad=True)\nwith torch.no_grad():\n    print(torch.is_grad_enabled())\nprint(torch.is_grad_enabled(), (x*2).requires_grad)"
      ) == "False\nTrue True\n")
  }

  @Test func setitemAugmentedAssignmentOnANonLeaf() throws {
    #expect(try stdout("x = torch.zeros(3)\nx[1] += 5\nprint(x)") == "tensor([0., 5., 0.])\n")
  }

  @Test func printSeparatorAndEnd() throws {
    #expect(try stdout("print(1, 2, sep='-', end='!')") == "1-2!")
  }

  @Test func tupleUnpackingAndSizeIndexing() throws {
    #expect(
      try stdout("x = torch.ones(2, 3)\nr, c = x.shape\nprint(r, c, x.shape[-1], x.size(1))")
        == "2 3 3 3\n")
  }

  @Test func randnIsReproducibleAfterManualSeed() throws {
    let a = try stdout("torch.manual_seed(0)\nprint(torch.randn(3))")
    let b = try stdout("torch.manual_seed(0)\nprint(torch.randn(3))")
    #expect(a == b)
  }

  @Test func gradFnAddressIsStablePerNode() throws {
    let out = try stdout(
      "x = torch.ones(1, requires_grad=True)\ny = x + 1\nprint(y.grad_fn)\nprint(y.grad_fn)")
    let lines = out.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first == lines.last)
    #expect(lines.first?.hasPrefix("<AddBackward0 object at 0x") == true)
  }

  @Test func maxWithADimAnswersValuesAndIndicesAsMethodAndFunction() throws {
    let source =
      "x = torch.tensor([[1., 5.], [7., 2.]])\nv, i = torch.max(x, 1)\nw, j = x.min(dim=0)\nprint(v, i, w, j)"
    #expect(
      try stdout(source) == "tensor([5., 7.]) tensor([1, 0]) tensor([1., 2.]) tensor([0, 1])\n")
  }

  @Test func pythonSequencesSliceLikePythonEvenWithHugeSteps() throws {
    #expect(
      try stdout("print([1, 2, 3][::2**62], [1, 2, 3][::-2**62], (1, 2, 3)[-1], [1,2,3][-5:10])")
        == "[1] [3] 3 [1, 2, 3]\n")
  }

  @Test func gradZeroInPlaceLikeGradDataZero() throws {
    let source =
      "x = torch.ones(2, 2, requires_grad=True)\nx.sum().backward(); x.sum().backward()\nx.grad.zero_()\nx.sum().backward()\nprint(x.grad)"
    #expect(try stdout(source) == "tensor([[1., 1.],\n        [1., 1.]])\n")
  }

  @Test func importFunctionalAsF() throws {
    #expect(
      try stdout("import torch.nn.functional as F\nx = torch.tensor([-1., 2.])\nprint(F.relu(x))")
        == "tensor([0., 2.])\n")
  }
}
