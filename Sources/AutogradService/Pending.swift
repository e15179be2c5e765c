import HTTPServer
import TensorJSON

// Stand-ins until the engine lands on main; replaced by the engine-backed handlers.
struct SessionLimits: Sendable {
  var maxTensors: Int
  var maxElements: Int
  var maxJacobianElements: Int
}

struct SessionState {
  struct Binding {
    let id: Int
    var tensor: Never { fatalError() }
  }
  let limits: SessionLimits
  init(limits: SessionLimits) { self.limits = limits }
  var namedCount: Int { 0 }
  var namedBytes: Int { 0 }
  var listing: [(name: String, binding: Binding)] { [] }
  mutating func removeAll() {}
}

extension JSONWriter {
  mutating func tensorObject(_ tensor: Never, name: String, id: Int, data: Bool) {}
}

extension AutogradService {
  static let opsListing: [UInt8] = Array(#"{"ops":[]}"#.utf8)
  func createTensor(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func listTensors(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func getTensor(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func patchTensor(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func deleteTensor(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func applyOps(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func backward(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func getGrad(_ c: RequestContext, owner: String?) async throws(ServiceError) -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func deleteGrad(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func zeroGrad(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func autogradGrad(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func jacobian(_ c: RequestContext, owner: String?) async throws(ServiceError)
    -> HTTPServerResponse
  { throw .invalidOp("pending") }
  func graph(_ c: RequestContext, owner: String?) async throws(ServiceError) -> HTTPServerResponse {
    throw .invalidOp("pending")
  }
  func eval(_ c: RequestContext, owner: String?) async throws(ServiceError) -> HTTPServerResponse {
    throw .invalidOp("pending")
  }
}
