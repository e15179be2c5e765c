/// Ops called by name with Python-style arguments: the one binding layer the service and /eval share.
public enum Ops {
  struct Spec: Sendable {
    let info: OpInfo
    let params: [String]
    /// `params` without the `*` of a variadic parameter, computed once rather than per call.
    let names: [String]
    /// Where the variadic parameter (`*shape`) sits, if any.
    let variadic: Int?
    /// How many arguments may come by position: those before a bare `*` in the signature (else `bind` counts).
    let positional: Int
    let run: @Sendable (BoundArguments, Bool) throws(AutogradError) -> OpArgument
  }

  /// Calls op `name` as PyTorch's Python API would (`sum(x, dim=1, keepdim=True)`); `gradEnabled: false` is
  /// `torch.no_grad()`. Numbers become 0-d wrapped tensors. Returns `.tensor` for every op (max/min with a
  /// dim return the values; see `extremumWithIndices` for both).
  /// `asMethod`: the call is `args[0].name(...)`, so a refusal of extra arguments counts without `self`.
  public static func call(
    _ name: String, args: [OpArgument], kwargs: [String: OpArgument] = [:],
    gradEnabled: Bool = true,
    asMethod: Bool = false
  ) throws(AutogradError) -> OpArgument {
    try op(name).call(args: args, kwargs: kwargs, gradEnabled: gradEnabled, asMethod: asMethod)
  }

  /// Looks op `name` up once, for callers that call it many times (`Ops.call` looks it up on every call).
  public static func op(_ name: String) throws(AutogradError) -> Op {
    guard let spec = table[name] else { throw .invalidOp("unknown op '\(name)'") }
    return Op(name: name, spec: spec)
  }

  /// One op of the table, resolved: `call` behaves exactly as `Ops.call` with its name.
  public struct Op: Sendable {
    public let name: String
    let spec: Spec

    public func call(
      args: [OpArgument], kwargs: [String: OpArgument] = [:], gradEnabled: Bool = true,
      asMethod: Bool = false
    ) throws(AutogradError) -> OpArgument {
      // `add(x, y, 2)` is refused as in PyTorch: alpha is keyword-only.
      let limit = spec.variadic == nil ? min(spec.positional, spec.params.count) : spec.positional
      if args.count > limit {
        let offset = asMethod ? 1 : 0
        throw BoundArguments.tooManyPositional(
          op: name, takes: limit - offset, given: args.count - offset)
      }
      let bound = try BoundArguments.bind(
        op: name, params: spec.params, names: spec.names, variadic: spec.variadic, args: args,
        kwargs: kwargs)
      return try spec.run(bound, gradEnabled)
    }
  }

  /// Every op `call` knows, for `GET /v1/ops`, sorted by name.
  public static var catalog: [OpInfo] { table.values.map(\.info).sorted { $0.name < $1.name } }

  /// `x.max(dim)` / `x.min(dim)` as PyTorch's named tuple: (values, int64 indices).
  public static func extremumWithIndices(
    _ x: Tensor, dim: Int, keepdim: Bool, greater: Bool, gradEnabled: Bool
  )
    throws(AutogradError) -> (values: Tensor, indices: Tensor)
  {
    try Reductions.extremum(x, dim: dim, keepdim: keepdim, greater: greater, grad: gradEnabled)
  }

  /// Parses an index argument: a string (`"0, 1:3"`, `"..."`, `"None"`), an int, or a 0-d int64 tensor.
  static func index(_ v: OpArgument?) throws(AutogradError) -> Indexing.Index {
    switch v {
    case .string(let s)?: return try Indexing.parse(s)
    case .int(let i)?: return Indexing.Index(items: [.index(i)], isTuple: false)
    case .none?: return Indexing.Index(items: [.newAxis], isTuple: false)
    case .tensor(let t)? where t.rank == 0 && t.dtype == .int64:
      guard let i = exactInt(try t.item()) else { throw .argument("index out of range") }
      return Indexing.Index(items: [.index(i)], isTuple: false)
    case nil: throw .argument("getitem() missing required argument 'index'")
    default:
      throw .invalidOp("advanced indexing (lists, tensors or masks as indices) is not supported")
    }
  }

