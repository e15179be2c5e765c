/// The backward scheduler: dependency counting and a ready queue ordered by creation (newest first).
/// It knows nothing about particular ops; it runs nodes, reduces gradients to each input's shape and dtype,
/// and commits results only after every node ran (so a failing backward changes nothing).
enum Engine {
  struct Root {
    let edge: Edge
    let gradient: Tensor
  }

  struct Outcome {
    /// Gradients arriving at each requested input (for `grad`), in input order.
    var captured: [Tensor?]
    /// Leaves whose `.grad` changed (for `backward`).
    var updatedLeaves: [Tensor]
  }

  /// Runs the graph behind `roots`. With `inputs`, captures their gradients instead of accumulating.
  static func run(
    roots: [Root], inputs: [Tensor]?, retainGraph: Bool, createGraph: Bool
  ) throws(AutogradError) -> Outcome {
    let journal = MutationJournal.current
    // 1. Discover the graph and count dependencies (explicit stack, no recursion).
    var dependencies: [ObjectIdentifier: Int] = [:]
    var nodes: [ObjectIdentifier: Node] = [:]
    var postorder: [Node] = []
    var stack: [(Node, Int)] = []
    for root in roots where nodes[ObjectIdentifier(root.edge.node)] == nil {
      nodes[ObjectIdentifier(root.edge.node)] = root.edge.node
      stack.append((root.edge.node, 0))
      while let (node, next) = stack.popLast() {
        if next < node.edges.count {
          stack.append((node, next + 1))
          guard let child = node.edges[next]?.node else { continue }
          let id = ObjectIdentifier(child)
          dependencies[id, default: 0] += 1
          if nodes[id] == nil {
            nodes[id] = child
            stack.append((child, 0))
          }
        } else {
          postorder.append(node)
        }
      }
    }

    // 2. For `grad`, find the nodes whose gradient is requested and prune what cannot reach them.
    var targets: [ObjectIdentifier: [Int]] = [:]
    if let inputs {
      for (i, t) in inputs.enumerated() {
        let node: Node? = t.gradFn ?? t.accumulator
        if let node { targets[ObjectIdentifier(node), default: []].append(i) }
      }
    }
    var needed: Set<ObjectIdentifier> = []
    if inputs != nil {
      for node in postorder {
        let id = ObjectIdentifier(node)
        if node.edges.contains(where: {
          $0.map {
            needed.contains(ObjectIdentifier($0.node)) || targets[ObjectIdentifier($0.node)] != nil
          } ?? false
        }) {
          needed.insert(id)
        }
      }
    }

    // 3. Execute.
    var buffers: [ObjectIdentifier: Tensor] = [:]
    var heap = NodeHeap()
    for root in roots {
      let id = ObjectIdentifier(root.edge.node)
      buffers[id] = try accumulate(buffers[id], root.gradient, grad: createGraph)
    }
    for root in roots where dependencies[ObjectIdentifier(root.edge.node), default: 0] == 0 {
      heap.push(root.edge.node)
      dependencies[ObjectIdentifier(root.edge.node)] = -1
    }
    var captured = [Tensor?](repeating: nil, count: inputs?.count ?? 0)
    var pendingLeafGrads: [(Tensor, Tensor)] = []
    var pendingRetained: [(Tensor, Tensor)] = []
    var executed: [Node] = []

    while let node = heap.pop() {
      let id = ObjectIdentifier(node)
      let incoming = buffers.removeValue(forKey: id)
      if let idx = targets[id], let incoming {
        for i in idx { captured[i] = incoming }
      }
      var outputs: [Tensor?] = []
      if let incoming {
        for weak in node.retainedTensors {
          if let t = weak.tensor, t.retainsGradStorage, t.gradFnStorage === node {
            pendingRetained.append((t, incoming))
          }
        }
        if node.isAccumulateGrad {
          if inputs == nil, let leaf = node.variable { pendingLeafGrads.append((leaf, incoming)) }
        } else if inputs == nil || needed.contains(id) {
          let saved = try node.unpackSaved()
          let needs = node.edges.map { edge -> Bool in
            guard let edge else { return false }
            return inputs == nil || needed.contains(ObjectIdentifier(edge.node))
              || targets[ObjectIdentifier(edge.node)] != nil
          }
          guard let fn = node.backwardFn else { throw AutogradError.backwardTwice }
          let context = BackwardContext(saved: saved, needs: needs, grad: createGraph)
          outputs = try fn(incoming, context)
          executed.append(node)
        }
      }
      for (i, edge) in node.edges.enumerated() {
        guard let edge else { continue }
        let childId = ObjectIdentifier(edge.node)
        if i < outputs.count, var g = outputs[i] {
          if let meta = node.inputMeta[i] {
            if g.shape != meta.shape { g = try Reductions.sumTo(g, meta.shape, grad: createGraph) }
            if g.dtype != meta.dtype {
              g = try Elementwise.cast(g, to: meta.dtype, grad: createGraph)
            }
          }
          buffers[childId] = try accumulate(buffers[childId], g, grad: createGraph)
        }
        let remaining = (dependencies[childId] ?? 1) - 1
        dependencies[childId] = remaining
        if remaining == 0 { heap.push(edge.node) }
      }
    }

    // 4. Commit: everything ran, so now mutate.
    var updated: [Tensor] = []
    var seen = Set<ObjectIdentifier>()
    for (leaf, g) in pendingLeafGrads {
      try accumulateGrad(into: leaf, g, createGraph: createGraph)
      if seen.insert(ObjectIdentifier(leaf)).inserted { updated.append(leaf) }
    }
    for (t, g) in pendingRetained {
      journal?.recordMeta(t)
      if let existing = t.gradStorage {
        t.gradStorage = try Elementwise.add(existing, g, grad: createGraph)
      } else {
        t.gradStorage = createGraph ? g : Views.detach(try Views.clone(g, grad: false))
      }
    }
    if !retainGraph {
      for executedNode in executed {
        for node in [executedNode] + (executedNode.wrapped.map { [$0] } ?? [])
        where !node.saved.isEmpty || node.savedNumbers > 0 {
          journal?.recordSaved(node)
          for i in node.saved.indices { node.saved[i].tensor = nil }
          node.released = true
        }
      }
    }
    return Outcome(captured: captured, updatedLeaves: updated)
  }

