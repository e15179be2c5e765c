import Autograd
import Foundation

/// `torch.` functions the interpreter provides itself: factories, grad-mode context managers, seeding, and
/// `torch.autograd.grad`/`backward`.
extension Interpreter {
  mutating func torchFunction(_ name: String, _ args: CallArguments) throws(EvalError) -> EvalValue
  {
    switch name {
    case "tensor":
      let a = try bind(args, "tensor", ["data", "dtype", "requires_grad"])
      guard let data = a["data"] else {
        throw fail("invalid_argument", "tensor() missing required argument 'data'")
      }
      return try tensorLiteral(
        data, dtype: try dtype(a["dtype"]),
        requiresGrad: try flag(a["requires_grad"], "requires_grad", default: false))
    case "ones", "zeros", "rand", "randn":
      let params =
        name.hasPrefix("rand")
        ? ["*size", "generator", "dtype", "requires_grad"] : ["*size", "dtype", "requires_grad"]
      let a = try bind(args, name, params)
      try defaultGeneratorOnly(a["generator"], name)
      let shape = try sizes(a["size"], name)
      let dtype = try dtype(a["dtype"]) ?? .float32
      return try factory(
        name, shape: shape, dtype: dtype, fill: 0,
        requiresGrad: try flag(a["requires_grad"], "requires_grad", default: false))
    case "full":
      let a = try bind(args, name, ["size", "fill_value", "dtype", "requires_grad"])
      let shape = try sizes(a["size"], name)
      guard let fillValue = a["fill_value"] else {
        throw fail("invalid_argument", "full() missing required argument 'fill_value'")
      }
      let fill = try scalar(fillValue, name)
      var inferred: DType = .float32
      if case .int = fill { inferred = fillValue.isBool ? .bool : .int64 }
      return try factory(
        name, shape: shape, dtype: try dtype(a["dtype"]) ?? inferred, fill: fill.double,
        requiresGrad: try flag(a["requires_grad"], "requires_grad", default: false))
    case "ones_like", "zeros_like", "rand_like", "randn_like", "full_like":
      let params =
        name == "full_like"
        ? ["input", "fill_value", "dtype", "requires_grad"]
        : name.hasPrefix("rand")
          ? ["input", "generator", "dtype", "requires_grad"] : ["input", "dtype", "requires_grad"]
      let a = try bind(args, name, params)
      try defaultGeneratorOnly(a["generator"], name)
      guard case .tensor(let input)? = a["input"] else {
        throw fail("invalid_argument", "\(name)(): argument 'input' must be a Tensor")
      }
      var fill = 0.0
      if name == "full_like" {
        guard let fillValue = a["fill_value"] else {
          throw fail("invalid_argument", "full_like() missing required argument 'fill_value'")
        }
        fill = try scalar(fillValue, name).double
      }
      let base = String(name.dropLast("_like".count))
      return try factory(
        base, shape: input.shape, dtype: try dtype(a["dtype"]) ?? input.dtype, fill: fill,
        requiresGrad: try flag(a["requires_grad"], "requires_grad", default: false))
    case "arange":
      let a = try bind(args, name, ["start", "end", "step", "dtype", "requires_grad"])
      guard let first = a["start"] else {
        throw fail("invalid_argument", "arange() missing required argument 'end'")
      }
      var start = Number.int(0)
      var end = try scalar(first, name)
      if let second = a["end"], !second.isNone {
        start = end
        end = try scalar(second, name)
      }
      let step = try a["step"].map { v throws(EvalError) in try scalar(v, name) } ?? .int(1)
      let span = (end.double - start.double) / step.double
      if span.isFinite, span > 0 {
        try checkBudget(span >= Double(Int.max) ? Int.max : Int(span.rounded(.up)))
      }
      var explicit = try dtype(a["dtype"])
      if explicit == nil, case .int = start, case .int = end, case .int = step { explicit = .int64 }
      let requires = try flag(a["requires_grad"], "requires_grad", default: false)
      let dtypeChoice = explicit ?? .float32
      let t = try engine { () throws(AutogradError) in
        try Tensor.arange(
          start: start.double, end: end.double, step: step.double, dtype: dtypeChoice,
          requiresGrad: requires)
      }
      try account(t)
      return .tensor(t)
    case "no_grad", "enable_grad":
      _ = try bind(args, name, [])
      return .gradMode(name == "enable_grad")
    case "is_grad_enabled":
      _ = try bind(args, name, [])
      return .bool(gradEnabled)
    case "manual_seed":
      let a = try bind(args, name, ["seed"])
      guard let seed = a["seed"] else {
        throw fail("invalid_argument", "manual_seed() missing required argument 'seed'")
      }
      generator = RandomGenerator(seed: try manualSeedValue(seed))
      return .none
    default:
      throw fail("not_found", "unknown function 'torch.\(name)'")
    }
  }