  static func dtype(_ v: OpArgument?) throws(AutogradError) -> DType {
    guard case .string(let s)? = v else {
      throw .argument("dtype must be a string such as \"float64\"")
    }
    let name = s.hasPrefix("torch.") ? String(s.dropFirst(6)) : s
    switch name {
    case "float32", "float": return .float32
    case "float64", "double": return .float64
    case "int64", "long": return .int64
    case "bool": return .bool
    default: throw .argument("unknown dtype '\(s)' (use float32, float64, int64, int32 or bool)")
    }
  }

  /// `keepdim` without `dim` matches no overload of sum/mean/max/min: PyTorch's argument parser refuses it (the
  /// first line of its TypeError; `sum` with a dtype asks for the dim instead).
  static func refuseKeepdimWithoutDim(_ b: BoundArguments) throws(AutogradError) {
    guard b.has("keepdim"), !b.has("dim") else { return }
    if b.has("dtype") && b.op == "sum" {
      throw .argument("sum() missing 1 required positional arguments: \"dim\"")
    }
    let got = b.has("dtype") ? "Tensor, dtype=torch.dtype, keepdim=bool" : "Tensor, keepdim=bool"
    // sum's and mean's overload lists mention dtype, which makes the reference's code dtype_mismatch.
    throw AutogradError(
      b.op == "sum" || b.op == "mean" ? .dtypeMismatch : .invalidArgument,
      "\(b.op)() received an invalid combination of arguments - got (\(got)), but expected one of:")
  }

  /// PyTorch refuses a floating `alpha` (even `2.0`) when the result is an integer tensor.
  static func checkAlpha(_ b: BoundArguments, _ x: Tensor, _ other: Tensor) throws(AutogradError) {
    guard case .double? = b.values["alpha"], !Elementwise.resultType([x, other]).isFloatingPoint
    else { return }
    throw .invalidOp(
      "For integral input tensors, argument alpha must not be a floating point number.")
  }

  static func sizes(_ b: BoundArguments) throws(AutogradError) -> [Int] {
    guard let sizes = try b.intList("shape") else {
      // PyTorch's texts: view has a dtype overload too, expand calls its sizes `size`.
      if b.op == "view" {
        throw AutogradError(
          .dtypeMismatch,
          "view() received an invalid combination of arguments - got (), but expected one of:")
      }
      let name = b.op == "expand" ? "size" : "shape"
      throw .argument("\(b.op)() missing 1 required positional arguments: \"\(name)\"")
    }
    return sizes
  }

  private static func spec(
    _ signature: String, _ params: [String], inPlace: Bool = false, gradFn: String?,
    _ run: @escaping @Sendable (BoundArguments, Bool) throws(AutogradError) -> Tensor
  ) -> Spec {
    let name = String(signature.prefix { $0 != "(" })
    return Spec(
      info: OpInfo(name: name, signature: signature, inPlace: inPlace, gradFn: gradFn),
      params: params,
      names: params.map { $0.hasPrefix("*") ? String($0.dropFirst()) : $0 },
      variadic: params.firstIndex { $0.hasPrefix("*") },
      positional: signature.contains(", *,")
        ? signature.prefix { $0 != "*" }.filter { $0 == "," }.count : .max,
      run: { b, g throws(AutogradError) in .tensor(try run(b, g)) })
  }

