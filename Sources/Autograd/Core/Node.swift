import Synchronization

/// Creation order of nodes; the ready queue runs the newest node first, as PyTorch does.
private let nodeSequence = Atomic<Int>(0)

/// A backward function: the gradient of the op's output in, one gradient per recorded input out.
typealias BackwardFn = (_ grad: Tensor, _ ctx: BackwardContext) throws(AutogradError) -> [Tensor?]

/// What a backward formula may read: its saved tensors (already version-checked), which input gradients are
/// wanted, and whether the formula itself must be recorded (create_graph).
struct BackwardContext {
  let saved: [Tensor]
  let grad: Bool
  /// Given explicitly (CopySlices runs its inner node with its own), or nil: read from `edges` below.
  private let explicitNeeds: [Bool]?
  /// The running node's edges; an input is wanted when it has an edge (and, for `grad`, leads to a target).
  private let edges: [Edge?]
  private let pruned: Bool

  init(saved: [Tensor], needs: [Bool], grad: Bool) {
    self.saved = saved
    self.grad = grad
    explicitNeeds = needs
    edges = []
    pruned = false
  }

  /// The scheduler's context: no per-node array of flags, `needs(i)` reads the edge itself.
  init(saved: [Tensor], edges: [Edge?], pruned: Bool, grad: Bool) {
    self.saved = saved
    self.grad = grad
    explicitNeeds = nil
    self.edges = edges
    self.pruned = pruned
  }

  var needs: [Bool] { explicitNeeds ?? edges.indices.map { needs($0) } }

  func needs(_ i: Int) -> Bool {
    if let explicitNeeds { return i < explicitNeeds.count && explicitNeeds[i] }
    guard i < edges.count, let child = edges[i]?.node else { return false }
    return !pruned || child.needed || child.isTarget
  }
}

/// An edge to the node that receives a gradient, and which of its inputs (always 0 here: every node has one).
struct Edge {
  var node: Node
  let inputNr: Int
  /// Shape and dtype of the input this edge takes the gradient of (nil: none recorded), carried on the edge
  /// rather than in an array of its own per node.
  var meta: InputMeta? = nil

  /// Whether this edge holds the last reference to its node (so dropping it would free the node).
  mutating func ownsNodeUniquely() -> Bool { isKnownUniquelyReferenced(&node) }
}

/// Shape and dtype of a recorded input, so the scheduler can reduce (`sum_to`) and cast gradients generically.
struct InputMeta {
  let shape: [Int]
  let dtype: DType
}

/// A tensor saved for backward, with the version it had when saved.
struct SavedTensor {
  var tensor: Tensor?
  let savedVersion: Int
  /// The op's own output: stored without its grad_fn to avoid a cycle, re-attached when unpacked.
  let isOutput: Bool
  let shape: [Int]
}

extension SavedTensor {
  /// An input saved as it is now.
  init(input t: Tensor) {
    self.init(tensor: t, savedVersion: t.versionCounter.value, isOutput: false, shape: t.shape)
  }
}

/// A node of the backward graph (`grad_fn`). Identity is the object; `id` is stable for its lifetime.
///
/// The fields the scheduler and teardown touch per node skip run-time exclusivity checks: a graph belongs to one
/// session, which serialises its calls, and no access to them is held across a call (no `inout` of a field is
/// passed on), so no two accesses can overlap; the checks cost about 5% of a small backward step.
public final class Node {
  /// PyTorch's Python type name: `AddBackward0`, `CopySlices`, `AccumulateGrad`, ...
  public let name: String
  /// Unique, increasing in creation order.
  public let id: Int
  @exclusivity(unchecked) var edges: [Edge?]
  /// Each input's recorded shape and dtype, nil where the input has no edge.
  var inputMeta: [InputMeta?] { edges.map { $0?.meta } }
  @exclusivity(unchecked) var saved: [SavedTensor]
  @exclusivity(unchecked) var released = false
  @exclusivity(unchecked) var backwardFn: BackwardFn?
  /// The leaf an AccumulateGrad node feeds.
  @exclusivity(unchecked) private(set) var variable: Tensor?
  /// CopySlices runs the in-place op's own node on the written region; its saved values are that node's.
  @exclusivity(unchecked) var wrapped: Node?
  /// The next node on `Teardown`'s work list.
  @exclusivity(unchecked) var teardownNext: Node?
  /// Non-leaf tensors whose grad_fn is this node and that asked for retain_grad().
  @exclusivity(unchecked) var retainedTensors: [WeakTensor] = []