  private static func accumulate(_ existing: Tensor?, _ g: Tensor, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    guard let existing else { return g }
    return try Elementwise.add(existing, g, grad: grad)
  }

  /// AccumulateGrad: adds into `.grad` in place (so other holders of the grad tensor see it, as in PyTorch),
  /// or creates it; with create_graph the new grad is recorded (`CopyBackwards`).
  static func accumulateGrad(into leaf: Tensor, _ g: Tensor, createGraph: Bool)
    throws(AutogradError)
  {
    let journal = MutationJournal.current
    journal?.recordMeta(leaf)
    var incoming = g
    if incoming.dtype != leaf.dtype {
      incoming = try Elementwise.cast(incoming, to: leaf.dtype, grad: createGraph)
    }
    if let existing = leaf.gradStorage {
      if createGraph || existing.requiresGrad {
        leaf.gradStorage = try Elementwise.add(existing, incoming, grad: createGraph)
      } else {
        journal?.recordStorage(existing)
        let sum = try Elementwise.add(existing, incoming, grad: false)
        Kernels.copy(sum, into: existing)
      }
      return
    }
    if createGraph && incoming.requiresGrad {
      let copy = Kernels.contiguousCopy(incoming)
      leaf.gradStorage = Recorder.record(
        "CopyBackwards", copy, inputs: [nil, incoming], grad: true
      ) {
        gg, _ throws(AutogradError) in [nil, gg]
      }
    } else {
      leaf.gradStorage = Kernels.contiguousCopy(incoming)
    }
  }
}

/// Max-heap of nodes by creation order: the newest node runs first, as in PyTorch's ready queue.
struct NodeHeap {
  private var items: [Node] = []

  mutating func push(_ node: Node) {
    items.append(node)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard rank(items[i]) > rank(items[parent]) else { break }
      items.swapAt(i, parent)
      i = parent
    }
  }

  mutating func pop() -> Node? {
    guard !items.isEmpty else { return nil }
    items.swapAt(0, items.count - 1)
    let top = items.removeLast()
    var i = 0
    while true {
      let l = 2 * i + 1
      let r = l + 1
      var best = i
      if l < items.count && rank(items[l]) > rank(items[best]) { best = l }
      if r < items.count && rank(items[r]) > rank(items[best]) { best = r }
      if best == i { break }
      items.swapAt(i, best)
      i = best
    }
    return top
  }

  /// AccumulateGrad nodes run as soon as they are ready (PyTorch gives them the maximum sequence number).
  private func rank(_ node: Node) -> Int { node.isAccumulateGrad ? Int.max : node.id }
}
