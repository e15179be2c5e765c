/// The members each request body may have, built once: a `Set` literal at the call site is built (allocated and
/// every key hashed) on every request.
enum BodyKeys {
  static let session: Set<String> = ["ttl_seconds"]
  static let patchTensor: Set<String> = ["data", "shape"]
  static let backward: Set<String> = ["gradient", "retain_graph", "create_graph", "inputs"]
  static let grad: Set<String> = [
    "outputs", "inputs", "grad_outputs", "retain_graph", "create_graph", "allow_unused", "names",
  ]
  static let jacobian: Set<String> = ["output", "inputs"]
}
