/// An n-dimensional array over a shared storage, with PyTorch's autograd metadata.
///
/// Not thread-safe: a tensor and the graph behind it belong to one session, which serialises its calls.
public final class Tensor {
  let storage: Storage
  public let shape: [Int]
  let strides: [Int]
  let offset: Int
  public let dtype: DType
  let versionCounter: VersionCounter

  // Autograd metadata. `gradFnStorage` is read through `gradFn`, which regenerates a stale view's node.
  var requiresGradStorage = false
  // Unchecked for the same reason as `Node`'s scheduler fields: one session's thread, no access held across a call.
  @exclusivity(unchecked) var gradFnStorage: Node?
  var outputNr = 0
  @exclusivity(unchecked) var gradStorage: Tensor?
  var retainsGradStorage = false
  /// Leaves hold their AccumulateGrad weakly; the graph holds it strongly (as PyTorch does), so no cycle.
  /// An unretained pointer rather than a `weak` reference: a weak reference gave every AccumulateGrad node a side
  /// table (an allocation, and the slow path for each of its retains and releases). The node holds this leaf
  /// strongly as long as it lives and clears the pointer when it lets go of it (`Node.detachVariable`, called
  /// from its deinit and from Teardown), so a non-nil pointer always names a live node.
  var accumulatorPointer: UnsafeMutableRawPointer?
  var accumulator: Node? {
    accumulatorPointer.map { Unmanaged<Node>.fromOpaque($0).takeUnretainedValue() }
  }

  /// For views made with autograd: the root base whose storage this view reads.
  let viewBase: Tensor?
  /// The version at which this view's grad_fn was last set; a mismatch means the base changed in place.
  var viewGradFnVersion = 0
  /// A Python number wrapped into a 0-d tensor: it takes part in type promotion with a lower priority.
  var isWrappedNumber = false
  /// A view of a requiring tensor made under no_grad: PyTorch forbids modifying it in place with grad on.
  var viewMadeInNoGrad = false
  /// A view, made with grad mode on, of a view made under no_grad: PyTorch's creation meta passes on to it.
  var viewOfNoGradView = false

  init(
    storage: Storage, shape: [Int], strides: [Int], offset: Int, versionCounter: VersionCounter,
    viewBase: Tensor? = nil
  ) {
    self.storage = storage
    self.shape = shape
    self.strides = strides
    self.offset = offset
    self.dtype = storage.dtype
    self.versionCounter = versionCounter
    self.viewBase = viewBase
    self.viewGradFnVersion = versionCounter.value
  }

  /// A fresh contiguous tensor of zeros (no autograd).
  convenience init(zerosOf shape: [Int], dtype: DType) {
    let storage = Storage.make(dtype: dtype, count: shape.reduce(1, *))
    self.init(
      storage: storage, shape: shape, strides: contiguousStrides(shape), offset: 0,
      versionCounter: storage)
  }

  deinit {
    // A grad_fn this tensor holds the last reference to releases its own graph iteratively (Node's deinit); a
    // chain of `.grad`s is walked here, so it does not nest deinits either.
    guard isKnownUniquelyReferenced(&gradStorage), let grad = gradStorage else { return }
    gradStorage = nil
    var list: Node? = nil
    Teardown.take(grad, onto: &list)
    Teardown.drain(&list)
  }

  // MARK: Public read-only properties

  public var numel: Int { shape.reduce(1, *) }
  public var rank: Int { shape.count }
  public var version: Int { versionCounter.value }
  public var requiresGrad: Bool {
    // Only views regenerate; checked here so other tensors skip the call (this runs several times per op).
    if viewBase != nil { refreshViewGradFn() }
    return requiresGradStorage
  }
  public var isLeaf: Bool { gradFn == nil }
  public var retainsGrad: Bool { retainsGradStorage }

  /// The accumulated gradient (`x.grad`); `nil` until a backward reaches this leaf (or a retained non-leaf).
  public var grad: Tensor? { gradStorage }

  /// The node that produced this tensor (`grad_fn`), `nil` for leaves and untracked results.
  public var gradFn: Node? {
    if viewBase != nil { refreshViewGradFn() }
    return gradFnStorage
  }

  /// PyTorch's `is_contiguous`: the stride of a size-1 dim does not matter (`x[None]` may carry any), and a
  /// tensor without elements is contiguous. Checked in place rather than against `contiguousStrides(shape)`:
  /// this runs several times per op.
  var isContiguous: Bool {
    var running = 1
    var i = shape.count - 1
    while i >= 0 {
      if shape[i] != 1 {
        if strides[i] != running { return numel == 0 }
        running *= shape[i]
      }
      i -= 1
    }
    return true
  }

  /// Every element reads one storage location: a single element, or a broadcast (`expand`) of one.
  var readsOneElement: Bool {
    for d in shape.indices where shape[d] != 1 && strides[d] != 0 { return false }
    return true
  }

  /// Strides exactly row-major for the shape (`isContiguous` also accepts any strides on one element).
  var hasContiguousStrides: Bool {
    var running = 1
    var i = shape.count - 1
    while i >= 0 {
      if strides[i] != running { return false }
      running *= max(shape[i], 1)
      i -= 1
    }
    return true
  }

  /// The edge a consumer of this tensor records: its grad_fn, or its AccumulateGrad if it is a leaf.
  func gradientEdge() -> Edge? {
    guard requiresGradStorage else { return nil }
    if let node = gradFn { return Edge(node: node, inputNr: outputNr) }
    // A view made under no_grad requires grad through its base only; PyTorch gives it no grad accumulator.
    if viewMadeInNoGrad { return nil }
    if let acc = accumulator { return Edge(node: acc, inputNr: 0) }
    return Edge(node: Node.accumulateGrad(for: self), inputNr: 0)
  }
}

func contiguousStrides(_ shape: [Int]) -> [Int] {
  // Shared constants for the ranks that need no arithmetic: no allocation.
  switch shape.count {
  case 0: return []
  case 1: return unitStrides
  default: break
  }
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for d in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[d] = running
    running *= max(shape[d], 1)
  }
  return strides
}

private let unitStrides = [1]