  // The backward scheduler's state for the pass numbered `pass`; stale (and reset on first visit) otherwise.
  @exclusivity(unchecked) var pass = 0
  /// Consumers in this pass that have not yet delivered their gradient.
  @exclusivity(unchecked) var dependencies = 0
  /// The next edge the discovery walk descends into.
  @exclusivity(unchecked) var visitCursor = 0
  /// The gradient summed so far for this node's output.
  @exclusivity(unchecked) var buffer: Tensor?
  /// For `grad`: this node leads to a requested input, or is one's grad_fn / AccumulateGrad.
  @exclusivity(unchecked) var needed = false
  @exclusivity(unchecked) var isTarget = false
  /// Its backward formula ran in this pass (so its saved values are freed unless retain_graph).
  @exclusivity(unchecked) var ranInPass = false

  func beginPass(_ number: Int) {
    pass = number
    dependencies = 0
    visitCursor = 0
    buffer = nil
    needed = false
    isTarget = false
    ranInPass = false
  }

  /// Ready-queue order: AccumulateGrad nodes run as soon as they are ready (PyTorch gives them the maximum
  /// sequence number), others newest first.
  var priority: Int { variable != nil ? Int.max : id }

  /// `edges` carry their input's metadata already.
  init(name: String, edges: [Edge?], saved: [SavedTensor], backward: BackwardFn?) {
    self.name = name
    self.id = nodeSequence.wrappingAdd(1, ordering: .relaxed).oldValue
    self.edges = edges
    self.saved = saved
    self.backwardFn = backward
  }

  convenience init(
    name: String, edges: [Edge?], inputMeta: [InputMeta?], saved: [SavedTensor],
    backward: BackwardFn?
  ) {
    var withMeta = edges
    for i in withMeta.indices where i < inputMeta.count { withMeta[i]?.meta = inputMeta[i] }
    self.init(name: name, edges: withMeta, saved: saved, backward: backward)
  }

  static func accumulateGrad(for leaf: Tensor) -> Node {
    let node = Node(name: "AccumulateGrad", edges: [], saved: [], backward: nil)
    node.variable = leaf
    leaf.accumulatorPointer = Unmanaged.passUnretained(node).toOpaque()
    return node
  }

  /// Takes the leaf out of an AccumulateGrad node, clearing the leaf's pointer back to it first: the leaf
  /// refers to its accumulator without a reference count (see `Tensor.accumulator`), valid only while this
  /// node holds the leaf.
  func detachVariable() -> Tensor? {
    guard let leaf = variable else { return nil }
    if leaf.accumulatorPointer == Unmanaged.passUnretained(self).toOpaque() {
      leaf.accumulatorPointer = nil
    }
    variable = nil
    return leaf
  }

  deinit {
    // Releasing what no one else holds would run the children's deinits nested inside this one: for a long
    // chain that recursion overflows the stack, so Teardown empties this node and its children iteratively.
    guard edges.isEmpty && saved.isEmpty && wrapped == nil && variable == nil else {
      Teardown.empty(self)
      return
    }
  }

  var isAccumulateGrad: Bool { variable != nil }

  /// The C++ forward-op name PyTorch 2.15 prints in the version-counter error (`Add` for `AddBackward0`).
  var forwardOpName: String {
    switch name {
    case "CopySlices", "CopyBackwards", "AccumulateGrad": return "torch::autograd::" + name
    default:
      guard let range = name.range(of: "Backward") else { return name }
      return String(name[..<range.lowerBound])
    }
  }

  /// Next nodes, in input order (`next_functions`), `nil` for inputs that need no gradient.
  public var nextNodes: [Node?] { edges.map { $0?.node } }

  /// Shapes of the saved values and whether backward has freed them.
  public var savedValues: [(shape: [Int], freed: Bool)] {
    let node = wrapped ?? self
    return node.saved.map { ($0.shape, $0.tensor == nil) }
      + [(shape: [Int], freed: Bool)](repeating: ([], node.released), count: node.savedNumbers)
  }

  /// Wrapped Python numbers the formula keeps by value (PyTorch saves them as 0-d tensors; they show in the
  /// graph as saved values of shape []).
  @exclusivity(unchecked) var savedNumbers = 0

  /// The leaf an AccumulateGrad node accumulates into.
  public var leafTensor: Tensor? { variable }

