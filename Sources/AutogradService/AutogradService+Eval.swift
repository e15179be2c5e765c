import HTTPServer

extension AutogradService {
  /// `/eval` answers once the AutogradEval interpreter lands.
  func eval(_ context: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  {
    _ = try session(context, owner: owner)
    throw .invalidOp("eval is not available in this build yet")
  }
}