  static let table: [String: Spec] = {
    var specs: [Spec] = []
    let binary = ["input", "other"]
    specs += [
      spec("add(input, other, *, alpha=1)", binary + ["alpha"], gradFn: "AddBackward0") {
        b, g throws(AutogradError) in
        // Slots 0, 1, 2 are input, other, alpha: read by position, no name lookups on the common path.
        if let x = b.values.tensor(slot: 0), b.values.isEmpty(slot: 2),
          let number = Elementwise.pythonNumber(b.values[slot: 1]),
          let sum = Elementwise.addNumber(x, number.value, grad: g)
        {
          return sum
        }
        // Two tensors and no alpha: no name lookups either.
        if let x = b.values.tensor(slot: 0), let other = b.values.tensor(slot: 1),
          b.values.isEmpty(slot: 2)
        {
          return try Elementwise.add(x, other, grad: g)
        }
        let (x, other) = (try b.tensor("input"), try b.tensor("other"))
        try checkAlpha(b, x, other)
        return try Elementwise.add(x, other, alpha: b.double("alpha", default: 1), grad: g)
      },
      spec("sub(input, other, *, alpha=1)", binary + ["alpha"], gradFn: "SubBackward0") {
        b, g throws(AutogradError) in
        let (x, other) = (try b.tensor("input"), try b.tensor("other"))
        try checkAlpha(b, x, other)
        return try Elementwise.sub(x, other, alpha: b.double("alpha", default: 1), grad: g)
      },
      spec(
        "rsub(input, other, *, alpha=1)  # other - alpha * input", binary + ["alpha"],
        gradFn: "RsubBackward1"
      ) {
        b, g throws(AutogradError) in
        let (x, other) = (try b.tensor("input"), try b.tensor("other"))
        let alpha = try b.double("alpha", default: 1)
        if other.isWrappedNumber || !other.requiresGrad {
          return try Elementwise.rsub(x, other, alpha: alpha, grad: g)
        }
        return try Elementwise.sub(other, x, alpha: alpha, grad: g)
      },
      spec("mul(input, other)", binary, gradFn: "MulBackward0") { b, g throws(AutogradError) in
        if let x = b.values.tensor(slot: 0),
          let number = Elementwise.pythonNumber(b.values[slot: 1]),
          let product = Elementwise.mulNumber(x, number.value, dtype: number.dtype, grad: g)
        {
          return product
        }
        if let x = b.values.tensor(slot: 0), let other = b.values.tensor(slot: 1) {
          return try Elementwise.mul(x, other, grad: g)
        }
        return try Elementwise.mul(b.tensor("input"), b.tensor("other"), grad: g)
      },
      spec(
        "div(input, other, *, rounding_mode=None)", binary + ["rounding_mode"],
        gradFn: "DivBackward0"
      ) {
        b, g throws(AutogradError) in
        guard b.has("rounding_mode") else {
          return try Elementwise.div(b.tensor("input"), b.tensor("other"), grad: g)
        }
        return try Elementwise.divRounding(
          b.tensor("input"), b.tensor("other"), mode: b.string("rounding_mode", default: ""),
          grad: g)
      },
      spec("rdiv(input, other)  # other / input", binary, gradFn: "MulBackward0") {
        b, g throws(AutogradError) in
        let (x, other) = (try b.tensor("input"), try b.tensor("other"))
        if other.isWrappedNumber {
          return try Elementwise.mul(Elementwise.unary("reciprocal", x, grad: g), other, grad: g)
        }
        return try Elementwise.div(other, x, grad: g)
      },
      spec("pow(input, exponent)", ["input", "exponent"], gradFn: "PowBackward0") {
        b, g throws(AutogradError) in
        let (x, e) = (try b.tensor("input"), try b.tensor("exponent"))
        if x.isWrappedNumber && !e.isWrappedNumber {
          // `2 ** mask` and `2 ** ints` stay integral (nothing to differentiate): the tensor path promotes.
          if !x.dtype.isFloatingPoint && !e.dtype.isFloatingPoint {
            return try Elementwise.pow(x, e, grad: g)
          }
          return try Elementwise.rpow(e, base: x.item(), grad: g)
        }
        if e.isWrappedNumber {
          let integral = !e.dtype.isFloatingPoint
          let power = try Elementwise.pow(x, scalar: e.item(), exponentIsInt: integral, grad: g)
          // `mask ** True` stays bool in PyTorch (bool op bool); an int exponent gives int64.
          if x.dtype == .bool && e.dtype == .bool {
            return try Elementwise.cast(power, to: .bool, grad: false)
          }
          return power
        }
        return try Elementwise.pow(x, e, grad: g)
      },
      spec("rpow(input, other)  # other ** input", binary, gradFn: "PowBackward2") {
        b, g throws(AutogradError) in
        let (x, other) = (try b.tensor("input"), try b.tensor("other"))
        // `2 ** ints` and `2 ** mask` stay integral, as the tensor path promotes them (nothing to differentiate).
        let integral = !other.dtype.isFloatingPoint && !x.dtype.isFloatingPoint
        if other.isWrappedNumber && !integral {
          return try Elementwise.rpow(x, base: other.item(), grad: g)
        }
        return try Elementwise.pow(other, x, grad: g)
      },
      spec("maximum(input, other)", binary, gradFn: "MaximumBackward0") {
        b, g throws(AutogradError) in
        try Elementwise.extremum(b.tensor("input"), b.tensor("other"), greater: true, grad: g)
      },
      spec("minimum(input, other)", binary, gradFn: "MinimumBackward0") {
        b, g throws(AutogradError) in
        try Elementwise.extremum(b.tensor("input"), b.tensor("other"), greater: false, grad: g)
      },
      spec("clamp(input, min=None, max=None)", ["input", "min", "max"], gradFn: "ClampBackward1") {
        b, g throws(AutogradError) in
        var input = try b.tensor("input")
        if !input.dtype.isFloatingPoint {
          // PyTorch clamps an integer or bool tensor in the type its bounds promote it to (int64, or float32
          // for a float bound).
          let floatBound = [b.values["min"], b.values["max"]].contains {
            if case .double? = $0 { return true }
            return false
          }
          if floatBound || input.dtype == .bool {
            input = try Elementwise.cast(input, to: floatBound ? .float32 : .int64, grad: false)
          }
        }
        return try Elementwise.clamp(
          input, min: b.optionalDouble("min"), max: b.optionalDouble("max"), grad: g)
      },
    ]
    let comparisons: [(String, @Sendable (Double, Double) -> Bool)] = [
      ("eq", { $0 == $1 }), ("ne", { $0 != $1 }), ("lt", { $0 < $1 }),
      ("le", { $0 <= $1 }), ("gt", { $0 > $1 }), ("ge", { $0 >= $1 }),
    ]
    for (op, test) in comparisons {
      specs.append(
        spec("\(op)(input, other)", binary, gradFn: nil) { b, _ throws(AutogradError) in
          try Elementwise.compare(b.tensor("input"), b.tensor("other"), test)
        })
    }
    for (op, unary) in Elementwise.unaryOps.sorted(by: { $0.key < $1.key }) {
      specs.append(
        spec("\(op)(input)", ["input"], gradFn: unary.name) { b, g throws(AutogradError) in
          try Elementwise.unary(op, b.tensor("input"), grad: g)
        })
    }
    specs += [
      spec("to(input, dtype)", ["input", "dtype"], gradFn: "ToCopyBackward0") {
        b, g throws(AutogradError) in
        try Elementwise.cast(b.tensor("input"), to: dtype(b.values["dtype"]), grad: g)
      },
      spec(
        "sum(input, dim=None, keepdim=False, *, dtype=None)", ["input", "dim", "keepdim", "dtype"],
        gradFn: "SumBackward0"
      ) {
        b, g throws(AutogradError) in
        try refuseKeepdimWithoutDim(b)
        var x = try b.tensor("input")
        if b.has("dtype") {
          let target = try dtype(b.values["dtype"])
          // A recorded sum must give a differentiable dtype (PyTorch's autograd refuses the others).
          if g && x.requiresGrad && !target.isFloatingPoint {
            throw AutogradError(
              .dtypeMismatch, "Autograd not support dtype: \(target.scalarTypeName)")
          }
          x = try Elementwise.cast(x, to: target, grad: g)
        }
        return try Reductions.sum(
          x, dims: b.intList("dim"), keepdim: b.bool("keepdim", default: false), grad: g)
      },
      spec(
        "mean(input, dim=None, keepdim=False, *, dtype=None)",
        ["input", "dim", "keepdim", "dtype"],
        gradFn: "MeanBackward0"
      ) {
        b, g throws(AutogradError) in
        // `x.mean()`: slots 1, 2, 3 (dim, keepdim, dtype) empty, nothing to look up by name.
        if let x = b.values.tensor(slot: 0), b.values.isEmpty(slot: 1), b.values.isEmpty(slot: 2),
          b.values.isEmpty(slot: 3)
        {
          return try Reductions.mean(x, dims: nil, keepdim: false, grad: g)
        }
        try refuseKeepdimWithoutDim(b)
        var x = try b.tensor("input")
        if b.has("dtype") {
          let type = try dtype(b.values["dtype"])
          guard type.isFloatingPoint else {
            throw AutogradError(
              .dtypeMismatch,
              "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex dtype. Got: \(type.scalarTypeName)"
            )
          }
          x = try Elementwise.cast(x, to: type, grad: g)
        }
        return try Reductions.mean(
          x, dims: b.intList("dim"), keepdim: b.bool("keepdim", default: false), grad: g)
      },
    ]
    for (op, greater) in [("max", true), ("min", false)] {
      let upper = greater ? "Max" : "Min"
      specs.append(
        spec(
          "\(op)(input, dim=None, keepdim=False) | \(op)(input, other)  # with dim: the values",
          ["input", "dim", "keepdim", "other"], gradFn: "\(upper)Backward1"
        ) { b, g throws(AutogradError) in
          let x = try b.tensor("input")
          if b.has("other") {
            return try Elementwise.extremum(x, b.tensor("other"), greater: greater, grad: g)
          }
          if case .tensor(let other)? = b.values["dim"] {
            return try Elementwise.extremum(x, other, greater: greater, grad: g)
          }
          guard let dim = try b.optionalInt("dim") else {
            try refuseKeepdimWithoutDim(b)
            return try Reductions.extremum(x, greater: greater, grad: g)
          }
          return try Reductions.extremum(
            x, dim: dim, keepdim: b.bool("keepdim", default: false), greater: greater, grad: g
          ).values
        })
      specs.append(
        spec("arg\(op)(input, dim=None, keepdim=False)", ["input", "dim", "keepdim"], gradFn: nil) {
          b, _ throws(AutogradError) in
          try Reductions.argExtremum(
            b.tensor("input"), dim: b.optionalInt("dim"),
            keepdim: b.bool("keepdim", default: false),
            greater: greater)
        })
    }
    specs += [
      spec(
        "logsumexp(input, dim, keepdim=False)", ["input", "dim", "keepdim"],
        gradFn: "LogsumexpBackward0"
      ) {
        b, g throws(AutogradError) in
        guard let dims = try b.intList("dim") else {
          throw .argument("logsumexp() missing 1 required positional arguments: \"dim\"")
        }
        return try Reductions.logsumexp(
          b.tensor("input"), dims: dims,
          keepdim: b.bool("keepdim", default: false), grad: g)
      },
      spec(
        "amax(input, dim=(), keepdim=False)", ["input", "dim", "keepdim"], gradFn: "AmaxBackward0"
      ) {
        b, g throws(AutogradError) in
        try Reductions.amax(
          b.tensor("input"), dims: b.intList("dim") ?? [],
          keepdim: b.bool("keepdim", default: false), greater: true,
          grad: g)
      },
      spec(
        "amin(input, dim=(), keepdim=False)", ["input", "dim", "keepdim"], gradFn: "AminBackward0"
      ) {
        b, g throws(AutogradError) in
        try Reductions.amax(
          b.tensor("input"), dims: b.intList("dim") ?? [],
          keepdim: b.bool("keepdim", default: false), greater: false,
          grad: g)
      },
      spec(
        "where(condition, input, other)", ["condition", "input", "other"], gradFn: "WhereBackward0"
      ) {
        b, g throws(AutogradError) in
        try Elementwise.where(b.tensor("condition"), b.tensor("input"), b.tensor("other"), grad: g)
      },
      spec("outer(input, vec2)", ["input", "vec2"], gradFn: "MulBackward0") {
        b, g throws(AutogradError) in
        let (x, y) = (try b.tensor("input"), try b.tensor("vec2"))
        guard x.rank == 1 else {
          throw .shape("outer: Expected 1-D argument self, but got \(x.rank)-D")
        }
        guard y.rank == 1 else {
          throw .shape("outer: Expected 1-D argument vec2, but got \(y.rank)-D")
        }
        return try Elementwise.mul(Views.view(x, [x.numel, 1], grad: g), y, grad: g)
      },
      spec("dot(input, tensor)", ["input", "tensor"], gradFn: "DotBackward0") {
        b, g throws(AutogradError) in
        try LinearAlgebra.dot(b.tensor("input"), b.tensor("tensor"), grad: g)
      },
      spec("mm(input, mat2)", ["input", "mat2"], gradFn: "MmBackward0") {
        b, g throws(AutogradError) in
        try LinearAlgebra.mm(b.tensor("input"), b.tensor("mat2"), grad: g)
      },
      spec("mv(input, vec)", ["input", "vec"], gradFn: "MvBackward0") {
        b, g throws(AutogradError) in
        try LinearAlgebra.mv(b.tensor("input"), b.tensor("vec"), grad: g)
      },
      spec("matmul(input, other)", binary, gradFn: "MmBackward0") { b, g throws(AutogradError) in
        try LinearAlgebra.matmul(b.tensor("input"), b.tensor("other"), grad: g)
      },
      spec("t(input)", ["input"], gradFn: "TBackward0") { b, g throws(AutogradError) in
        try Views.t(b.tensor("input"), grad: g)
      },
      spec("transpose(input, dim0, dim1)", ["input", "dim0", "dim1"], gradFn: "TransposeBackward0")
      {
        b, g throws(AutogradError) in
        try Views.transpose(b.tensor("input"), b.int("dim0"), b.int("dim1"), grad: g)
      },
      spec("permute(input, *dims)", ["input", "*dims"], gradFn: "PermuteBackward0") {
        b, g throws(AutogradError) in
        guard let dims = try b.intList("dims") else {
          throw .argument("permute() missing 1 required positional arguments: \"dims\"")
        }
        return try Views.permute(b.tensor("input"), dims, grad: g)
      },
      spec("view(input, *shape)", ["input", "*shape"], gradFn: "ViewBackward0") {
        b, g throws(AutogradError) in
        try Views.view(b.tensor("input"), sizes(b), grad: g)
      },
      spec("reshape(input, *shape)", ["input", "*shape"], gradFn: "ViewBackward0") {
        b, g throws(AutogradError) in
        try Views.reshape(b.tensor("input"), sizes(b), grad: g)
      },
      spec("expand(input, *shape)", ["input", "*shape"], gradFn: "ExpandBackward0") {
        b, g throws(AutogradError) in
        try Views.expand(b.tensor("input"), sizes(b), grad: g)
      },
      spec(
        "flatten(input, start_dim=0, end_dim=-1)", ["input", "start_dim", "end_dim"],
        gradFn: "ViewBackward0"
      ) {
        b, g throws(AutogradError) in
        let x = try b.tensor("input")
        if x.rank == 0 { return try Views.reshape(x, [1], grad: g) }
        let s = try Views.normalizeDim(b.int("start_dim", default: 0), rank: x.rank)
        let e = try Views.normalizeDim(b.int("end_dim", default: -1), rank: x.rank)
        guard s <= e else {
          throw .argument("flatten() has invalid args: start_dim cannot come after end_dim")
        }
        if s == e { return x }
        let shape =
          Array(x.shape[..<s]) + [x.shape[s...e].reduce(1, *)] + Array(x.shape[(e + 1)...])
        return try Views.reshape(x, shape, grad: g)
      },
      spec("squeeze(input, dim=None)", ["input", "dim"], gradFn: "SqueezeBackward0") {
        b, g throws(AutogradError) in
        let x = try b.tensor("input")
        if case .list(let dims)? = b.values["dim"] {
          var list: [Int] = []
          for d in dims { list.append(try BoundArguments.asInt(d, op: "squeeze", key: "dim")) }
          return try Views.squeeze(x, dims: list, name: "SqueezeBackward2", grad: g)
        }
        return try Views.squeeze(x, dims: b.optionalInt("dim").map { [$0] }, grad: g)
      },
      spec("unsqueeze(input, dim)", ["input", "dim"], gradFn: "UnsqueezeBackward0") {
        b, g throws(AutogradError) in
        try Views.unsqueeze(b.tensor("input"), b.int("dim"), grad: g)
      },
      spec("getitem(input, index)  # input[index]", ["input", "index"], gradFn: "SelectBackward0") {
        b, g throws(AutogradError) in
        try Indexing.getitem(b.tensor("input"), index(b.values["index"]), grad: g)
      },
      spec(
        "setitem(input, value, index)  # input[index] = value", ["input", "value", "index"],
        inPlace: true, gradFn: "CopySlices"
      ) {
        b, g throws(AutogradError) in
        try Indexing.setitem(
          b.tensor("input"), index(b.values["index"]), value: b.tensor("value"), grad: g)
      },
      spec("clone(input)", ["input"], gradFn: "CloneBackward0") { b, g throws(AutogradError) in
        try Views.clone(b.tensor("input"), grad: g)
      },
      spec("contiguous(input)", ["input"], gradFn: "CloneBackward0") { b, g throws(AutogradError) in
        try Views.contiguous(b.tensor("input"), grad: g)
      },
      spec("detach(input)", ["input"], gradFn: nil) { b, _ throws(AutogradError) in
        Views.detach(try b.tensor("input"))
      },
      spec("cat(tensors, dim=0)", ["tensors", "dim"], gradFn: "CatBackward0") {
        b, g throws(AutogradError) in
        try Views.cat(b.tensors("tensors"), dim: b.int("dim", default: 0), grad: g)
      },
      spec("stack(tensors, dim=0)", ["tensors", "dim"], gradFn: "StackBackward0") {
        b, g throws(AutogradError) in
        try Views.stack(b.tensors("tensors"), dim: b.int("dim", default: 0), grad: g)
      },
      spec(
        "softmax(input, dim, dtype=None)", ["input", "dim", "dtype"], gradFn: "SoftmaxBackward0"
      ) {
        b, g throws(AutogradError) in
        var x = try b.tensor("input")
        if b.has("dtype") { x = try Elementwise.cast(x, to: dtype(b.values["dtype"]), grad: g) }
        return try Losses.softmax(x, dim: b.int("dim"), grad: g)
      },
      spec(
        "log_softmax(input, dim, dtype=None)", ["input", "dim", "dtype"],
        gradFn: "LogSoftmaxBackward0"
      ) {
        b, g throws(AutogradError) in
        var x = try b.tensor("input")
        if b.has("dtype") { x = try Elementwise.cast(x, to: dtype(b.values["dtype"]), grad: g) }
        return try Losses.logSoftmax(x, dim: b.int("dim"), grad: g)
      },
      spec(
        "mse_loss(input, target, reduction='mean')", ["input", "target", "reduction"],
        gradFn: "MseLossBackward0"
      ) {
        b, g throws(AutogradError) in
        try Losses.mseLoss(
          b.tensor("input"), b.tensor("target"),
          reduction: Losses.reduction(b.string("reduction", default: "mean")), grad: g)
      },
      spec(
        "nll_loss(input, target, reduction='mean')", ["input", "target", "reduction"],
        gradFn: "NllLossBackward0"
      ) {
        b, g throws(AutogradError) in
        try Losses.nllLoss(
          b.tensor("input"), b.tensor("target"),
          reduction: Losses.reduction(b.string("reduction", default: "mean")), grad: g)
      },
      spec(
        "cross_entropy(input, target, reduction='mean')", ["input", "target", "reduction"],
        gradFn: "NllLossBackward0"
      ) {
        b, g throws(AutogradError) in
        try Losses.crossEntropy(
          b.tensor("input"), b.tensor("target"),
          reduction: Losses.reduction(b.string("reduction", default: "mean")), grad: g)
      },
    ]
    // In-place forms.
    for (op, name) in [("add_", "AddBackward0"), ("sub_", "SubBackward0")] {
      specs.append(
        spec("\(op)(input, other, *, alpha=1)", binary + ["alpha"], inPlace: true, gradFn: name) {
          b, g throws(AutogradError) in
          let (x, other) = (try b.tensor("input"), try b.tensor("other"))
          try checkAlpha(b, x, other)
          return try InPlace.binary(
            op, x, other, alpha: b.double("alpha", default: 1), grad: g)
        })
    }
    specs.append(
      spec(
        "div_(input, other, *, rounding_mode=None)", binary + ["rounding_mode"], inPlace: true,
        gradFn: "DivBackward0"
      ) {
        b, g throws(AutogradError) in
        let mode = b.has("rounding_mode") ? try b.string("rounding_mode", default: "") : nil
        return try InPlace.binary("div_", b.tensor("input"), b.tensor("other"), mode: mode, grad: g)
      })
    for (op, name) in [("mul_", "MulBackward0")] {
      specs.append(
        spec("\(op)(input, other)", binary, inPlace: true, gradFn: name) {
          b, g throws(AutogradError) in
          try InPlace.binary(op, b.tensor("input"), b.tensor("other"), grad: g)
        })
    }
    specs.append(
      spec("pow_(input, exponent)", ["input", "exponent"], inPlace: true, gradFn: "PowBackward0") {
        b, g throws(AutogradError) in
        try InPlace.binary("pow_", b.tensor("input"), b.tensor("exponent"), grad: g)
      })
    for op in [
      "neg", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "reciprocal",
    ] {
      specs.append(
        spec("\(op)_(input)", ["input"], inPlace: true, gradFn: Elementwise.unaryOps[op]?.name) {
          b, g throws(AutogradError) in
          try InPlace.unary(op, b.tensor("input"), grad: g)
        })
    }
    specs += [
      spec("zero_(input)", ["input"], inPlace: true, gradFn: "ZeroBackward0") {
        b, g throws(AutogradError) in
        try InPlace.zero(b.tensor("input"), grad: g)
      },
      spec("fill_(input, value)", ["input", "value"], inPlace: true, gradFn: "FillBackward2") {
        b, g throws(AutogradError) in
        try InPlace.fill(b.tensor("input"), b.tensor("value"), grad: g)
      },
      spec("copy_(input, src)", ["input", "src"], inPlace: true, gradFn: "CopyBackwards") {
        b, g throws(AutogradError) in
        try InPlace.copy(b.tensor("input"), b.tensor("src"), grad: g)
      },
    ]
    var table: [String: Spec] = [:]
    for s in specs { table[s.info.name] = s }
    return table
  }()
}
