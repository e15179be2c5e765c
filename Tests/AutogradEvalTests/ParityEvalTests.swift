import Autograd
import Testing

@testable import AutogradEval

/// Programs where the parity fuzzer (scripts/parity) found a difference, with the stdout PyTorch 2.15 printed.
@Suite struct ParityEvalTests {
  static let cases: [(String, String)] = [
    (
      "a = torch.ones(2, 3, requires_grad=True)\nprint(a.T.grad_fn is None, a.T.shape)\nprint(a.T)",
      "False torch.Size([3, 2])\ntensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], grad_fn=<PermuteBackward0>)\n"
    ),
    (
      "a = torch.ones(3, requires_grad=True)\ny = a * 1\ny[:] = torch.ones(3)\nprint(y)\ny[::1] = 2\nprint(y)",
      "tensor([1., 1., 1.], grad_fn=<CopyBackwards>)\ntensor([2., 2., 2.], grad_fn=<FillBackward2>)\n"
    ),
    (
      "a = torch.ones(3, requires_grad=True)\ny = a @ torch.ones(3, 2)\nprint(y, y._version)",
      "tensor([3., 3.], grad_fn=<SqueezeBackward4>) 1\n"
    ),
    (
      "x = torch.tensor([-0.0, 0.0, -1.0, float('nan')], dtype=torch.float64)\nprint(x.relu())",
      "tensor([-0., 0., 0., nan], dtype=torch.float64)\n"
    ),
    (
      "a = torch.tensor([0.0, 2.0, -1.0], requires_grad=True)\nb = torch.tensor([0.0, 0.0, 2.0], requires_grad=True)\n(a ** b).sum().backward()\nprint(a.grad)",
      "tensor([ 0.,  0., -2.])\n"
    ),
    (
      "x = torch.ones(2, 3, requires_grad=True)\nwith torch.no_grad():\n    v = x.t()\n    m = x * 2\nprint(v.requires_grad, v.is_leaf, v.grad_fn, m.requires_grad)\nv.sum().backward()\nprint(x.grad, v.grad)",
      "True True None False\nNone None\n"
    ),
    (
      "v2 = torch.tensor([-0.0, 1.0, -2.0, 0.0])\nprint(torch.where(v2 > 0, v2, v2))",
      "tensor([-0.,  1., -2.,  0.])\n"
    ),
    (
      "print(torch.nn.functional.softplus(torch.tensor([-200.0, -100.0, 30.0])))",
      "tensor([0.0000e+00, 3.7835e-44, 3.0000e+01])\n"
    ),
    (
      "a = torch.ones(2, 3, requires_grad=True)\ny = a * 1\ny[:, 0:2] = 5.0\nprint(y)\ny[:1] = 4.0\nprint(y)\ny[-5:] = 2.0\nprint(y)",
      "tensor([[5., 5., 1.],\n        [5., 5., 1.]], grad_fn=<CopySlices>)\ntensor([[4., 4., 4.],\n        [5., 5., 1.]], grad_fn=<CopySlices>)\ntensor([[2., 2., 2.],\n        [2., 2., 2.]], grad_fn=<CopySlices>)\n"
    ),
    (
      "v1 = torch.tensor([0.3, 7.1, 1e-3], requires_grad=True)\nv3 = v1 / v1\nv3.backward(torch.tensor([2.0, 100000.0, -4.05]))\nprint(v1.grad.tolist())",
      "[0.0, -0.0009765625, 0.0]\n"
    ),
    (
      "v1 = torch.tensor([1e-40, 0.25])\nprint(torch.nn.functional.silu(torch.log(v1)).tolist())",
      "[-0.0, -0.27725887298583984]\n"
    ),
    (
      "x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)\nprint(F.cross_entropy(x, x), F.cross_entropy(x, x, reduction='sum'), F.cross_entropy(torch.ones(2, 0, requires_grad=True), torch.ones(2, 0)))",
      "tensor(3.3753, grad_fn=<DivBackward1>) tensor(3.3753, grad_fn=<NegBackward0>) tensor(nan, grad_fn=<NegBackward0>)\n"
    ),
  ]

  @Test(arguments: cases)
  func printsWhatPyTorchPrints(source: String, expected: String) throws {
    var environment = InMemoryEvalEnvironment()
    let outcome = try EvalProgram.run(source: source, environment: &environment)
    #expect(outcome.stdout == expected)
  }

  @Test func extraArgumentsOfAMethodAreCountedWithoutSelf() {
    func failure(_ source: String) -> String? {
      var environment = InMemoryEvalEnvironment()
      do {
        _ = try EvalProgram.run(source: source, environment: &environment)
        return nil
      } catch {
        return error.message
      }
    }
    // PyTorch: t.clone(1.0), torch.clone(t, 1.0), t.add(t, 2), torch.add(t, t, 2)
    let t = "t = torch.ones(2)\n"
    #expect(
      failure(t + "t.clone(1.0)")
        == "TypeError: clone() takes 0 positional arguments but 1 was given")
    #expect(
      failure(t + "torch.clone(t, 1.0)")
        == "TypeError: clone() takes 1 positional argument but 2 were given")
    #expect(
      failure(t + "t.add(t, 2)") == "TypeError: add() takes 1 positional argument but 2 were given")
    #expect(
      failure(t + "torch.add(t, t, 2)")
        == "TypeError: add() takes 2 positional arguments but 3 were given")
  }

  @Test func inPlaceOnALeafViewThatRequiresGradIsRefused() throws {
    var environment = InMemoryEvalEnvironment()
    let source = "v = (torch.arange(6.) / 7).reshape(2, 3).requires_grad_()\nv.mul_(2)"
    #expect(throws: EvalError.self) {
      try EvalProgram.run(source: source, environment: &environment)
    }
  }
}
