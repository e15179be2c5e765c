import Autograd

/// An upper estimate of the elements an op will allocate, checked against the program's budget *before* the
/// engine allocates: `x.expand(100000, 100000).clone()` must be refused, not attempted.
enum ElementEstimate {
  static func of(_ name: String, _ args: [OpArgument], _ kwargs: [String: OpArgument]) -> Int {
    var tensors: [Tensor] = []
    var ints: [Int] = []
    func collect(_ a: OpArgument, depth: Int) {
      switch a {
      case .tensor(let t): tensors.append(t)
      case .int(let i): ints.append(i)
      case .list(let items) where depth < 2: for item in items { collect(item, depth: depth + 1) }
      default: break
      }
    }
    for a in args { collect(a, depth: 0) }
    for (_, a) in kwargs { collect(a, depth: 0) }
    let largest = tensors.map(\.numel).max() ?? 0
    var estimate = broadcastCount(tensors.map(\.shape)) ?? largest
    switch name {
    case "cat", "stack":
      estimate = tensors.reduce(0) { saturatingAdd($0, $1.numel) }
    case "expand", "view", "reshape", "broadcast_to":
      estimate = max(estimate, product(ints))
    case "repeat":
      estimate = saturatingMultiply(largest, product(ints))
    case "matmul", "mm", "bmm", "outer", "mv":
      if tensors.count == 2 {
        let a = tensors[0]
        let b = tensors[1]
        let rows = a.rank >= 1 ? a.numel / max(a.shape[a.rank - 1], 1) : 1
        let cols = b.rank >= 2 ? b.shape[b.rank - 1] : (name == "outer" ? b.numel : 1)
        estimate = max(estimate, saturatingMultiply(max(rows, 1), cols))
        if name == "outer" { estimate = saturatingMultiply(a.numel, b.numel) }
      }
    default:
      break
    }
    return estimate
  }

  /// Elements of the broadcast of `shapes`, nil if they do not broadcast (the engine will say so).
  static func broadcastCount(_ shapes: [[Int]]) -> Int? {
    let rank = shapes.map(\.count).max() ?? 0
    var out = [Int](repeating: 1, count: rank)
    for shape in shapes {
      let offset = rank - shape.count
      for (i, d) in shape.enumerated() {
        let j = offset + i
        if out[j] == 1 {
          out[j] = d
        } else if d != 1 && d != out[j] {
          return nil
        }
      }
    }
    return product(out)
  }

  static func product(_ values: [Int]) -> Int {
    values.reduce(1) { saturatingMultiply($0, max($1, 1)) }
  }

  static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? Int.max : r
  }

  static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? Int.max : r
  }
}
