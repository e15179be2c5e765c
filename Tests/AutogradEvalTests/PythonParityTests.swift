import Autograd
import Testing

@testable import AutogradEval

/// Programs beyond the tutorial, each with the stdout PyTorch 2.15 printed for it (run once through CPython as the
/// oracle; grad_fn addresses excepted).
@Suite struct PythonParityTests {
  static let cases: [(String, String)] = [
    (
      "print(-2**2, 2**-1, 2**3**2, 7//2, -7//2, 7%3, -7%3, 1/4, 10/5)",
      "-4 0.5 512 3 -4 1 2 0.25 2.0\n"
    ),
    (
      "print(1e-5, 1e16, 1e15, 0.1, 3.0, True, None, 'abc', [1, 2.5, 'a'], (1,), ())",
      "1e-05 1e+16 1000000000000000.0 0.1 3.0 True None abc [1, 2.5, 'a'] (1,) ()\n"
    ),
    (
      "x = torch.ones(2, 2)\nprint(x.shape, x.shape[0], x.dtype, x.requires_grad, x.is_leaf, x.grad)",
      "torch.Size([2, 2]) 2 torch.float32 False True None\n"
    ),
    (
      "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = (x @ x).sum()\ny.backward()\nprint(x.grad)",
      "tensor([[ 7., 11.],\n        [ 9., 13.]])\n"
    ),
    (
      "x = torch.tensor([1., 2., 3.], requires_grad=True)\nprint(2 - x, 2 / x, 2 ** x, -x)",
      "tensor([ 1.,  0., -1.], grad_fn=<RsubBackward1>) tensor([2.0000, 1.0000, 0.6667], grad_fn=<MulBackward0>) tensor([2., 4., 8.], grad_fn=<PowBackward2>) tensor([-1., -2., -3.], grad_fn=<NegBackward0>)\n"
    ),
    (
      "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x * 2\nprint(y[0], y[1:], y[::2], y[..., None])",
      "tensor(2., grad_fn=<SelectBackward0>) tensor([4., 6.], grad_fn=<SliceBackward0>) tensor([2., 6.], grad_fn=<SliceBackward0>) tensor([[2.],\n        [4.],\n        [6.]], grad_fn=<UnsqueezeBackward0>)\n"
    ),
    (
      "x = torch.arange(6).view(2, 3)\nprint(x, x[:, 1:3], x.dtype)",
      "tensor([[0, 1, 2],\n        [3, 4, 5]]) tensor([[1, 2],\n        [4, 5]]) torch.int64\n"
    ),
    (
      "x = torch.zeros(2, 3, dtype=torch.float64)\nprint(x)",
      "tensor([[0., 0., 0.],\n        [0., 0., 0.]], dtype=torch.float64)\n"
    ),
    (
      "x = torch.full((2, 2), 0.5, requires_grad=True)\nprint(x)",
      "tensor([[0.5000, 0.5000],\n        [0.5000, 0.5000]], requires_grad=True)\n"
    ),
    (
      "x = torch.tensor(2.0, requires_grad=True)\ny = x ** 3\ng, = torch.autograd.grad(y, x, create_graph=True)\nprint(g)\ng2, = torch.autograd.grad(g, x)\nprint(g2)",
      "tensor(12., grad_fn=<MulBackward0>)\ntensor(12.)\n"
    ),
    (
      "x = torch.tensor([1., 2.], requires_grad=True)\nprint(x.sum().item(), x.tolist(), x.detach())",
      "3.0 [1.0, 2.0] tensor([1., 2.])\n"
    ),
    (
      "x = torch.tensor([0.1, 20000.0, 3.0])\nprint(x)",
      "tensor([1.0000e-01, 2.0000e+04, 3.0000e+00])\n"
    ),
    (
      "x = torch.tensor([1e-5, 1.0])\nprint(x)",
      "tensor([1.0000e-05, 1.0000e+00])\n"
    ),
    (
      "x = torch.tensor([1., 2., 3.], requires_grad=True)\ny = x.exp().sum()\ny.backward()\nprint(x.grad)",
      "tensor([ 2.7183,  7.3891, 20.0855])\n"
    ),
    (
      "x = torch.tensor([[1., -2.], [3., 4.]], requires_grad=True)\nprint(F.relu(x), torch.sigmoid(x).sum())",
      "tensor([[1., 0.],\n        [3., 4.]], grad_fn=<ReluBackward0>) tensor(2.7848, grad_fn=<SumBackward0>)\n"
    ),
    (
      "x = torch.arange(2000.)\nprint(x)",
      "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])\n"
    ),
    (
      "x = torch.tensor([1, 2, 3])\nprint(x, x * 2, x / 2)",
      "tensor([1, 2, 3]) tensor([2, 4, 6]) tensor([0.5000, 1.0000, 1.5000])\n"
    ),
    (
      "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny.retain_grad()\ny.sum().backward()\nprint(y.grad, x.grad)",
      "tensor([1., 1., 1.]) tensor([2., 2., 2.])\n"
    ),
    (
      "x = torch.ones(2, requires_grad=True)\nprint(x.grad is None, x.sum().grad_fn.name())",
      "True SumBackward0\n"
    ),
    (
      "a = 3\na += 2\nb = a * 1.5\nprint(a, b, a == 5, a < b, not a)",
      "5 7.5 True True False\n"
    ),
    (
      "x = torch.ones(2)\nx += 1\nx *= 3\nprint(x, x._version)",
      "tensor([6., 6.]) 2\n"
    ),
    (
      "print(torch.tensor(3), torch.tensor(3.5), torch.tensor([[1.5]]))",
      "tensor(3) tensor(3.5000) tensor([[1.5000]])\n"
    ),
    (
      "x = torch.ones(2, 2, requires_grad=True)\ny = x.t()\nprint(y, y.shape, len(y))",
      "tensor([[1., 1.],\n        [1., 1.]], grad_fn=<TBackward0>) torch.Size([2, 2]) 2\n"
    ),
    (
      "x = 3.14159\nn = 42\nprint(f'{x:.2f} {n:5d}|{n:<5}|{n:^6}|{x:10.3e}|{x!r} {n=} {x:+.1f} {0.25:%} {1234567:,}')",
      "3.14    42|42   |  42  | 3.142e+00|3.14159 n=42 +3.1 25.000000% 1,234,567\n"
    ),
    (
      "x = torch.tensor(2.5, requires_grad=True)\ny = x * 2\nprint(f'y = {y}, item {y.item():.3f}, {y:.2f}, grad_fn {type(y.grad_fn).__name__ if False else y.grad_fn.name()}')",
      "y = 5.0, item 5.000, 5.00, grad_fn MulBackward0\n"
    ),
    (
      "s = 'abc'\nprint(f\"[{s:>6}] [{s:*<6}] {{literal}} {s!r}\")",
      "[   abc] [abc***] {literal} 'abc'\n"
    ),
    (
      "x = torch.ones(2)\nprint(f'{x.shape} {x.dtype} {x.sum().item()}')",
      "torch.Size([2]) torch.float32 2.0\n"
    ),
    (
      "print(r'a\\nb', 'a' 'b', f'{1 + 1}' 'c')",
      "a\\nb ab 2c\n"
    ),
    (
      "x = torch.ones(2, requires_grad=True)\ny = (x * x).sum()\nprint(y.grad_fn.next_functions)\nprint(y.grad_fn.next_functions[0][0].next_functions)",
      "((<MulBackward0 object at 0x7fae197ff280>, 0),)\n((<AccumulateGrad object at 0x7fae197ff100>, 0), (<AccumulateGrad object at 0x7fae197ff100>, 0))\n"
    ),
    (
      "x = torch.ones(2)\nx.requires_grad_()\nprint(x)\nx.requires_grad = False\nprint(x.requires_grad)",
      "tensor([1., 1.], requires_grad=True)\nFalse\n"
    ),
    (
      "x = torch.tensor([[1., 5.], [7., 2.]], requires_grad=True)\nv, i = x.max(dim=1)\nprint(v, i)\nprint(x.max())",
      "tensor([5., 7.], grad_fn=<MaxBackward0>) tensor([1, 0])\ntensor(7., grad_fn=<MaxBackward1>)\n"
    ),
    (
      "x = torch.ones(2, requires_grad=True)\n(x * 3).sum().backward()\nx.grad = None\nprint(x.grad)\ntorch.autograd.backward((x * 2).sum())\nprint(x.grad)",
      "None\ntensor([2., 2.])\n"
    ),
    (
      "a = torch.tensor([1., 2., 3.], requires_grad=True)\nb = torch.tensor([1., 0., 5.])\nprint(F.mse_loss(a, b, reduction='sum'), F.mse_loss(a, b))",
      "tensor(8., grad_fn=<MseLossBackward0>) tensor(2.6667, grad_fn=<MseLossBackward0>)\n"
    ),
    (
      "a = torch.ones(2)\nb = torch.zeros(2)\nprint(torch.cat([a, b], dim=0), torch.stack([a, b]), torch.stack((a, b), dim=1).shape)",
      "tensor([1., 1., 0., 0.]) tensor([[1., 1.],\n        [0., 0.]]) torch.Size([2, 2])\n"
    ),
    (
      "x = torch.arange(6.).view(2, 3)\nprint(x.view(-1), x.reshape((3, 2)), x.sum(dim=1, keepdim=True), x.mean(0))",
      "tensor([0., 1., 2., 3., 4., 5.]) tensor([[0., 1.],\n        [2., 3.],\n        [4., 5.]]) tensor([[ 3.],\n        [12.]]) tensor([1.5000, 2.5000, 3.5000])\n"
    ),
    (
      "x = torch.tensor([[1., 2., 3.]], requires_grad=True)\nprint(x.softmax(dim=1), F.log_softmax(x, dim=1))",
      "tensor([[0.0900, 0.2447, 0.6652]], grad_fn=<SoftmaxBackward0>) tensor([[-2.4076, -1.4076, -0.4076]], grad_fn=<LogSoftmaxBackward0>)\n"
    ),
    (
      "logits = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)\ntarget = torch.tensor([0])\nloss = F.cross_entropy(logits, target)\nloss.backward()\nprint(loss, logits.grad)",
      "tensor(0.4170, grad_fn=<NllLossBackward0>) tensor([[-0.3410,  0.2424,  0.0986]])\n"
    ),
    (
      "x = torch.ones(2, 3)\nprint(x.unsqueeze(0).shape, x.t().shape, x.transpose(0, 1).shape, x[None].squeeze(0).shape, x.expand(2, 2, 3).shape)",
      "torch.Size([1, 2, 3]) torch.Size([3, 2]) torch.Size([3, 2]) torch.Size([2, 3]) torch.Size([2, 2, 3])\n"
    ),
    (
      "x = torch.tensor([1., 2.], requires_grad=True)\ny = x.clone()\nprint(y, x.detach().requires_grad, torch.exp(x), x.log(), x.sqrt(), torch.tanh(x))",
      "tensor([1., 2.], grad_fn=<CloneBackward0>) False tensor([2.7183, 7.3891], grad_fn=<ExpBackward0>) tensor([0.0000, 0.6931], grad_fn=<LogBackward0>) tensor([1.0000, 1.4142], grad_fn=<SqrtBackward0>) tensor([0.7616, 0.9640], grad_fn=<TanhBackward0>)\n"
    ),
    (
      "x = torch.tensor(1.0, requires_grad=True)\nz = x * 2\nprint(z.item(), float(z), int(z * 3.7), round(2.5), round(3.14159, 2), abs(-3), len([1, 2]), min(3, 1, 2), max([1, 5]))",
      "2.0 2.0 7 2 3.14 3 2 1 5\n"
    ),
    (
      "x = torch.ones(3)\nx[0] = 5\nx[1:] = torch.tensor([2., 3.])\nprint(x, x._version)",
      "tensor([5., 2., 3.]) 2\n"
    ),
    (
      "x = torch.ones(2, 2, requires_grad=True)\ny = x * 2\nprint(y.is_leaf, y.grad_fn, y.requires_grad)\nz = y.detach()\nprint(z.is_leaf, z.grad_fn, z.requires_grad)",
      "False <MulBackward0 object at 0x7fad60656f80> True\nTrue None False\n"
    ),
    (
      "x = torch.tensor([[1., 5.], [7., 2.]], requires_grad=True)\nr = x.max(dim=1)\nprint(r)\nprint(r.values, r[1], len(r))",
      "torch.return_types.max(\nvalues=tensor([5., 7.], grad_fn=<MaxBackward0>),\nindices=tensor([1, 0]))\ntensor([5., 7.], grad_fn=<MaxBackward0>) tensor([1, 0]) 2\n"
    ),
    (
      "x = torch.tensor([[1., 5.], [7., 2.]], requires_grad=True)\nprint([x.sum()], (x.sum(),), x.size(), torch.float, torch.float64)",
      "[tensor(15., grad_fn=<SumBackward0>)] (tensor(15., grad_fn=<SumBackward0>),) torch.Size([2, 2]) torch.float32 torch.float64\n"
    ),
    (
      "x = torch.tensor([1., 2.], requires_grad=True)\nprint(x.double(), x.float().dtype, x.long())",
      "tensor([1., 2.], dtype=torch.float64, grad_fn=<ToCopyBackward0>) torch.float32 tensor([1, 2])\n"
    ),
  ]

  @Test(arguments: cases)
  func printsWhatPyTorchPrints(source: String, expected: String) throws {
    var environment = InMemoryEvalEnvironment()
    let outcome = try EvalProgram.run(source: source, environment: &environment)
    #expect(withoutAddresses(outcome.stdout) == withoutAddresses(expected))
  }
}
