import Autograd

/// The quotas a session enforces on itself, and the global budget it draws from.
struct SessionLimits: Sendable {
  var maxTensors: Int
  var maxElements: Int
  var maxJacobianElements: Int
  var maxGraphNodes: Int = Int.max
  var maxBytes: Int = Int.max
  var memory = MemoryBudget(limit: Int.max)
}

/// A session's names and tensors; lives on the session's queue only.
///
/// Ids: every tensor the session shows gets an integer id that is never reused. A tensor keeps its id while some
/// name is bound to it (so the `ObjectIdentifier` key stays valid: the tensor is alive); an unbound tensor can no
/// longer be named, so it is never shown again.
struct SessionState {
  struct Binding {
    let tensor: Tensor
    let id: Int
  }

  private struct Identity {
    var id: Int
    var names: Int
  }

  let limits: SessionLimits
  private(set) var names: [String: Binding] = [:]
  private var identities: [ObjectIdentifier: Identity] = [:]
  private var nextID = 1
  /// Bytes of the distinct storages behind named tensors.
  private(set) var namedBytes = 0
  /// How many bindings read each storage, and its size, so views of one storage are counted once.
  private var storages: [ObjectIdentifier: (bindings: Int, bytes: Int)] = [:]
  /// At least the number of graph nodes behind the named tensors (exact when `graphNodesExact`): grows by what
  /// recording ops add, and is recounted only when a quota check would otherwise refuse.
  var graphNodes = 0
  private var graphNodesExact = true
  /// Bytes this request reserved from the global budget (settled by `Session.run`).
  var reservedBytes = 0
  /// The exact graph-node count taken at the start of this request, before it changed anything: still true if
  /// the request is undone, so `Session.run` keeps it (a refused request must not leave the next one a walk).
  var graphNodesAtStart: Int?
  /// The session's PyTorch default generator for /eval: after `torch.manual_seed(7)` in one program, the next
  /// program's `torch.randn` continues that stream, as in one Python process (nil until a program seeds it).
  var randomGenerator: RandomGenerator?

  private static let firstCapacity = 6

  init(limits: SessionLimits) {
    self.limits = limits
  }

  var namedCount: Int { names.count }

  /// The tensor bound to `name`, or 404 `not_found`.
  func tensor(_ name: String) throws(ServiceError) -> Tensor {
    guard let binding = names[name] else {
      throw .notFound("no tensor named '\(name)' in this session")
    }
    return binding.tensor
  }

  func binding(_ name: some StringProtocol) throws(ServiceError) -> (name: String, binding: Binding)
  {
    let key = String(name)
    guard let binding = names[key] else {
      throw .notFound("no tensor named '\(key)' in this session")
    }
    return (key, binding)
  }

  /// Binds `name` (or a fresh `_<id>` server name when nil) to `tensor`, as Python assignment does: a tensor that
  /// was bound before keeps living in the graphs that use it. Answers the name.
  @discardableResult
  mutating func bind(_ name: String?, _ tensor: Tensor) throws(ServiceError) -> String {
    let key = ObjectIdentifier(tensor)
    let id = identities[key]?.id ?? nextID
    let name = name ?? "_\(id)"
    if let old = names[name], old.tensor === tensor { return name }
    try admitName(name)
    if names.capacity == 0 {
      // Sized once for a few tensors: growing three tables from 1 to 6 entries is nine allocations and rehashes,
      // the most of any request in a short workflow. An idle session still holds none.
      names.reserveCapacity(SessionState.firstCapacity)
      identities.reserveCapacity(SessionState.firstCapacity)
      storages.reserveCapacity(SessionState.firstCapacity)
    }
    if identities[key] == nil { nextID += 1 }
    identities[key, default: Identity(id: id, names: 0)].names += 1
    if let old = names[name] { release(old) }
    names[name] = Binding(tensor: tensor, id: id)
    retainStorage(of: tensor)
    return name
  }

  /// Refuses a binding that would add a name beyond `maxTensors` (rebinding a name adds none).
  func admitName(_ name: String?) throws(ServiceError) {
    if let name, names[name] != nil { return }
    guard names.count < limits.maxTensors else {
      throw .limitExceeded(
        "a session holds at most \(limits.maxTensors) named tensors (max-tensors-per-session)")
    }
  }

  var graphNodeCountIsExact: Bool { graphNodesExact }

  mutating func setGraphNodes(_ count: Int) {
    graphNodes = count
    graphNodesExact = true
  }

  mutating func markGraphNodesStale(extra: Int) {
    graphNodes += extra
    graphNodesExact = false
  }

  mutating func unbind(_ name: String) throws(ServiceError) {
    guard let old = names.removeValue(forKey: name) else {
      throw .notFound("no tensor named '\(name)' in this session")
    }
    release(old)
  }

  private mutating func release(_ binding: Binding) {
    releaseStorage(of: binding.tensor)
    // Fewer names can only mean fewer reachable nodes: the count stays an upper bound.
    graphNodesExact = false
    let key = ObjectIdentifier(binding.tensor)
    guard var identity = identities[key] else { return }
    identity.names -= 1
    identities[key] = identity.names > 0 ? identity : nil
  }

  private mutating func retainStorage(of tensor: Tensor) {
    let key = tensor.storageIdentity
    if let entry = storages[key] {
      storages[key] = (entry.bindings + 1, entry.bytes)
    } else {
      let bytes = tensor.storageByteCount
      storages[key] = (1, bytes)
      namedBytes += bytes
    }
  }

  private mutating func releaseStorage(of tensor: Tensor) {
    let key = tensor.storageIdentity
    guard let entry = storages[key] else { return }
    if entry.bindings > 1 {
      storages[key] = (entry.bindings - 1, entry.bytes)
    } else {
      storages[key] = nil
      namedBytes -= entry.bytes
    }
  }

  /// Call after a tensor's storage may have changed under its names.
  mutating func recount() {
    storages = [:]
    namedBytes = 0
    for binding in names.values { retainStorage(of: binding.tensor) }
  }

  /// The named tensors, oldest first.
  var listing: [(name: String, binding: Binding)] {
    names.map { (name: $0.key, binding: $0.value) }.sorted {
      ($0.binding.id, $0.name) < ($1.binding.id, $1.name)
    }
  }

  /// A name bound to `tensor` (the oldest binding's), or nil.
  func name(of tensor: Tensor) -> String? {
    guard identities[ObjectIdentifier(tensor)] != nil else { return nil }
    return names.filter { $0.value.tensor === tensor }.map(\.key).min()
  }

  /// An id for a tensor shown without a name (an /eval result); ids are never reused.
  mutating func displayID(of tensor: Tensor) -> Int {
    if let id = identities[ObjectIdentifier(tensor)]?.id { return id }
    defer { nextID += 1 }
    return nextID
  }

  func id(of tensor: Tensor) -> Int? { identities[ObjectIdentifier(tensor)]?.id }

  mutating func removeAll() {
    names = [:]
    identities = [:]
    storages = [:]
    namedBytes = 0
    graphNodes = 0
    graphNodesExact = true
  }

  static func byteCount(_ tensor: Tensor) -> Int {
    tensor.numel * tensor.dtype.itemSize
  }
}
