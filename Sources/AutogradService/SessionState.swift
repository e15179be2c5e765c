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

  fileprivate struct Identity {
    var id: Int
    var names: Int
  }

  fileprivate struct StorageUse {
    var bindings: Int
    var bytes: Int
  }

  let limits: SessionLimits
  private(set) var names: [String: Binding] = [:]
  private var identities: [ObjectIdentifier: Identity] = [:]
  private var nextID = 1
  /// Bytes of the distinct storages behind named tensors.
  private(set) var namedBytes = 0
  /// How many bindings read each storage, and its size, so views of one storage are counted once.
  private var storages: [ObjectIdentifier: StorageUse] = [:]
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
  var randomGenerator: RandomGenerator? {
    get { generator }
    set {
      if start != nil { changes.append(.randomGenerator(generator)) }
      generator = newValue
    }
  }
  private var generator: RandomGenerator?
  /// The undo log of the open request (see `beginRequest`), kept with its capacity between requests.
  fileprivate var changes: [Change] = []
  fileprivate var start: Start?

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
    // Looked up once: the name is hashed again only to store it.
    let old = names[name]
    if let old, old.tensor === tensor { return name }
    if old == nil { try admitNewName() }
    if names.capacity == 0 {
      // Sized once for a few tensors: growing three tables from 1 to 6 entries is nine allocations and rehashes,
      // the most of any request in a short workflow. An idle session still holds none.
      names.reserveCapacity(SessionState.firstCapacity)
      identities.reserveCapacity(SessionState.firstCapacity)
      storages.reserveCapacity(SessionState.firstCapacity)
    }
    let identity = identities[key]
    if identity == nil { nextID += 1 }
    setIdentity(key, Identity(id: id, names: (identity?.names ?? 0) + 1), was: identity)
    if let old { release(old) }
    setName(name, Binding(tensor: tensor, id: id), was: old)
    retainStorage(of: tensor)
    return name
  }

  /// Refuses a binding that would add a name beyond `maxTensors` (rebinding a name adds none).
  func admitName(_ name: String?) throws(ServiceError) {
    if let name, names[name] != nil { return }
    try admitNewName()
  }

  private func admitNewName() throws(ServiceError) {
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
    guard let old = names[name] else {
      throw .notFound("no tensor named '\(name)' in this session")
    }
    setName(name, nil, was: old)
    release(old)
  }

  private mutating func release(_ binding: Binding) {
    releaseStorage(of: binding.tensor)
    // Fewer names can only mean fewer reachable nodes: the count stays an upper bound.
    graphNodesExact = false
    let key = ObjectIdentifier(binding.tensor)
    guard let identity = identities[key] else { return }
    let fewer = Identity(id: identity.id, names: identity.names - 1)
    setIdentity(key, fewer.names > 0 ? fewer : nil, was: identity)
  }

  private mutating func retainStorage(of tensor: Tensor) {
    let key = tensor.storageIdentity
    let entry = storages[key]
    if let entry {
      setStorage(key, StorageUse(bindings: entry.bindings + 1, bytes: entry.bytes), was: entry)
    } else {
      let bytes = tensor.storageByteCount
      setStorage(key, StorageUse(bindings: 1, bytes: bytes), was: nil)
      namedBytes += bytes
    }
  }

  private mutating func releaseStorage(of tensor: Tensor) {
    let key = tensor.storageIdentity
    guard let entry = storages[key] else { return }
    if entry.bindings > 1 {
      setStorage(key, StorageUse(bindings: entry.bindings - 1, bytes: entry.bytes), was: entry)
    } else {
      setStorage(key, nil, was: entry)
      namedBytes -= entry.bytes
    }
  }

  /// Call after a tensor's storage may have changed under its names.
  mutating func recount() {
    logTables()
    storages = [:]
    namedBytes = 0
    for binding in names.values { retainStorage(of: binding.tensor) }
  }

  /// The named tensors, oldest first.
  var listing: [(name: String, binding: Binding)] { listing { _ in true } }

  /// The named tensors that `include` keeps, oldest first (filtered before sorting: a backward answer lists a
  /// few of them).
  func listing(where include: (Binding) -> Bool) -> [(name: String, binding: Binding)] {
    var kept: [(name: String, binding: Binding)] = []
    for (name, binding) in names where include(binding) { kept.append((name, binding)) }
    kept.sort { ($0.binding.id, $0.name) < ($1.binding.id, $1.name) }
    return kept
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
    logTables()
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

/// Undoing a failed request. Every change to the tables goes through `setName`, `setIdentity` and `setStorage`,
/// which note the value they replace while a request is open; a rollback puts those back, newest first. A snapshot
/// of the whole state did the same, but each request that bound a name then copied all three tables (copy-on-write
/// of a shared dictionary): three allocations and a retain of every entry, for a rollback that almost never runs.
extension SessionState {
  fileprivate enum Change {
    case name(String, Binding?)
    case identity(ObjectIdentifier, Identity?)
    case storage(ObjectIdentifier, StorageUse?)
    case randomGenerator(RandomGenerator?)
    /// The tables before a change that replaces them whole (`recount`, `removeAll`).
    case tables([String: Binding], [ObjectIdentifier: Identity], [ObjectIdentifier: StorageUse])
  }

  /// The scalars at the start of the request (plain values: opening and closing a request retains nothing).
  fileprivate struct Start {
    var nextID: Int
    var namedBytes: Int
    var graphNodes: Int
    var graphNodesExact: Bool
  }

  /// Opens a request: from now on its changes can be undone by `rollbackRequest`.
  mutating func beginRequest() {
    start = Start(
      nextID: nextID, namedBytes: namedBytes, graphNodes: graphNodes,
      graphNodesExact: graphNodesExact)
  }

  /// `namedBytes` when the request began.
  var namedBytesAtStart: Int { start?.namedBytes ?? namedBytes }

  /// Keeps the request's changes.
  mutating func commitRequest() {
    start = nil
    changes.removeAll(keepingCapacity: true)
  }

  /// Puts the state back as it was at `beginRequest`.
  mutating func rollbackRequest() {
    while let change = changes.popLast() {
      switch change {
      case .name(let key, let old): names[key] = old
      case .identity(let key, let old): identities[key] = old
      case .storage(let key, let old): storages[key] = old
      case .randomGenerator(let old): generator = old
      case .tables(let oldNames, let oldIdentities, let oldStorages):
        names = oldNames
        identities = oldIdentities
        storages = oldStorages
      }
    }
    if let start {
      nextID = start.nextID
      namedBytes = start.namedBytes
      graphNodes = start.graphNodes
      graphNodesExact = start.graphNodesExact
    }
    start = nil
  }

  fileprivate mutating func setName(_ key: String, _ value: Binding?, was old: Binding?) {
    if start != nil { changes.append(.name(key, old)) }
    names[key] = value
  }

  fileprivate mutating func setIdentity(
    _ key: ObjectIdentifier, _ value: Identity?, was old: Identity?
  ) {
    if start != nil { changes.append(.identity(key, old)) }
    identities[key] = value
  }

  fileprivate mutating func setStorage(
    _ key: ObjectIdentifier, _ value: StorageUse?, was old: StorageUse?
  ) {
    if start != nil { changes.append(.storage(key, old)) }
    storages[key] = value
  }

  fileprivate mutating func logTables() {
    if start != nil { changes.append(.tables(names, identities, storages)) }
  }
}