  private mutating func factory(
    _ kind: String, shape: [Int], dtype: DType, fill: Double, requiresGrad: Bool
  )
    throws(EvalError) -> EvalValue
  {
    var count = 1
    for d in shape {
      let (r, o) = count.multipliedReportingOverflow(by: d)
      if o { throw fail("limit_exceeded", "the tensor would have too many elements") }
      count = r
    }
    try checkBudget(count)
    let t: Tensor
    switch kind {
    case "rand":
      t = try withGenerator { (g: inout RandomGenerator) throws(AutogradError) in
        try Tensor.rand(shape, generator: &g, dtype: dtype, requiresGrad: requiresGrad)
      }
    case "randn":
      t = try withGenerator { (g: inout RandomGenerator) throws(AutogradError) in
        try Tensor.randn(shape, generator: &g, dtype: dtype, requiresGrad: requiresGrad)
      }
    default:
      t = try engine { () throws(AutogradError) in
        switch kind {
        case "ones": try Tensor.ones(shape, dtype: dtype, requiresGrad: requiresGrad)
        case "full": try Tensor.full(shape, value: fill, dtype: dtype, requiresGrad: requiresGrad)
        default: try Tensor.zeros(shape, dtype: dtype, requiresGrad: requiresGrad)
        }
      }
    }
    try account(t)
    return .tensor(t)
  }

  /// `generator=None` is PyTorch's default generator, the only one a program has (no `torch.Generator` objects).
  private func defaultGeneratorOnly(_ value: EvalValue?, _ function: String) throws(EvalError) {
    guard let value, !value.isNone else { return }
    throw fail(
      "invalid_argument",
      "\(function)(): only generator=None (the default generator, seeded by torch.manual_seed) is supported, not \(value.typeName)"
    )
  }

  /// `torch.manual_seed(seed)` reads `int(seed)` and takes -2^63 ... 2^64-1, negative seeds wrapping to UInt64.
  private func manualSeedValue(_ value: EvalValue) throws(EvalError) -> UInt64 {
    switch value {
    case .int(let i): return UInt64(bitPattern: Int64(i))
    case .bool(let b): return b ? 1 : 0
    case .float(let d):
      if d.isNaN { throw fail("invalid_op", "ValueError: cannot convert float NaN to integer") }
      if d.isInfinite {
        throw fail("invalid_op", "OverflowError: cannot convert float infinity to integer")
      }
      let whole = d.rounded(.towardZero)
      guard whole >= -0x1p63, whole < 0x1p64 else {
        throw fail("invalid_op", "ValueError: Overflow when unpacking long long")
      }
      return whole < 0 ? UInt64(bitPattern: Int64(whole)) : UInt64(whole)
    case .string(let s):
      let text = s.trimmingCharacters(in: .whitespacesAndNewlines)
      if let i = Int64(text) { return UInt64(bitPattern: i) }
      if let u = UInt64(text) { return u }
      let digits = text.drop(while: { $0 == "+" || $0 == "-" })
      if text.count - digits.count == 1, !digits.isEmpty,
        digits.allSatisfy({ $0.isASCII && $0.isNumber })
      {
        throw fail("invalid_op", "ValueError: Overflow when unpacking long long")
      }
      throw fail(
        "invalid_op",
        "ValueError: invalid literal for int() with base 10: \(PythonFormat.quoted(s))")
    case .tensor(let t):
      guard t.numel == 1 else {
        throw fail(
          "invalid_argument", "only one element tensors can be converted to Python scalars")
      }
      let item = try engine { () throws(AutogradError) in try t.item() }
      return try manualSeedValue(.float(item))
    default:
      throw fail(
        "invalid_op",
        "TypeError: int() argument must be a string, a bytes-like object or a real number, not '\(value.typeName)'"
      )
    }
  }

