import Autograd
import HTTPServer
import HTTPTypes
import TensorJSON

extension AutogradService {
  func createTensor(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session, context, sessionLimits) {
      session, context, _, state throws(ServiceError) in
      try AutogradService.createTensor(context, session: session, state: &state)
    }
  }

  /// `createTensor` inside the session.
  static func createTensor(
    _ context: RequestContext, session: Session, state: inout SessionState
  ) throws(ServiceError) -> HTTPServerResponse {
    let body = try RequestBody.tensorObject(
      context.request, allowed: TensorFactory.keys, what: "a tensor")
    let name = try TensorRequests.userName(body["name"])
    try state.admitName(name)
    let tensor = try TensorFactory.make(body, rawBody: context.request.body, state: &state)
    let bound = try state.bind(name, tensor)
    var response = Responses.tensor(
      .created, tensor, name: bound, id: state.id(of: tensor) ?? 0, data: context.wantsData)
    // Appended (the response has no Location yet): the subscript setter scans and splices.
    response.headerFields.append(
      HTTPField(name: .location, value: "/v1/sessions/\(session.id)/tensors/\(bound)"))
    return response
  }

  func listTensors(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      var out = JSONWriter()
      out.beginObject()
      out.key("tensors")
      out.beginArray()
      for (name, binding) in state.listing {
        out.tensorObject(binding.tensor, name: name, id: binding.id, data: context.wantsData)
      }
      out.endArray()
      out.endObject()
      return Responses.json(.ok, out.bytes)
    }
  }

  func getTensor(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      let (name, binding) = try state.binding(context.tensorName)
      return Responses.tensor(
        .ok, binding.tensor, name: name, id: binding.id, data: context.wantsData)
    }
  }

  func deleteTensor(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    return .inSession(session) { state throws(ServiceError) in
      try state.unbind(String(context.tensorName))
      return Responses.noContent()
    }
  }

  /// `x.data = ...`: new values without recording anything or bumping `version`.
  func patchTensor(_ context: RequestContext, owner: String?) throws(ServiceError) -> Reply {
    let session = try session(context, owner: owner)
    let limits = sessionLimits
    return .inSession(session) { state throws(ServiceError) in
      let (name, binding) = try state.binding(context.tensorName)
      let body = try RequestBody.object(
        context.request, required: true, allowed: BodyKeys.patchTensor, what: "PATCH")
      guard let data = body["data"], !data.isNull else {
        throw .invalidArgument("PATCH takes {\"data\": [...]}")
      }
      let values = try TensorRequests.literal(
        data, shape: body["shape"], dtype: binding.tensor.dtype, field: "data", limits: limits)
      // PyTorch's `x.data = new` also takes another shape; a tensor's shape is fixed here, so a different
      // shape (even with as many values) is refused rather than silently kept.
      guard values.shape == binding.tensor.shape else {
        throw ServiceError(
          .unprocessableContent, "shape_mismatch",
          "PATCH cannot change a tensor's shape: \(name) has shape \(binding.tensor.shape), data has shape \(values.shape)"
        )
      }
      try engine { () throws(AutogradError) in try binding.tensor.setData(values) }
      state.recount()
      return Responses.tensor(
        .ok, binding.tensor, name: name, id: binding.id, data: context.wantsData)
    }
  }
}

extension RequestContext {
  /// False when the query asks for `data=false` (then `data` and `grad` are left out).
  var wantsData: Bool {
    guard let query else { return true }
    for pair in query.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      if parts.first == "data", parts.count == 2 {
        return !["false", "0", "no"].contains(parts[1].lowercased())
      }
    }
    return true
  }

  /// The `{name}` path parameter (the router only matches non-empty ones).
  var tensorName: Substring { match.tensorName ?? "" }
}
