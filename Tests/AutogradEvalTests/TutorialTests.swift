import Autograd
import Testing

@testable import AutogradEval

/// Every code cell of shared/seed/autograd-tutorial.md, in order, one environment per section; stdout compared
/// with shared/reference/pytorch-autograd.md §4 character for character (addresses excepted; the pinned literals
/// of §4 replace randn).
struct Cell {
  var source: String
  var stdout: String
  /// The notebook's `Out[n]` for a cell ending in an expression: the result's repr.
  var result: String? = nil
}

func runSection(_ cells: [Cell], sourceLocation: SourceLocation = #_sourceLocation) throws {
  var environment = InMemoryEvalEnvironment()
  for cell in cells {
    let outcome = try EvalProgram.run(source: cell.source, environment: &environment)
    #expect(withoutAddresses(outcome.stdout) == cell.stdout, sourceLocation: sourceLocation)
    if let expected = cell.result {
      #expect(
        outcome.result.map { withoutAddresses($0.repr) } == expected, sourceLocation: sourceLocation
      )
    }
  }
}

/// `<AddBackward0 object at 0x7f97b4fa0d00>` → `<AddBackward0 object at 0x…>`: addresses differ every run.
func withoutAddresses(_ text: String) -> String {
  var out = ""
  var rest = Substring(text)
  while let range = rest.range(of: " at 0x") {
    out += rest[..<range.upperBound]
    out += "…"
    rest = rest[range.upperBound...].drop { $0.isHexDigit }
  }
  return out + rest
}

@Suite struct TutorialTests {
  @Test func section1_2TensorAndGradients() throws {
    try runSection([
      Cell(
        source: """
          import torch
          x = torch.ones(2,2,requires_grad=True)
          print(x)
          print(x.grad_fn)
          """,
        stdout: """
          tensor([[1., 1.],
                  [1., 1.]], requires_grad=True)
          None

          """),
      Cell(
        source: """
          y = x + 2
          print(y)
          print(y.grad_fn)
          """,
        stdout: """
          tensor([[3., 3.],
                  [3., 3.]], grad_fn=<AddBackward0>)
          <AddBackward0 object at 0x…>

          """),
      Cell(source: "print(x.is_leaf, y.is_leaf) # True False", stdout: "True False\n"),
      Cell(
        source: """
          z = y * y * 3
          out = z.mean()
          print(z, out)
          """,
        stdout: """
          tensor([[27., 27.],
                  [27., 27.]], grad_fn=<MulBackward0>) tensor(27., grad_fn=<MeanBackward0>)

          """),
      Cell(source: "out.backward() # 等价于 out.backward(torch.tensor(1.))", stdout: ""),
      Cell(
        source: "print(x.grad)",
        stdout: """
          tensor([[4.5000, 4.5000],
                  [4.5000, 4.5000]])

          """),
      Cell(
        source: """
          out2 = x.sum()
          out2.backward()
          print(x.grad)

          out3 = x.sum()
          x.grad.data.zero_()
          out3.backward()
          print(x.grad)
          """,
        stdout: """
          tensor([[5.5000, 5.5000],
                  [5.5000, 5.5000]])
          tensor([[1., 1.],
                  [1., 1.]])

          """),
    ])
  }

  @Test func experiment1WeightedBackward() throws {
    try runSection([
      Cell(
        source: """
          x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
          y = 2 * x
          z = y.view(2, 2)
          print(z)
          """,
        stdout: """
          tensor([[2., 4.],
                  [6., 8.]], grad_fn=<ViewBackward0>)

          """),
      Cell(
        source: """
          v = torch.tensor([[1.0, 0.1], [0.01, 0.001]], dtype=torch.float)
          z.backward(v)
          print(x.grad)
          """,
        stdout: "tensor([2.0000, 0.2000, 0.0200, 0.0020])\n"),
      Cell(
        source: """
          x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
          y = 2 * x
          z2 = y.view(2, 2)
          h = torch.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=torch.float)
          z2.backward(h)
          print(x.grad)
          """,
        stdout: "tensor([2., 2., 2., 2.])\n"),
    ])
  }

