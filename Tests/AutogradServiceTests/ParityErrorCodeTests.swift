import Foundation
import Testing

@testable import AutogradService

/// Codes and texts of refused ops as the PyTorch reference service gives them: PyTorch's message as `detail`, and
/// the code decided from that message (expected values from competitors/torch_service over PyTorch 2.15).
@Suite struct ParityErrorCodeTests {
  private func refused(
    _ t: any TestTarget, _ path: String, _ json: String, _ status: Int, _ code: String,
    _ detail: String
  ) async throws {
    let r = try await t.send("POST", path, json: json)
    #expect(r.status == status, "\(json): \(r.text)")
    #expect(r.object["code"] as? String == code, "\(json): \(r.text)")
    #expect(r.object["detail"] as? String == detail, "\(json): \(r.text)")
  }

  @Test func codesFollowTheMessageAsInTheReference() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [[1, 2], [3, 4]], "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "s", "data": 2.0}"#)
      // A RuntimeError without shape words is invalid_op, even from matmul.
      try await refused(
        t, s + "/ops", #"{"op": "matmul", "args": ["x", "s"]}"#, 422, "invalid_op",
        "both arguments to matmul need to be at least 1D, but they are 2D and 0D")
      // A missing argument is PyTorch's TypeError: 422 invalid_op, not a malformed request.
      try await refused(
        t, s + "/ops", #"{"op": "logsumexp", "args": ["x"]}"#, 422, "invalid_op",
        #"logsumexp() missing 1 required positional arguments: "dim""#)
      // An unknown dtype name is the request's fault.
      try await refused(
        t, s + "/ops", #"{"op": "sum", "args": ["x"], "kwargs": {"dtype": "int8"}}"#, 400,
        "invalid_argument", "unknown dtype 'int8' (use float32, float64, int64, int32 or bool)")
      try await refused(
        t, s + "/ops", #"{"op": "div", "args": ["x", 2], "kwargs": {"rounding_mode": "bad"}}"#, 422,
        "shape_mismatch",
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'bad'")
    }
  }