  /// `torch.ones(2, 2)`, `torch.ones((2, 2))`, `torch.ones([2, 2])`, `torch.ones(x.shape)`.
  private func sizes(_ value: EvalValue?, _ function: String) throws(EvalError) -> [Int] {
    var items: [EvalValue]
    switch value {
    case nil, .none?: items = []
    case .tuple(let v)?, .list(let v)?: items = v
    case .size(let dims)?: items = dims.map { .int($0) }
    case .int(let i)?: items = [.int(i)]
    case let other?:
      throw fail(
        "invalid_argument", "\(function)(): size must be a tuple of ints, not \(other.typeName)")
    }
    if items.count == 1 {
      switch items[0] {
      case .tuple(let v), .list(let v): items = v
      case .size(let dims): items = dims.map { .int($0) }
      default: break
      }
    }
    var shape: [Int] = []
    for item in items {
      guard case .int(let d) = item else {
        throw fail(
          "invalid_argument",
          "\(function)(): size must be a tuple of ints, but found \(item.typeName)")
      }
      shape.append(d)
    }
    if let negative = shape.first(where: { $0 < 0 }) {
      throw fail(
        "invalid_argument",
        "Trying to create tensor with negative dimension \(negative): [\(shape.map(String.init).joined(separator: ", "))]"
      )
    }
    return shape
  }

  func dtype(_ value: EvalValue?) throws(EvalError) -> DType? {
    switch value {
    case nil, .none?: return nil
    case .dtype(let d)?: return d
    case let other?:
      throw fail("invalid_argument", "dtype must be a torch.dtype, not \(other.typeName)")
    }
  }

  // MARK: - torch.tensor

  private mutating func tensorLiteral(_ data: EvalValue, dtype: DType?, requiresGrad: Bool)
    throws(EvalError)
    -> EvalValue
  {
    if case .tensor(let source) = data {
      // torch.tensor(t) copies the values, without history.
      try checkBudget(source.numel)
      let t = try engine { () throws(AutogradError) in
        try Tensor(
          shape: source.shape, doubles: source.contiguousDoubles(), dtype: dtype ?? source.dtype,
          requiresGrad: requiresGrad)
      }
      try account(t)
      return .tensor(t)
    }
    var values: [Double] = []
    var sawFloat = false
    var sawNonBool = false
    let shape = try flatten(
      data, into: &values, sawFloat: &sawFloat, sawNonBool: &sawNonBool, depth: 0)
    try checkBudget(values.count)
    let allBool = !sawNonBool && !values.isEmpty
    let type = dtype ?? (allBool ? .bool : (sawFloat || values.isEmpty ? .float32 : .int64))
    let t = try engine { () throws(AutogradError) in
      try Tensor(shape: shape, doubles: values, dtype: type, requiresGrad: requiresGrad)
    }
    try account(t)
    return .tensor(t)
  }

  /// Appends `data`'s numbers in row-major order and returns its shape; nested lists must be rectangular.
  private func flatten(
    _ data: EvalValue, into values: inout [Double], sawFloat: inout Bool, sawNonBool: inout Bool,
    depth: Int
  ) throws(EvalError) -> [Int] {
    if depth > limits.maxNestingDepth { throw fail("limit_exceeded", "nested lists are too deep") }
    switch data {
    case .bool(let b):
      values.append(b ? 1 : 0)
      return []
    case .int(let i):
      sawNonBool = true
      values.append(Double(i))
      return []
    case .float(let d):
      sawNonBool = true
      sawFloat = true
      values.append(d)
      return []
    case .tensor(let t):
      guard t.numel == 1 else {
        throw fail(
          "invalid_argument", "only one element tensors can be converted to Python scalars")
      }
      if t.dtype != .bool { sawNonBool = true }
      if t.dtype.isFloatingPoint { sawFloat = true }
      values.append(try engine { () throws(AutogradError) in try t.item() })
      return []
    case .list(let items), .tuple(let items):
      var inner: [Int]?
      for item in items {
        let shape = try flatten(
          item, into: &values, sawFloat: &sawFloat, sawNonBool: &sawNonBool, depth: depth + 1)
        if values.count > limits.maxLiteralElements {
          throw fail(
            "limit_exceeded", "the literal has more than \(limits.maxLiteralElements) elements")
        }
        if let inner, inner != shape {
          throw fail(
            "invalid_argument",
            "expected sequence of length \(inner.first ?? 0) at dim \(depth + 1) (got \(shape.first ?? 0))"
          )
        }
        inner = shape
      }
      return [items.count] + (inner ?? [])
    case .size(let dims):
      sawNonBool = true
      values.append(contentsOf: dims.map(Double.init))
      return [dims.count]
    default:
      throw fail("invalid_argument", "Could not infer dtype of \(data.typeName)")
    }
  }

