import Autograd

/// The quota checks a request runs *before* the work they bound; each refusal is 429 `limit_exceeded` naming the
/// option and its value, and (as every failure) leaves the session as it was.
extension SessionState {
  /// Admits one new tensor of `elements` elements needing `bytes` of new storage: checks the per-tensor and
  /// per-session limits, then reserves the bytes from the global budget.
  mutating func admit(elements: Int, bytes: Int) throws(ServiceError) {
    guard elements <= limits.maxElements else {
      throw .limitExceeded(
        "a tensor may have at most \(limits.maxElements) elements (max-tensor-elements); this one would have "
          + "\(elements == Int.max ? "more" : String(elements))")
    }
    let (total, overflow) = namedBytes.addingReportingOverflow(bytes)
    guard !overflow, total <= limits.maxBytes else {
      throw .limitExceeded(
        "a session may hold at most \(limits.maxBytes) bytes of tensors (max-session-bytes); it holds "
          + "\(namedBytes) and this needs up to \(bytes) more")
    }
    try limits.memory.reserve(bytes)
    reservedBytes += bytes
  }

  /// Admits an op that records one graph node.
  mutating func admitGraphNode() throws(ServiceError) {
    guard graphNodes >= limits.maxGraphNodes else { return }
    if !graphNodeCountIsExact { recountGraphNodes() }
    guard graphNodes >= limits.maxGraphNodes else { return }
    throw graphNodesRefusal()
  }

  /// At the start of a request of `ops` ops, before it changes anything: makes the node count exact when the
  /// ops could reach the limit, so a refusal costs at most one graph walk per request however often it repeats.
  mutating func prepareGraphNodes(forOps ops: Int) {
    guard !graphNodeCountIsExact, OpPreflight.add(graphNodes, ops) > limits.maxGraphNodes else {
      return
    }
    recountGraphNodes()
    graphNodesAtStart = graphNodes
  }

  /// After an op: its result's node is new when it has one.
  mutating func noteRecorded(_ result: Tensor, inPlace: Bool) {
    guard result.gradFn != nil else { return }
    graphNodes += 1
    // An in-place op on a view rewrites its base's history too (CopySlices): the count becomes an estimate.
    if inPlace { markGraphNodesStale(extra: 2) }
  }

  /// For work whose nodes cannot be foreseen (`/eval`, `create_graph`): counts them afterwards and refuses (the
  /// request is then undone) when they are over the limit.
  mutating func checkGraphNodesAfterWork() throws(ServiceError) {
    recountGraphNodes()
    guard graphNodes <= limits.maxGraphNodes else { throw graphNodesRefusal() }
  }

  /// Refuses storage the request added beyond the session's limit (work whose allocations cannot be foreseen).
  func checkBytesAfterWork(before: Int) throws(ServiceError) {
    guard namedBytes > before, namedBytes > limits.maxBytes else { return }
    throw .limitExceeded(
      "a session may hold at most \(limits.maxBytes) bytes of tensors (max-session-bytes); this request "
        + "would leave it holding \(namedBytes)")
  }

  private func graphNodesRefusal() -> ServiceError {
    .limitExceeded(
      "a session's graphs may hold at most \(limits.maxGraphNodes) nodes (max-graph-nodes-per-session); "
        + "this one holds \(graphNodes)")
  }

  /// The distinct autograd nodes reachable from named tensors and their gradients, leaves' AccumulateGrad not
  /// counted (as PyTorch users count a graph: one node per recorded op).
  mutating func recountGraphNodes() {
    var seen: Set<ObjectIdentifier> = []
    var stack: [Node] = []
    var count = 0
    func visit(_ node: Node?) {
      guard let node, seen.insert(ObjectIdentifier(node)).inserted else { return }
      if node.leafTensor == nil { count += 1 }
      stack.append(node)
    }
    for binding in names.values {
      visit(binding.tensor.gradFn)
      visit(binding.tensor.grad?.gradFn)
    }
    while let node = stack.popLast() {
      for next in node.nextNodes { visit(next) }
    }
    setGraphNodes(count)
  }
}