  @Test func integerSoftmaxNamesTheKernelOfItsDim() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "i", "data": [[1, 2], [3, 4]], "dtype": "int64"}"#)
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "e", "shape": [2, 0], "init": "zeros", "dtype": "int64"}"#)
      try await refused(
        t, s + "/ops", #"{"op": "softmax", "args": ["i", 0]}"#, 422, "invalid_op",
        #""softmax_kernel_impl" not implemented for 'Long'"#)
      try await refused(
        t, s + "/ops", #"{"op": "log_softmax", "args": ["i", -1]}"#, 422, "invalid_op",
        #""log_softmax_lastdim_kernel_impl" not implemented for 'Long'"#)
      // torch.softmax(torch.zeros(2, 0, dtype=torch.int64), 0) is an empty int64 tensor.
      let empty = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "softmax", "args": ["e", 0]}"#)
      #expect(empty["dtype"] as? String == "int64")
      #expect(empty["shape"] as? [Int] == [2, 0])
    }
  }

  @Test func dtypeAndRoundingModeKeywords() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "a", "data": [-7.0, -6.5, -0.5, 0.0, 0.5, 6.5, 7.0, 5.3], "requires_grad": true}"#
      )
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "i", "data": [-7, -6, 7, 6], "dtype": "int64"}"#)
      // torch.div(a, 0.3, rounding_mode="floor") / "trunc"; DivBackward2 passes zero gradient.
      let floor = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "div", "args": ["a", 0.3], "kwargs": {"rounding_mode": "floor"}, "name": "f"}"#)
      #expect(floor["grad_fn"] as? String == "DivBackward2")
      #expect(floor["data"] as? [Double] == [-24, -22, -2, 0, 1, 21, 23, 17])
      let negative = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "div", "args": ["a", -2.0], "kwargs": {"rounding_mode": "floor"}}"#)
      #expect(negative["data"] as? [Double] == [3, 3, 0, -0.0, -1, -4, -4, -3])
      let trunc = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "div", "args": ["a", 2.0], "kwargs": {"rounding_mode": "trunc"}}"#)
      #expect(trunc["data"] as? [Double] == [-3, -3, -0.0, 0, 0, 3, 3, 2])
      let ints = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "div", "args": ["i", 2], "kwargs": {"rounding_mode": "floor"}}"#)
      #expect(ints["dtype"] as? String == "int64")
      #expect(ints["data"] as? [Int] == [-4, -3, 3, 3])
      try await t.expect(201, "POST", s + "/ops", #"{"op": "sum", "args": ["f"], "name": "l"}"#)
      let grads = try await t.expect(200, "POST", s + "/tensors/l/backward", "{}")
      #expect((grads["grads"] as? [String: Any])?["a"] as? [Double] == [0, 0, 0, 0, 0, 0, 0, 0])
      // x.mean(dtype=torch.float64), torch.softmax(x, 0, dtype=torch.float64)
      let mean = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "mean", "args": ["i"], "kwargs": {"dtype": "float64"}}"#)
      #expect(mean["dtype"] as? String == "float64")
      #expect(mean["data"] as? Double == 0)
      let softmax = try await t.expect(
        201, "POST", s + "/ops",
        #"{"op": "softmax", "args": ["a"], "kwargs": {"dim": 0, "dtype": "float64"}}"#)
      #expect(softmax["dtype"] as? String == "float64")
      #expect(softmax["grad_fn"] as? String == "SoftmaxBackward0")
    }
  }

  @Test func indexErrorsAndArgumentTexts() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "s", "data": 3.0, "requires_grad": true}"#)
      try await t.expect(201, "POST", s + "/tensors", #"{"name": "x", "data": [1.0, 2.0]}"#)
      // IndexErrors are shape_mismatch in the reference; Python's slice step check comes first.
      try await refused(
        t, s + "/ops", #"{"op": "getitem", "args": ["s"], "kwargs": {"index": "0"}}"#, 422,
        "shape_mismatch",
        "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
      )
      try await refused(
        t, s + "/ops", #"{"op": "getitem", "args": ["s"], "kwargs": {"index": "-2:3:1"}}"#, 422,
        "shape_mismatch", "slice() cannot be applied to a 0-dim tensor.")
      try await refused(
        t, s + "/ops", #"{"op": "getitem", "args": ["s"], "kwargs": {"index": "::-1"}}"#, 422,
        "invalid_op", "step must be greater than zero")
      try await refused(
        t, s + "/ops", #"{"op": "mul", "args": ["x"]}"#, 422, "invalid_op",
        #"mul() missing 1 required positional arguments: "other""#)
      try await refused(t, s + "/ops", "[]", 400, "invalid_argument", "empty batch")
    }
  }

  @Test func scalarFirstOperatorsAlphaAndIntegerClamp() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors",
        #"{"name": "x", "data": [1.0, 2.0, 4.0], "requires_grad": true}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "i", "data": [1, 2, 3], "dtype": "int64"}"#)
      // 2 / x is reciprocal(x) * 2; 2 - x is rsub.
      let quotient = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "div", "args": [2, "x"]}"#)
      #expect(quotient["grad_fn"] as? String == "MulBackward0")
      #expect(quotient["data"] as? [Double] == [2, 1, 0.5])
      let difference = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "sub", "args": [2, "x"]}"#)
      #expect(difference["grad_fn"] as? String == "RsubBackward1")
      #expect(difference["data"] as? [Double] == [1, 0, -2])
      try await refused(
        t, s + "/ops", #"{"op": "sub", "args": ["i", "i"], "kwargs": {"alpha": 0.5}}"#, 422,
        "invalid_op",
        "For integral input tensors, argument alpha must not be a floating point number.")
      // torch.clamp(int64 tensor, max=0.5) is float32
      let clamped = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "clamp", "args": ["i"], "kwargs": {"max": 0.5}}"#)
      #expect(clamped["dtype"] as? String == "float32")
      #expect(clamped["data"] as? [Double] == [0.5, 0.5, 0.5])
      let kept = try await t.expect(
        201, "POST", s + "/ops", #"{"op": "clamp", "args": ["i"], "kwargs": {"min": 2}}"#)
      #expect(kept["dtype"] as? String == "int64")
    }
  }

  @Test func valueAndTypeErrorsAsTheReferenceAnswersThem() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "shape": [2, 3], "init": "ones"}"#)
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "t", "data": [0], "dtype": "int64"}"#)
      // A ValueError in PyTorch: invalid_op whatever its words ("Expected" would make a RuntimeError a shape one).
      try await refused(
        t, s + "/ops", #"{"op": "cross_entropy", "args": ["x", "t"]}"#, 422, "invalid_op",
        "Expected input batch_size (2) to match target batch_size (1).")
      // /eval runs Python in the reference: the class name comes first.
      let typeError = try await t.send(
        "POST", s + "/eval", json: #"{"source": "y = torch.logsumexp(x)"}"#)
      #expect(typeError.status == 422)
      #expect(typeError.object["code"] as? String == "invalid_op")
      #expect(
        typeError.object["detail"] as? String
          == #"TypeError: logsumexp() missing 1 required positional arguments: "dim""#)
      let valueError = try await t.send(
        "POST", s + "/eval", json: #"{"source": "y = x[:, ::-1]"}"#)
      #expect(valueError.status == 422)
      #expect(
        valueError.object["detail"] as? String == "ValueError: step must be greater than zero")
    }
  }

  @Test func argumentParserRefusalsCarryTheReferenceCodes() async throws {
    try await withTarget(.inProcess) { t in
      let s = try await t.newSession()
      try await t.expect(
        201, "POST", s + "/tensors", #"{"name": "x", "shape": [2, 3], "init": "ones"}"#)
      // x.sum(keepdim=True): PyTorch's overload list names dtype, so the reference says dtype_mismatch.
      try await refused(
        t, s + "/ops", #"{"op": "sum", "args": ["x"], "kwargs": {"keepdim": true}}"#, 422,
        "dtype_mismatch",
        "sum() received an invalid combination of arguments - got (Tensor, keepdim=bool), but expected one of:"
      )
      try await refused(
        t, s + "/ops", #"{"op": "max", "args": ["x"], "kwargs": {"keepdim": true}}"#, 422,
        "invalid_op",
        "max() received an invalid combination of arguments - got (Tensor, keepdim=bool), but expected one of:"
      )
      try await refused(
        t, s + "/ops", #"{"op": "view", "args": ["x"]}"#, 422, "dtype_mismatch",
        "view() received an invalid combination of arguments - got (), but expected one of:")
      try await refused(
        t, s + "/ops", #"{"op": "permute", "args": ["x"]}"#, 422, "invalid_op",
        #"permute() missing 1 required positional arguments: "dims""#)
      try await refused(
        t, s + "/ops", #"{"op": "expand", "args": ["x"]}"#, 422, "invalid_op",
        #"expand() missing 1 required positional arguments: "size""#)
    }
  }
}
