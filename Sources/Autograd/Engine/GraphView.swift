/// The backward graph behind a tensor, as torchviz draws it (for `GET .../graph`), walked iteratively.
public struct GraphView {
  public struct NodeInfo {
    /// `Node.id`: stable for the node's lifetime.
    public let id: Int
    /// `AddBackward0`, ..., `AccumulateGrad` for leaves.
    public let name: String
    public let saved: [(shape: [Int], freed: Bool)]
    /// The leaf tensor, for AccumulateGrad nodes.
    public let leaf: Tensor?
    public let node: Node
  }

  /// In discovery order from the root (the tensor's grad_fn first).
  public var nodes: [NodeInfo] = []
  /// `from` consumes the gradient of `to` (`to` is in `from.next_functions`), in input order.
  public var edges: [(from: Int, to: Int)] = []

  public static func of(_ tensor: Tensor) -> GraphView {
    var view = GraphView()
    guard let root = tensor.gradFn else { return view }
    var seen: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
    var queue: [Node] = [root]
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      view.nodes.append(
        NodeInfo(
          id: node.id, name: node.name, saved: node.savedValues, leaf: node.variable, node: node))
      for next in node.nextNodes {
        guard let next else { continue }
        view.edges.append((node.id, next.id))
        if seen.insert(ObjectIdentifier(next)).inserted { queue.append(next) }
      }
    }
    return view
  }
}