  /// Unpacks saved values for a run, failing as PyTorch does when they were freed or modified in place.
  func unpackSaved() throws(AutogradError) -> [Tensor] {
    // PyTorch frees every saved value at release, so a rerun fails as freed before any version check.
    if released && (savedNumbers > 0 || !saved.isEmpty) { throw AutogradError.backwardTwice }
    if saved.isEmpty { return [] }
    var result: [Tensor] = []
    result.reserveCapacity(saved.count)
    for s in saved {
      guard let t = s.tensor else { throw AutogradError.backwardTwice }
      if t.versionCounter.value != s.savedVersion {
        throw modifiedInplaceError(s, t)
      }
      if s.isOutput {
        let alias = Tensor(
          storage: t.storage, shape: t.shape, strides: t.strides, offset: t.offset,
          versionCounter: t.versionCounter)
        alias.requiresGradStorage = true
        alias.gradFnStorage = self
        result.append(alias)
      } else {
        result.append(t)
      }
    }
    return result
  }

  private func modifiedInplaceError(_ s: SavedTensor, _ t: Tensor) -> AutogradError {
    var text =
      "one of the variables needed for gradient computation has been modified by an inplace operation: [\(t.dtype == .bool ? "CPUBoolType" : t.dtype.legacyTypeName) \(shapeText(t.shape))]"
    if s.isOutput {
      text += ", which is output 0 of \(forwardOpName),"
    } else if let fn = t.gradFn {
      text += ", which is output \(t.outputNr) of \(fn.forwardOpName),"
    }
    text +=
      " is at version \(t.versionCounter.value); expected version \(s.savedVersion) instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    return AutogradError(.modifiedInplace, text)
  }
}

struct WeakTensor {
  weak var tensor: Tensor?
}

/// Releases graphs iteratively and without allocating: what the releasing side owns uniquely is emptied before it
/// is released, its uniquely owned child nodes pushed onto a work list threaded through the nodes themselves
/// (`teardownNext`), so no deinit recurses more than one level and a small graph needs no array.
///
/// Only uniquely owned nodes are pushed: the list's link is then the node's one reference, so no node can be on
/// the list twice (a shared node is pushed by whichever holder drops it last).
enum Teardown {
  /// Empties `first` (being deinitialised, or about to be released by its only holder) and everything below it
  /// that nothing else holds.
  static func empty(_ first: Node) {
    var list: Node? = nil
    take(first, onto: &list)
    drain(&list)
  }

  /// Empties every node on `list` and what they own uniquely, until the list is empty.
  static func drain(_ list: inout Node?) {
    while let node = list {
      list = node.teardownNext
      node.teardownNext = nil
      // `node` is now the only reference: emptied here, it is freed at the end of this iteration with nothing
      // left for its deinit to release.
      take(node, onto: &list)
    }
  }

  /// Moves what `node` owns uniquely onto `list` (tensors are emptied on the spot) and empties `node`. Each
  /// reference is dropped as soon as it is looked at, so a later one to the same object (`y * y` has two edges
  /// to one node; `y * x` saves `y`, whose grad_fn is also its edge) finds it unique; dropping a reference that
  /// is not unique never frees anything.
  private static func take(_ node: Node, onto list: inout Node?) {
    if !node.edges.isEmpty {
      var edges = node.edges
      node.edges = []
      for i in edges.indices {
        if edges[i]?.ownsNodeUniquely() == true, let child = edges[i]?.node {
          push(child, onto: &list)
        }
        edges[i] = nil
      }
    }
    if !node.saved.isEmpty {
      var saved = node.saved
      node.saved = []
      for i in saved.indices {
        if isKnownUniquelyReferenced(&saved[i].tensor), let t = saved[i].tensor {
          take(t, onto: &list)
        }
        saved[i].tensor = nil
      }
    }
    if isKnownUniquelyReferenced(&node.wrapped), let w = node.wrapped { push(w, onto: &list) }
    node.wrapped = nil
    if var v = node.detachVariable(), isKnownUniquelyReferenced(&v) { take(v, onto: &list) }
    node.backwardFn = nil
  }

  /// Empties a uniquely owned tensor and the chain of gradients (`.grad` of `.grad` ...) it owns uniquely.
  static func take(_ tensor: Tensor, onto list: inout Node?) {
    var current: Tensor? = tensor
    while let t = current {
      if isKnownUniquelyReferenced(&t.gradFnStorage), let fn = t.gradFnStorage {
        push(fn, onto: &list)
      }
      t.gradFnStorage = nil
      current = isKnownUniquelyReferenced(&t.gradStorage) ? t.gradStorage : nil
      t.gradStorage = nil
    }
  }

  private static func push(_ node: Node, onto list: inout Node?) {
    node.teardownNext = list
    list = node
  }
}
