import Autograd

/// Walks a backward graph from a tensor's `grad_fn` without recursion (graphs can be very deep).
struct GraphWalk {
  /// Nodes in discovery order (the output's node first).
  private(set) var nodes: [Node] = []
  /// (from, to) node ids: `from`'s `next_functions` include `to`.
  private(set) var edges: [(from: Int, to: Int)] = []

  init(from tensor: Tensor) {
    guard let root = tensor.gradFn else { return }
    var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var stack = [root]
    nodes.append(root)
    while let node = stack.popLast() {
      for next in node.nextNodes {
        guard let next else { continue }
        edges.append((from: node.id, to: next.id))
        if seen.insert(ObjectIdentifier(next)).inserted {
          nodes.append(next)
          stack.append(next)
        }
      }
    }
  }

  /// The leaf tensors whose AccumulateGrad the walk met; a leaf output reaches itself.
  static func reachedLeaves(from tensor: Tensor) -> Set<ObjectIdentifier> {
    guard tensor.gradFn != nil else {
      return tensor.requiresGrad ? [ObjectIdentifier(tensor)] : []
    }
    var leaves: Set<ObjectIdentifier> = []
    for node in GraphWalk(from: tensor).nodes {
      if let leaf = node.leafTensor { leaves.insert(ObjectIdentifier(leaf)) }
    }
    return leaves
  }
}
