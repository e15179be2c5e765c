import Autograd

/// What one op will allocate and record, estimated from its arguments' shapes *before* the engine runs it, so a
/// quota refuses `x.expand(100000, 100000).clone()` or a huge `matmul` instead of attempting it. Estimates are upper
/// bounds for the ops that allocate; the engine's own shape rules still decide whether the op is valid.
struct OpPreflight {
  /// Elements of the result.
  var elements: Int
  /// New storage the result needs (0 for views and in-place ops, which reuse their input's).
  var bytes: Int
  /// Whether the op records a graph node (grad mode on and some tensor argument requires grad).
  var recordsGraph: Bool

  /// Ops whose result always reads its input's storage (`getitem` takes basic indexing only: always a view).
  static let views: Set<String> = [
    "t", "transpose", "permute", "view", "expand", "squeeze", "unsqueeze", "detach", "getitem",
  ]

  init(_ request: borrowing OpRequest) {
    // Runs before every op: the common cases (one or two tensors, no lists) allocate nothing.
    var tensors = TensorArguments()
    func collect(_ argument: OpArgument, depth: Int) {
      switch argument {
      case .tensor(let tensor): tensors.append(tensor)
      case .list(let items) where depth < 2:
        for item in items { collect(item, depth: depth + 1) }
      default: break
      }
    }
    for argument in request.args { collect(argument, depth: 0) }
    for (_, argument) in request.kwargs { collect(argument, depth: 0) }

    let op = request.op
    var largest = tensors.count == 0 ? 1 : 0
    var itemSize = 0
    var requiresGrad = false
    tensors.forEach { tensor in
      largest = max(largest, tensor.numel)
      itemSize = max(itemSize, tensor.dtype.itemSize)
      requiresGrad = requiresGrad || tensor.requiresGrad
    }
    var elements: Int
    switch (tensors.first, tensors.second) {
    case (nil, _): elements = 1
    case (let a?, nil): elements = OpPreflight.product(a.shape)
    case (let a?, let b?) where tensors.count == 2:
      elements = OpPreflight.broadcastCount(a.shape, b.shape) ?? largest
    default: elements = OpPreflight.broadcastCount(tensors.all.map(\.shape)) ?? largest
    }
    switch op {
    case "cat", "stack":
      elements = 0
      tensors.forEach { elements = OpPreflight.add(elements, $0.numel) }
    case "expand", "view", "reshape":
      elements = max(elements, OpPreflight.product(OpPreflight.integers(in: request)))
    case "repeat":
      elements = OpPreflight.multiply(
        largest, OpPreflight.product(OpPreflight.integers(in: request)))
    case "outer":
      elements = OpPreflight.multiply(tensors.first?.numel ?? 1, tensors.last?.numel ?? 1)
    case "matmul", "mm", "mv", "dot":
      // Not a broadcast of the whole shapes: only batch dimensions broadcast, the last two contract.
      if tensors.count == 2, let a = tensors.first, let b = tensors.second {
        elements = OpPreflight.productElements(a, b)
      }
    default:
      break
    }
    self.elements = elements

    let inPlace = op.hasSuffix("_") || op == "setitem"
    if inPlace || OpPreflight.views.contains(op) {
      bytes = 0
    } else {
      if tensors.count == 0 { itemSize = DType.float32.itemSize }
      if op == "argmax" || op == "argmin" { itemSize = DType.int64.itemSize }
      bytes = OpPreflight.multiply(elements, itemSize)
    }
    recordsGraph = !request.noGrad && requiresGrad
  }

  /// The tensor arguments in order; the first two held inline, so an op on one or two tensors allocates no array.
  private struct TensorArguments {
    var first: Tensor?
    var second: Tensor?
    var more: [Tensor] = []
    var count = 0

    mutating func append(_ tensor: Tensor) {
      count += 1
      if first == nil {
        first = tensor
      } else if second == nil {
        second = tensor
      } else {
        more.append(tensor)
      }
    }

    func forEach(_ body: (Tensor) -> Void) {
      if let first { body(first) }
      if let second { body(second) }
      for tensor in more { body(tensor) }
    }

    var last: Tensor? { more.last ?? second ?? first }

    var all: [Tensor] {
      var tensors: [Tensor] = []
      forEach { tensors.append($0) }
      return tensors
    }
  }

  /// The integer arguments (sizes), also inside lists.
  static func integers(in request: OpRequest) -> [Int] {
    var ints: [Int] = []
    func collect(_ argument: OpArgument, depth: Int) {
      switch argument {
      case .int(let value): ints.append(value)
      case .list(let items) where depth < 2:
        for item in items { collect(item, depth: depth + 1) }
      default: break
      }
    }
    for argument in request.args { collect(argument, depth: 0) }
    for (_, argument) in request.kwargs { collect(argument, depth: 0) }
    return ints
  }

  /// `broadcastCount([a, b])` without building arrays.
  static func broadcastCount(_ a: [Int], _ b: [Int]) -> Int? {
    var count = 1
    var i = a.count - 1
    var j = b.count - 1
    while i >= 0 || j >= 0 {
      let x = i >= 0 ? a[i] : 1
      let y = j >= 0 ? b[j] : 1
      if x != 1 && y != 1 && x != y { return nil }
      count = multiply(count, max(x == 1 ? y : x, 1))
      i -= 1
      j -= 1
    }
    return count
  }

  /// `a @ b`'s elements: the broadcast batch dimensions times rows of `a` times columns of `b`.
  static func productElements(_ a: Tensor, _ b: Tensor) -> Int {
    let rows = a.rank >= 2 ? a.shape[a.rank - 2] : 1
    let columns = b.rank >= 2 ? b.shape[b.rank - 1] : 1
    let batchA = a.rank > 2 ? Array(a.shape.dropLast(2)) : []
    let batchB = b.rank > 2 ? Array(b.shape.dropLast(2)) : []
    let batch = broadcastCount([batchA, batchB]) ?? max(product(batchA), product(batchB))
    if a.rank == 1 && b.rank == 1 { return 1 }
    return multiply(multiply(batch, rows), columns)
  }

  /// Elements of the broadcast of `shapes`; nil when they do not broadcast (the engine will say so).
  static func broadcastCount(_ shapes: [[Int]]) -> Int? {
    let rank = shapes.map(\.count).max() ?? 0
    var out = [Int](repeating: 1, count: rank)
    for shape in shapes {
      let offset = rank - shape.count
      for (i, extent) in shape.enumerated() {
        let j = offset + i
        if out[j] == 1 {
          out[j] = extent
        } else if extent != 1 && extent != out[j] {
          return nil
        }
      }
    }
    return product(out)
  }

  static func product(_ values: [Int]) -> Int {
    values.reduce(1) { multiply($0, max($1, 1)) }
  }

  /// Saturating: an estimate that overflows is simply too large.
  static func multiply(_ a: Int, _ b: Int) -> Int {
    let (result, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? Int.max : result
  }

  static func add(_ a: Int, _ b: Int) -> Int {
    let (result, overflow) = a.addingReportingOverflow(b)
    return overflow ? Int.max : result
  }
}
