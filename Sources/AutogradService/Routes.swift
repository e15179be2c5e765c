import HTTPTypes

/// What a route does; `AutogradService.dispatch` calls the matching handler.
enum Endpoint: Sendable {
  case healthz, readyz, metrics, openAPI, listOps
  case createSession, listSessions, getSession, deleteSession
  case createTensor, listTensors, getTensor, patchTensor, deleteTensor
  case applyOps
  case backward, getGrad, deleteGrad, zeroGrad, autogradGrad, jacobian
  case graph
  case eval
}

/// The HTTP contract (`API.md`), top to bottom: method, path, handler.
/// `{sid}` is a session id, `{name}` a tensor name.
let routeTable: [Route] = [
  Route(.get, "/healthz", .healthz),
  Route(.get, "/readyz", .readyz),
  Route(.get, "/metrics", .metrics),
  Route(.get, "/openapi.yaml", .openAPI),
  Route(.get, "/v1/ops", .listOps),

  Route(.post, "/v1/sessions", .createSession),
  Route(.get, "/v1/sessions", .listSessions),
  Route(.get, "/v1/sessions/{sid}", .getSession),
  Route(.delete, "/v1/sessions/{sid}", .deleteSession),

  Route(.post, "/v1/sessions/{sid}/tensors", .createTensor),
  Route(.get, "/v1/sessions/{sid}/tensors", .listTensors),
  Route(.get, "/v1/sessions/{sid}/tensors/{name}", .getTensor),
  Route(.patch, "/v1/sessions/{sid}/tensors/{name}", .patchTensor),
  Route(.delete, "/v1/sessions/{sid}/tensors/{name}", .deleteTensor),

  Route(.post, "/v1/sessions/{sid}/ops", .applyOps),

  Route(.post, "/v1/sessions/{sid}/tensors/{name}/backward", .backward),
  Route(.get, "/v1/sessions/{sid}/tensors/{name}/grad", .getGrad),
  Route(.delete, "/v1/sessions/{sid}/tensors/{name}/grad", .deleteGrad),
  Route(.post, "/v1/sessions/{sid}/tensors/{name}/grad/zero", .zeroGrad),
  Route(.post, "/v1/sessions/{sid}/grad", .autogradGrad),
  Route(.post, "/v1/sessions/{sid}/jacobian", .jacobian),

  Route(.get, "/v1/sessions/{sid}/tensors/{name}/graph", .graph),

  Route(.post, "/v1/sessions/{sid}/eval", .eval),
]
