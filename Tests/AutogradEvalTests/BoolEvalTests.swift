import Autograd
import Testing

@testable import AutogradEval

/// The bool dtype in /eval: comparisons, reprs, promotion and refusals, with what PyTorch 2.15 printed.
@Suite struct BoolEvalTests {
  static let printed: [(String, String)] = [
    (
      "t = torch.tensor([1.0, 2.0]) > torch.tensor([0.0, 3.0])\nprint(t)\nprint(t.dtype, t.requires_grad, t.grad_fn)",
      "tensor([ True, False])\ntorch.bool False None\n"
    ),
    (
      "print(torch.tensor([[True, False], [False, True]]))\nprint(torch.tensor(True), torch.tensor([], dtype=torch.bool))",
      "tensor([[ True, False],\n        [False,  True]])\ntensor(True) tensor([], dtype=torch.bool)\n"
    ),
    (
      "print(torch.zeros(0, 3, dtype=torch.bool))\nprint(torch.ones(30, dtype=torch.bool))",
      "tensor([], size=(0, 3), dtype=torch.bool)\ntensor([True, True, True, True, True, True, True, True, True, True, True, True,\n        True, True, True, True, True, True, True, True, True, True, True, True,\n        True, True, True, True, True, True])\n"
    ),
    (
      "x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)\nm = x >= 2\nprint(m, m.requires_grad, m.grad_fn)\nprint(x == 2, x != 2, x < 2, x <= 2)",
      "tensor([False,  True,  True]) False None\ntensor([False,  True, False]) tensor([ True, False,  True]) tensor([ True, False, False]) tensor([ True,  True, False])\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t + t, t * t, t / t)\nprint(t + 1, t + 1.5, t * 2, t + True)",
      "tensor([ True, False]) tensor([ True, False]) tensor([1., nan])\ntensor([2, 1]) tensor([2.5000, 1.5000]) tensor([2, 0]) tensor([True, True])\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t + torch.tensor([1, 2]), t + torch.tensor([1.0, 2.0]), t + torch.tensor(1.0))",
      "tensor([2, 2]) tensor([2., 2.]) tensor([2., 1.])\n"
    ),
    (
      "t = torch.tensor([True, False, True])\nprint(t.sum(), t.sum().dtype, t.float(), t.long(), t.double())",
      "tensor(2) torch.int64 tensor([1., 0., 1.]) tensor([1, 0, 1]) tensor([1., 0., 1.], dtype=torch.float64)\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t[0], t[0].item(), t.tolist(), t.reshape(2, 1), t.max(), t.min())",
      "tensor(True) True [True, False] tensor([[ True],\n        [False]]) tensor(True) tensor(False)\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t ** 2, t.square(), t.exp(), t.sigmoid())",
      "tensor([1, 0]) tensor([1, 0]) tensor([2.7183, 1.0000]) tensor([0.7311, 0.5000])\n"
    ),
    (
      "x = torch.tensor([1.0, -2.0, 3.0])\nprint(torch.where(x > 0, x, torch.zeros(3)))\nprint((x > 0).to(torch.float32), torch.gt(x, 0), x.lt(0))",
      "tensor([1., 0., 3.])\ntensor([1., 0., 1.]) tensor([ True, False,  True]) tensor([False,  True, False])\n"
    ),
    (
      "print(torch.full((2,), True), torch.ones(2, dtype=torch.bool), torch.tensor([0.5, 0.0]).bool())",
      "tensor([True, True]) tensor([True, True]) tensor([ True, False])\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(f'{t[0]}', t.dtype == torch.bool, torch.bool)",
      "True True torch.bool\n"
    ),
    (
      "print(torch.tensor([1, 2]) > 1.5, torch.tensor([1, 2]).eq(torch.tensor([True, False])))",
      "tensor([False,  True]) tensor([ True, False])\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t ** True, t ** 2, 2 ** t)",
      "tensor([ True, False]) tensor([1, 0]) tensor([2, 1])\n"
    ),
    (
      "print(2 ** torch.tensor([1, 3]), 2 ** torch.tensor([-1]), 2.0 ** torch.tensor([1, 3]))",
      "tensor([2, 8]) tensor([0]) tensor([2., 8.])\n"
    ),
    (
      "t = torch.tensor([True, False])\nprint(t.clamp(0, 1), t.clamp(min=0.5), torch.cat([t, torch.tensor([1, 2])]))",
      "tensor([1, 0]) tensor([1.0000, 0.5000]) tensor([1, 0, 1, 2])\n"
    ),
    (
      "x = torch.tensor([1.0, 2.0], requires_grad=True)\ny = (x * (x > 1)).sum()\ny.backward()\nprint(x.grad, y)",
      "tensor([0., 1.]) tensor(2., grad_fn=<SumBackward0>)\n"
    ),
    (
      "x = torch.tensor([1.0, 2.0])\nprint(f'{(x > 1).sum()}', f'{x[1] > 1}', (x > 1).tolist(), (x[0] > 1).item())",
      "1 True [False, True] False\n"
    ),
  ]

  @Test(arguments: printed)
  func printsWhatPyTorchPrints(source: String, expected: String) throws {
    var environment = InMemoryEvalEnvironment()
    let outcome = try EvalProgram.run(source: source, environment: &environment)
    #expect(outcome.stdout == expected)
  }

  static let refused: [(String, String)] = [
    (
      "t = torch.tensor([True, False])\nprint(t.mean())",
      "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Bool"
    ),
    (
      "t = torch.tensor([True, False])\nprint(-t)",
      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
    ),
    (
      "t = torch.tensor([True, False])\nprint(t - t)",
      "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead."
    ),
    (
      "t = torch.tensor([True, False])\nprint(1 - t)",
      "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
    ),
    (
      "print(torch.where(torch.tensor([1, 0]), torch.tensor([1.0, 2.0]), torch.tensor([3.0, 4.0])))",
      "where expected condition to be a boolean tensor, but got a tensor with dtype Long"
    ),
    (
      "t = torch.tensor([True, False])\nt.requires_grad_()",
      "only Tensors of floating point dtype can require gradients"
    ),
    ("t = torch.tensor([True, False])\nprint(t.abs())", "\"abs_cpu\" not implemented for 'Bool'"),
    ("t = torch.tensor([True, False])\nprint(t.argmax())", "argmax(): does not support bool input"),
    ("print(True ** torch.tensor([True, False]))", "\"pow\" not implemented for 'Bool'"),
    (
      "t = torch.tensor([True, False])\nt.add_(1)",
      "result type Long can't be cast to the desired output type Bool"
    ),
    ("t = torch.tensor([True, False])\nprint(t @ t)", "\"dot\" not implemented for 'Bool'"),
    (
      "t = torch.tensor([True, False])\nprint(t.softmax(0))",
      "\"softmax_lastdim_kernel_impl\" not implemented for 'Bool'"
    ),
  ]

  @Test(arguments: refused)
  func refusesWithPyTorchsMessage(source: String, message: String) {
    var environment = InMemoryEvalEnvironment()
    do {
      _ = try EvalProgram.run(source: source, environment: &environment)
      Issue.record("no error for \(source)")
    } catch {
      #expect(error.message == message)
    }
  }
}
