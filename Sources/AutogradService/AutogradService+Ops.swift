import Autograd
import HTTPServer
import TensorJSON

extension AutogradService {
  /// One op (201 with its result) or a batch (201 with `{"results": [...]}`); a batch applies whole or not at all.
  func applyOps(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session, context, sessionLimits) {
      _, context, limits, state throws(ServiceError) in
      try AutogradService.applyOps(context, limits: limits, state: &state)
    }
  }

  /// `applyOps` inside the session.
  static func applyOps(_ context: RequestContext, limits: SessionLimits, state: inout SessionState)
    throws(ServiceError) -> HTTPServerResponse
  {
    guard let body = try RequestBody.json(context.request) else {
      throw .invalidArgument("ops takes an op object or an array of them")
    }
    state.prepareGraphNodes(forOps: body.arrayElements?.count ?? 1)
    if case .object = body {
      let (tensor, name) = try AutogradService.apply(body, state: &state, limits: limits)
      return Responses.tensor(
        .created, tensor, name: name, id: state.id(of: tensor) ?? 0, data: context.wantsData)
    }
    guard let specs = body.arrayElements else {
      throw .invalidArgument("ops takes an op object or a non-empty array of them")
    }
    guard !specs.isEmpty else { throw .invalidArgument("empty batch") }
    var results: [(Tensor, String)] = []
    results.reserveCapacity(specs.count)
    for (index, spec) in specs.enumerated() {
      do throws(ServiceError) {
        results.append(try AutogradService.apply(spec, state: &state, limits: limits))
      } catch {
        var error = error
        error.opIndex = index
        throw error
      }
    }
    var out = JSONWriter(
      capacity: results.reduce(16) {
        $0 + Responses.textCapacity($1.0, data: context.wantsData)
      })
    out.beginObject()
    out.key("results")
    out.beginArray()
    for (tensor, name) in results {
      out.tensorObject(tensor, name: name, id: state.id(of: tensor) ?? 0, data: context.wantsData)
    }
    out.endArray()
    out.endObject()
    return Responses.json(.created, out.bytes)
  }

  /// Runs one op and binds its result: to the requested name, else (in-place ops) to the name it was called on,
  /// else to a fresh server name.
  static func apply(_ spec: JSONValue, state: inout SessionState, limits: SessionLimits)
    throws(ServiceError)
    -> (Tensor, String)
  {
    let request = try OpRequest(spec, state: state)
    // Resolved once: the name is looked up here, not again inside the call.
    guard let requested = try? Ops.op(request.op) else {
      throw .notFound("unknown op '\(request.op)' (GET /v1/ops lists them)")
    }
    let inPlace = request.op.hasSuffix("_") || request.op == "setitem"
    let preflight = OpPreflight(request)
    if !inPlace {
      try state.admitName(request.name)
      try state.admit(elements: preflight.elements, bytes: preflight.bytes)
    }
    if preflight.recordsGraph { try state.admitGraphNode() }
    let (name, args) = AutogradService.pythonOperator(request)
    let value = try engine { () throws(AutogradError) in
      let op = name == requested.name ? requested : try Ops.op(name)
      return try op.call(args: args, kwargs: request.kwargs, gradEnabled: !request.noGrad)
    }
    guard let result = value.tensor else {
      throw .invalidOp("\(request.op) did not produce a tensor")
    }
    try TensorRequests.checkElements(result.numel, limits: limits)
    state.noteRecorded(result, inPlace: inPlace)
    if request.name == nil, let first = request.firstArgumentName, let bound = state.names[first],
      bound.tensor === result
    {
      return (result, first)
    }
    return (result, try state.bind(request.name, result))
  }
}

extension AutogradService {
  /// `{"op": "sub", "args": [2, "x"]}` is Python's `2 - x` (`RsubBackward1`), and `div` with a number first is
  /// `2 / x` (`reciprocal(x) * 2`, `MulBackward0`), as the reference runs two positional arguments through
  /// Python's operators.
  static func pythonOperator(_ request: OpRequest) -> (String, [OpArgument]) {
    guard request.kwargs.isEmpty, request.args.count == 2, case .tensor = request.args[1],
      request.op == "sub" || request.op == "div"
    else { return (request.op, request.args) }
    switch request.args[0] {
    case .int, .double, .bool:
      return (request.op == "sub" ? "rsub" : "rdiv", [request.args[1], request.args[0]])
    default:
      return (request.op, request.args)
    }
  }

  /// `GET /v1/ops`, rendered once: the catalog never changes while the process runs.
  static let opsListing: [UInt8] = {
    var out = JSONWriter(capacity: 16_384)
    out.beginObject()
    out.key("ops")
    out.beginArray()
    for op in Ops.catalog {
      out.beginObject()
      out.key("name")
      out.string(op.name)
      out.key("signature")
      out.string(op.signature)
      out.key("in_place")
      out.bool(op.inPlace)
      out.key("grad_fn")
      if let gradFn = op.gradFn { out.string(gradFn) } else { out.null() }
      out.endObject()
    }
    out.endArray()
    out.endObject()
    return out.bytes
  }()
}