  @Test func experiment2DotProductWithPinnedInputs() throws {
    try runSection([
      Cell(
        source: """
          x = torch.tensor([-0.6103, 0.2401, -0.5577], requires_grad=True)
          y = torch.tensor([0.9066, 0.2731, 1.2899], requires_grad=True)
          z = torch.tensor([1.3269, -2.0241, -0.8399], requires_grad=True)
          print(x)
          print(y)
          print(z)

          t = x+y
          l = t.dot(z) #计算内积，点积
          print(t)
          print(l)
          """,
        stdout: """
          tensor([-0.6103,  0.2401, -0.5577], requires_grad=True)
          tensor([0.9066, 0.2731, 1.2899], requires_grad=True)
          tensor([ 1.3269, -2.0241, -0.8399], requires_grad=True)
          tensor([0.2963, 0.5132, 0.7322], grad_fn=<AddBackward0>)
          tensor(-1.2606, grad_fn=<DotBackward0>)

          """),
      Cell(
        source: """
          l.backward(retain_graph=True)
          print(x.grad)
          print(y.grad) # x.grad = y.grad = z
          print(z)

          print(z.grad) # z.grad = t = x + y
          print(t)
          """,
        stdout: """
          tensor([ 1.3269, -2.0241, -0.8399])
          tensor([ 1.3269, -2.0241, -0.8399])
          tensor([ 1.3269, -2.0241, -0.8399], requires_grad=True)
          tensor([0.2963, 0.5132, 0.7322])
          tensor([0.2963, 0.5132, 0.7322], grad_fn=<AddBackward0>)

          """),
      Cell(
        source: """
          x.grad.data.zero_()
          y.grad.data.zero_()
          z.grad.data.zero_()

          t.backward(z)
          print(x.grad)
          print(y.grad)
          """,
        stdout: """
          tensor([ 1.3269, -2.0241, -0.8399])
          tensor([ 1.3269, -2.0241, -0.8399])

          """),
      Cell(source: "print(z.grad)", stdout: "tensor([0., 0., 0.])\n"),
    ])
  }

  @Test func experiment3NoGradBlock() throws {
    var environment = InMemoryEvalEnvironment()
    let first = try EvalProgram.run(
      source: """
        x = torch.tensor(1.0, requires_grad=True)
        y1 = x**2
        with torch.no_grad():
            y2 = x**3
        y3 = y1 + y2
        print(x.requires_grad)
        print(y1, y1.requires_grad) # True
        print(y2, y2.requires_grad) # False
        print(y3, y3.requires_grad) # True
        """, environment: &environment)
    #expect(
      first.stdout == """
        True
        tensor(1., grad_fn=<PowBackward0>) True
        tensor(1.) False
        tensor(2., grad_fn=<AddBackward0>) True

        """)
    let second = try EvalProgram.run(
      source: "y3.backward()\nprint(x.grad)", environment: &environment)
    #expect(second.stdout == "tensor(2.)\n")
    #expect(
      throws: EvalError(
        code: "no_grad_fn",
        message: "element 0 of tensors does not require grad and does not have a grad_fn",
        line: 1, column: 1)
    ) {
      try EvalProgram.run(source: "y2.backward()", environment: &environment)
    }
  }

  @Test func dataChangesValuesWithoutAutograd() throws {
    try runSection([
      Cell(
        source: """
          x = torch.ones(1,requires_grad=True)

          print(x.data) # 还是一个tensor
          print(x.data.requires_grad) # 但是已经是独立于计算图之外

          y = 2 * x
          x.data *= 100 # 只改变了值，不会记录在计算图，所以不会影响梯度传播

          y.backward()
          print(x) # 更改data的值也会影响tensor的值
          print(x.grad)
          """,
        stdout: """
          tensor([1.])
          False
          tensor([100.], requires_grad=True)
          tensor([2.])

          """),
      Cell(source: "x._version", stdout: "", result: "0"),
    ])
  }

  @Test func jacobianOfElementwiseSquare() throws {
    try runSection([
      Cell(
        source: "x = torch.tensor([-1.5383, -0.2821, -0.2916], requires_grad=True)\nx", stdout: "",
        result: "tensor([-1.5383, -0.2821, -0.2916], requires_grad=True)"),
      Cell(
        source: "y = x**2\ny.backward(torch.ones(3))\nx.grad", stdout: "",
        result: "tensor([-3.0766, -0.5642, -0.5832])"),
      Cell(
        source: "x", stdout: "", result: "tensor([-1.5383, -0.2821, -0.2916], requires_grad=True)"),
    ])
  }

  @Test func jacobianThroughSetitem() throws {
    try runSection([
      Cell(
        source: """
          x1 = torch.tensor(1,requires_grad=True,dtype=torch.float)
          x2 = torch.tensor(2,requires_grad=True,dtype=torch.float)
          x3 = torch.tensor(3,requires_grad=True,dtype=torch.float)
          y = torch.tensor([-0.2626, 1.3613, 0.4917])
          """, stdout: ""),
      Cell(source: "y", stdout: "", result: "tensor([-0.2626,  1.3613,  0.4917])"),
      Cell(
        source: "y[0] = x1**2+2*x2+x3\nprint(y)",
        stdout: "tensor([8.0000, 1.3613, 0.4917], grad_fn=<CopySlices>)\n"),
      Cell(
        source: """
          y[1] = x1+x2**3+x3**2
          y[2] = 2*x1+x2**2+x3**3
          print(y)
          print(y.is_leaf, y.requires_grad, y._version)
          """,
        stdout: "tensor([ 8., 18., 33.], grad_fn=<CopySlices>)\nFalse True 3\n"),
      Cell(source: "y.backward(torch.ones(3))", stdout: ""),
      Cell(source: "x1.grad", stdout: "", result: "tensor(5.)"),
      Cell(source: "x2.grad", stdout: "", result: "tensor(18.)"),
      Cell(source: "x3.grad", stdout: "", result: "tensor(34.)"),
    ])
  }
}
