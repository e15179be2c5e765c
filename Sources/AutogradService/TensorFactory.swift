import Autograd
import TensorJSON

/// `POST .../tensors` bodies: values given (`data`) or made (`init`).
enum TensorFactory {
  static let keys: Set<String> = [
    "name", "data", "shape", "init", "value", "seed", "dtype", "requires_grad", "start", "end",
    "step",
  ]

  static func make(_ body: JSONObject, limits: SessionLimits) throws(ServiceError) -> Tensor {
    let dtype = try TensorRequests.dtype(body["dtype"])
    let requiresGrad = try body.bool("requires_grad", default: false)
    if requiresGrad && !dtype.isFloatingPoint { throw TensorRequests.requiresGradRefusal }
    let initName = try body.string("init")
    if let data = body["data"], !data.isNull {
      guard initName == nil else { throw .invalidArgument("give either data or init, not both") }
      return try TensorRequests.literal(
        data, shape: body["shape"], dtype: dtype, requiresGrad: requiresGrad, field: "data",
        limits: limits)
    }
    guard let initName else { throw .invalidArgument("give data or init") }
    if initName == "arange" {
      let start = try body.number("start") ?? 0
      guard let end = try body.number("end") else { throw .invalidArgument("arange needs end") }
      let step = try body.number("step") ?? 1
      if step != 0, step.isFinite, start.isFinite, end.isFinite {
        let count = ((end - start) / step).rounded(.up)
        guard count <= Double(limits.maxElements) else {
          throw .limitExceeded("a tensor may have at most \(limits.maxElements) elements")
        }
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
      let seed = try self.seed(body)
      return try engine { () throws(AutogradError) in
        initName == "rand"
          ? try Tensor.rand(shape, seed: seed, dtype: dtype, requiresGrad: requiresGrad)
          : try Tensor.randn(shape, seed: seed, dtype: dtype, requiresGrad: requiresGrad)
      }
    default:
      throw .invalidArgument("unknown init '\(initName)' (zeros, ones, full, rand, randn, arange)")
    }
  }

  /// The client's seed (reproducible values), or a random one.
  private static func seed(_ body: JSONObject) throws(ServiceError) -> UInt64 {
    guard let value = body["seed"], !value.isNull else {
      var generator = SystemRandomNumberGenerator()
      return generator.next()
    }
    guard let seed = value.intValue else { throw .invalidArgument("seed must be an integer") }
    return UInt64(bitPattern: Int64(seed))
  }
}
