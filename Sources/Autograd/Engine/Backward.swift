import Synchronization

/// Numbers each backward pass, so per-pass scheduler state can live on the nodes (valid only while a node's
/// `pass` equals the running pass) instead of in dictionaries keyed by node identity.
private let passSequence = Atomic<Int>(0)

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
    // A graph belongs to one session, which serialises its calls, so no other pass touches these nodes meanwhile.
    let pass = passSequence.wrappingAdd(1, ordering: .relaxed).newValue
    // 1. Discover the graph and count dependencies, without recursion: breadth-first for `backward` (one array
    // is queue and node list), depth-first postorder for `grad`, whose pruning needs children before parents.
    var discovered: [Node] = []
    discovered.reserveCapacity(16)
    if inputs == nil {
      for root in roots where root.edge.node.pass != pass {
        root.edge.node.beginPass(pass)
        discovered.append(root.edge.node)
      }
      var head = 0
      while head < discovered.count {
        let node = discovered[head]
        head += 1
        // Through the buffer: reading only each edge's node, not copying the edge (and its metadata's shape).
        node.edges.withUnsafeBufferPointer { edges in
          for i in edges.indices {
            guard let child = edges[i]?.node else { continue }
            if child.pass != pass {
              child.beginPass(pass)
              discovered.append(child)
            }
            child.dependencies += 1
          }
        }
      }
    } else {
      var stack: [Node] = []
      for root in roots {
        let start = root.edge.node
        guard start.pass != pass else { continue }
        start.beginPass(pass)
        stack.append(start)
        while let node = stack.last {
          let next = node.visitCursor
          if next < node.edges.count {
            node.visitCursor = next + 1
            guard let child = node.edges[next]?.node else { continue }
            if child.pass != pass {
              child.beginPass(pass)
              stack.append(child)
            }
            child.dependencies += 1
          } else {
            stack.removeLast()
            discovered.append(node)
          }
        }
      }
    }
    do {
      return try execute(
        roots: roots, nodes: discovered, inputs: inputs, retainGraph: retainGraph,
        createGraph: createGraph)
    } catch {
      // Gradients buffered on nodes that never ran must not outlive the failed pass.
      for node in discovered { node.buffer = nil }
      throw error
    }
  }

  /// `nodes`: every node of the pass, in postorder when `inputs` is given.
  private static func execute(
    roots: [Root], nodes: [Node], inputs: [Tensor]?, retainGraph: Bool, createGraph: Bool
  ) throws(AutogradError) -> Outcome {
    // 2. For `grad`, find the nodes whose gradient is requested and prune what cannot reach them.
    var targets: [ObjectIdentifier: [Int]] = [:]
    if let inputs {
      for (i, t) in inputs.enumerated() {
        let node: Node? = t.gradFn ?? t.accumulator
        if let node { targets[ObjectIdentifier(node), default: []].append(i) }
      }
      for node in nodes {
        node.isTarget = targets[ObjectIdentifier(node)] != nil
        node.needed = node.edges.contains { edge in
          guard let child = edge?.node else { return false }
          return child.needed || child.isTarget
        }
      }
    }

    // 3. Execute.
    var heap = NodeHeap(capacity: 8)
    for root in roots {
      let node = root.edge.node
      node.buffer = try accumulate(node.buffer, root.gradient, grad: createGraph)
    }
    for root in roots where root.edge.node.dependencies == 0 {
      heap.push(root.edge.node)
      root.edge.node.dependencies = -1
    }
    var captured = [Tensor?](repeating: nil, count: inputs?.count ?? 0)
    var pendingLeafGrads: [LeafGradient] = []
    var pendingRetained: [LeafGradient] = []
    var executedAny = false

    while let node = heap.pop() {
      let incoming = node.buffer
      node.buffer = nil
      if node.isTarget, let incoming, let idx = targets[ObjectIdentifier(node)] {
        for i in idx { captured[i] = incoming }
      }
      var outputs: [Tensor?] = []
      if let incoming {
        for weak in node.retainedTensors {
          if let t = weak.tensor, t.retainsGradStorage, t.gradFnStorage === node {
            pendingRetained.append(LeafGradient(tensor: t, gradient: incoming))
          }
        }
        if node.isAccumulateGrad {
          if inputs == nil, let leaf = node.variable {
            pendingLeafGrads.append(LeafGradient(tensor: leaf, gradient: incoming))
          }
        } else if inputs == nil || node.needed {
          let saved = try node.unpackSaved()
          guard let fn = node.backwardFn else { throw AutogradError.backwardTwice }
          let context = BackwardContext(
            saved: saved, edges: node.edges, pruned: inputs != nil, grad: createGraph)
          outputs = try fn(incoming, context)
          node.ranInPass = true
          executedAny = true
        }
      }
      // Each edge's node and metadata read in place: copying a whole edge retained and released both.
      let edges = node.edges
      for i in edges.indices {
        guard let child = edges[i]?.node else { continue }
        if i < outputs.count, var g = outputs[i] {
          if let shape = edges[i]?.meta?.shape, g.shape != shape {
            g = try Reductions.sumTo(g, shape, grad: createGraph)
          }
          if let dtype = edges[i]?.meta?.dtype, g.dtype != dtype {
            g = try Elementwise.cast(g, to: dtype, grad: createGraph)
          }
          child.buffer = try accumulate(child.buffer, g, grad: createGraph)
        }
        child.dependencies -= 1
        if child.dependencies == 0 { heap.push(child) }
      }
    }

    // 4. Commit: everything ran, so now mutate.
    let journal =
      pendingRetained.isEmpty && (retainGraph || !executedAny) ? nil : MutationJournal.current
    var updated: [Tensor] = []
    var seen = Set<ObjectIdentifier>()
    for pending in pendingLeafGrads {
      try accumulateGrad(into: pending.tensor, pending.gradient, createGraph: createGraph)
      // One leaf rarely has two AccumulateGrad nodes in a pass; a set only pays off for many leaves.
      if pendingLeafGrads.count <= 16 {
        if !updated.contains(where: { $0 === pending.tensor }) { updated.append(pending.tensor) }
      } else if seen.insert(ObjectIdentifier(pending.tensor)).inserted {
        updated.append(pending.tensor)
      }
    }
    for pending in pendingRetained {
      let (t, g) = (pending.tensor, pending.gradient)
      journal?.recordMeta(t)
      if let existing = t.gradStorage {
        t.gradStorage = try Elementwise.add(existing, g, grad: createGraph)
      } else {
        t.gradStorage = createGraph ? g : Views.detach(try Views.clone(g, grad: false))
      }
    }
    if !retainGraph && executedAny {
      for node in nodes where node.ranInPass {
        release(node, journal: journal)
        if let inner = node.wrapped { release(inner, journal: journal) }
      }
    }
    return Outcome(captured: captured, updatedLeaves: updated)
  }

  /// Frees a node's saved values after a pass without retain_graph.
  private static func release(_ node: Node, journal: MutationJournal?) {
    // CopySlices drops the op it wraps (PyTorch's `fn = nullptr`): it cannot run twice, whatever that op saved.
    guard !node.saved.isEmpty || node.savedNumbers > 0 || node.wrapped != nil else { return }
    journal?.recordSaved(node)
    for i in node.saved.indices { node.saved[i].tensor = nil }
    node.released = true
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
        // Same bits as adding into a fresh tensor and copying it back, without the fresh tensor.
        if !Kernels.addInPlace(existing, incoming) {
          let sum = try Elementwise.add(existing, incoming, grad: false)
          Kernels.copy(sum, into: existing)
        }
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

/// A gradient waiting for the commit step, for a leaf's `.grad` or a retained non-leaf's.
private struct LeafGradient {
  let tensor: Tensor
  let gradient: Tensor
}

/// Max-heap of nodes by creation order: the newest node runs first, as in PyTorch's ready queue.
struct NodeHeap {
  private var items: [Node] = []

  init(capacity: Int) { items.reserveCapacity(capacity) }

  mutating func push(_ node: Node) {
    items.append(node)
    var i = items.count - 1
    while i > 0 {
      let parent = (i - 1) / 2
      guard items[i].priority > items[parent].priority else { break }
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
      if l < items.count && items[l].priority > items[best].priority { best = l }
      if r < items.count && items[r].priority > items[best].priority { best = r }
      if best == i { break }
      items.swapAt(i, best)
      i = best
    }
    return top
  }
}
