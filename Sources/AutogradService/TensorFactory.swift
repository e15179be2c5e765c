import Autograd
import TensorJSON

/// `POST .../tensors` bodies: values given (`data`) or made (`init`).
enum TensorFactory {
  static let keys: Set<String> = [
    "name", "data", "shape", "init", "value", "seed", "dtype", "requires_grad", "start", "end",
    "step",
  ]

  /// The tensor a body describes, admitted by the session's quotas (elements, bytes, memory budget) before any
  /// storage is allocated.
  /// `rawBody` is the request's bytes, read again only for a seed too large for a Double to hold exactly.
  static func make(_ body: JSONObject, rawBody: [UInt8] = [], state: inout SessionState)
    throws(ServiceError) -> Tensor
  {
    let limits = state.limits
    let dtype = try TensorRequests.dtype(body["dtype"])
    let requiresGrad = try body.bool("requires_grad", default: false)
    if requiresGrad && !dtype.isFloatingPoint { throw TensorRequests.requiresGradRefusal }
    let initName = try body.string("init")
    if let data = body["data"], !data.isNull {
      guard initName == nil else { throw .invalidArgument("give either data or init, not both") }
      if dtype == .float32 {
        // Straight to float32 (RequestBody.tensorObject read large lists that way): no [Double] in between.
        let literal: Float32TensorLiteral
        do {
          literal = try float32TensorLiteral(data: data, shape: body["shape"])
        } catch {
          throw ServiceError(error, field: "data")
        }
        try state.admit(elements: literal.values.count, bytes: bytes(literal.values.count, dtype))
        return try engine { () throws(AutogradError) in
          try literal.values.withUnsafeBufferPointer { floats throws(AutogradError) in
            try Tensor(shape: literal.shape, floats: floats, requiresGrad: requiresGrad)
          }
        }
      }
      let literal: TensorLiteral
      do {
        literal = try tensorLiteral(data: data, shape: body["shape"])
      } catch {
        throw ServiceError(error, field: "data")
      }
      try state.admit(elements: literal.values.count, bytes: bytes(literal.values.count, dtype))
      return try engine { () throws(AutogradError) in
        try Tensor(
          shape: literal.shape, doubles: literal.values, dtype: dtype, requiresGrad: requiresGrad)
      }
    }
    guard let initName else { throw .invalidArgument("give data or init") }
    if initName == "arange" {
      let start = try body.number("start") ?? 0
      guard let end = try body.number("end") else { throw .invalidArgument("arange needs end") }
      let step = try body.number("step") ?? 1
      if step != 0, step.isFinite, start.isFinite, end.isFinite {
        let count = ((end - start) / step).rounded(.up)
        guard count <= Double(limits.maxElements) else {
          throw .limitExceeded(
            "a tensor may have at most \(limits.maxElements) elements (max-tensor-elements)")
        }
        let elements = count > 0 ? Int(count) : 0
        // int64 when no dtype is asked for: 8 bytes is the most any dtype takes.
        try state.admit(elements: elements, bytes: bytes(elements, .int64))
      }
      // Integral start/end/step give int64 in PyTorch only when no dtype is asked for.
      let explicit = body["dtype"].map { !$0.isNull } ?? false
      let integral = [body["start"], body["end"], body["step"]].allSatisfy {
        $0 == nil || $0?.intValue != nil
      }
      let type: DType? = explicit ? dtype : (integral ? nil : .float32)
      if requiresGrad && type == nil { throw TensorRequests.requiresGradRefusal }
      return try engine { () throws(AutogradError) in
        try Tensor.arange(
          start: start, end: end, step: step, dtype: type, requiresGrad: requiresGrad)
      }
    }
    let shape = try TensorRequests.shape(body["shape"], limits: limits)
    let elements = shape.reduce(1, *)
    try state.admit(elements: elements, bytes: bytes(elements, dtype))
    switch initName {
    case "zeros":
      return try engine { () throws(AutogradError) in
        try Tensor.zeros(shape, dtype: dtype, requiresGrad: requiresGrad)
      }
    case "ones":
      return try engine { () throws(AutogradError) in
        try Tensor.ones(shape, dtype: dtype, requiresGrad: requiresGrad)
      }
    case "full":
      guard let value = try body.number("value") else { throw .invalidArgument("full needs value") }
      return try engine { () throws(AutogradError) in
        try Tensor.full(shape, value: value, dtype: dtype, requiresGrad: requiresGrad)
      }
    case "rand", "randn":
      guard dtype.isFloatingPoint else {
        throw ServiceError(
          .unprocessableContent, "dtype_mismatch", "\(initName) needs a floating dtype")
      }
      let seed = try self.seed(body, rawBody: rawBody)
      return try engine { () throws(AutogradError) in
        initName == "rand"
          ? try Tensor.rand(shape, seed: seed, dtype: dtype, requiresGrad: requiresGrad)
          : try Tensor.randn(shape, seed: seed, dtype: dtype, requiresGrad: requiresGrad)
      }
    default:
      throw .invalidArgument("unknown init '\(initName)' (zeros, ones, full, rand, randn, arange)")
    }
  }

  private static func bytes(_ elements: Int, _ dtype: DType) -> Int {
    OpPreflight.multiply(elements, dtype.itemSize)
  }
}