  // MARK: - torch.autograd

  mutating func autogradFunction(_ name: String, _ args: CallArguments) throws(EvalError)
    -> EvalValue
  {
    switch name {
    case "grad":
      let a = try bind(
        args, "grad",
        ["outputs", "inputs", "grad_outputs", "retain_graph", "create_graph", "allow_unused"])
      let outputs = try tensorSequence(a["outputs"], "outputs")
      let inputs = try tensorSequence(a["inputs"], "inputs")
      var gradOutputs: [Tensor?]?
      if let g = a["grad_outputs"], !g.isNone {
        switch g {
        case .tensor(let t): gradOutputs = [t]
        case .list(let items), .tuple(let items):
          var out: [Tensor?] = []
          for item in items { out.append(try optionalTensor(item, "grad_outputs")) }
          gradOutputs = out
        default:
          throw fail("invalid_argument", "grad_outputs must be a Tensor or a sequence of Tensors")
        }
      }
      var retain: Bool?
      if let r = a["retain_graph"], !r.isNone {
        retain = try flag(r, "retain_graph", default: false)
      }
      let create = try flag(a["create_graph"], "create_graph", default: false)
      let allowUnused = try flag(a["allow_unused"], "allow_unused", default: false)
      let grads = try engine { () throws(AutogradError) in
        try Gradients.grad(
          outputs: outputs, inputs: inputs, gradOutputs: gradOutputs, retainGraph: retain,
          createGraph: create, allowUnused: allowUnused)
      }
      var out: [EvalValue] = []
      for g in grads {
        if let g {
          try account(g)
          out.append(.tensor(g))
        } else {
          out.append(.none)
        }
      }
      return .tuple(out)
    case "backward":
      let a = try bind(
        args, "backward", ["tensors", "grad_tensors", "retain_graph", "create_graph"])
      let tensors = try tensorSequence(a["tensors"], "tensors")
      guard tensors.count == 1, let output = tensors.first else {
        throw fail("invalid_argument", "torch.autograd.backward supports one tensor at a time")
      }
      var gradient: Tensor?
      switch a["grad_tensors"] {
      case .tensor(let t)?: gradient = t
      case .list(let items)?, .tuple(let items)?:
        if let first = items.first { gradient = try optionalTensor(first, "grad_tensors") }
      default: break
      }
      var retain: Bool?
      if let r = a["retain_graph"], !r.isNone {
        retain = try flag(r, "retain_graph", default: false)
      }
      let create = try flag(a["create_graph"], "create_graph", default: false)
      try engine { () throws(AutogradError) in
        try output.backward(gradient: gradient, retainGraph: retain, createGraph: create)
      }
      return .none
    default:
      throw fail("not_found", "unknown function 'torch.autograd.\(name)'")
    }
  }

  /// `x` or `[x, y]` / `(x, y)`, as torch.autograd takes its tensors.
  private func tensorSequence(_ value: EvalValue?, _ name: String) throws(EvalError) -> [Tensor] {
    switch value {
    case .tensor(let t)?: return [t]
    case .list(let items)?, .tuple(let items)?:
      var out: [Tensor] = []
      for item in items {
        guard case .tensor(let t) = item else {
          throw fail("invalid_argument", "\(name) must be a Tensor or a sequence of Tensors")
        }
        out.append(t)
      }
      return out
    default:
      throw fail("invalid_argument", "\(name) must be a Tensor or a sequence of Tensors")
    }
  }
}

extension EvalValue {
  var isBool: Bool {
    if case .bool = self { return true }
    return false
  }
}
