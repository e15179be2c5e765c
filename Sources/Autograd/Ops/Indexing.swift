import Foundation

/// Basic indexing (`x[0, 1:3]`, `...`, `None`) as select/slice/unsqueeze views, and setitem through them.
enum Indexing {
  enum Item: Equatable {
    case index(Int)
    case slice(start: Int?, stop: Int?, step: Int?)
    case ellipsis
    case newAxis
  }

  /// Parsed index: its items and whether it was written as a tuple (`a, b`), which enables PyTorch's
  /// skipping of full slices.
  struct Index {
    var items: [Item]
    var isTuple: Bool
  }

  static func parse(_ text: String) throws(AutogradError) -> Index {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    var items: [Item] = []
    let isTuple = parts.count > 1
    for (i, part) in parts.enumerated() {
      if part.isEmpty {
        // A trailing comma (`0,`) makes a tuple; any other empty part is malformed.
        if i == parts.count - 1 && i > 0 { continue }
        throw .argument("cannot parse index \"\(text)\"")
      }
      if part == "..." || part == "Ellipsis" {
        items.append(.ellipsis)
      } else if part == "None" {
        items.append(.newAxis)
      } else if part.contains(":") {
        let bounds = part.split(separator: ":", omittingEmptySubsequences: false).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        guard bounds.count <= 3 else { throw .argument("cannot parse index \"\(text)\"") }
        var values: [Int?] = []
        for b in bounds {
          if b.isEmpty || b == "None" {
            values.append(nil)
          } else if let v = Int(b) {
            values.append(v)
          } else {
            throw .argument("cannot parse index \"\(text)\"")
          }
        }
        while values.count < 3 { values.append(nil) }
        items.append(.slice(start: values[0], stop: values[1], step: values[2]))
      } else if let v = Int(part) {
        items.append(.index(v))
      } else {
        throw .invalidOp(
          "unsupported index \"\(part)\": only integers, slices, ..., and None are supported (no advanced indexing)"
        )
      }
    }
    return Index(items: items, isTuple: isTuple)
  }

  static func getitem(_ x: Tensor, _ index: Index, grad: Bool) throws(AutogradError) -> Tensor {
    let consumed = index.items.reduce(0) { count, item in
      switch item {
      case .index, .slice: count + 1
      default: count
      }
    }
    let ellipses = index.items.filter { $0 == .ellipsis }.count
    guard ellipses <= 1 else { throw .shape("an index can only have a single ellipsis ('...')") }
    guard consumed <= x.rank else {
      throw .shape("too many indices for tensor of dimension \(x.rank)")
    }
    var result = x
    var dim = 0
    for item in index.items {
      switch item {
      case .index(let i):
        result = try Views.select(result, dim: dim, index: i, grad: grad)
      case .slice(let start, let stop, let step):
        let size = result.shape[dim]
        let isFull = (start ?? 0) == 0 && (stop.map { $0 >= size } ?? true) && (step ?? 1) == 1
        if !(isFull && index.isTuple) {
          result = try Views.slice(
            result, dim: dim, start: start, end: stop, step: step ?? 1, grad: grad)
        }
        dim += 1
      case .ellipsis:
        dim += x.rank - consumed
      case .newAxis:
        result = try Views.unsqueeze(result, dim, grad: grad)
        dim += 1
      }
    }
    if result === x { result = try Views.alias(x, grad: grad) }
    return result
  }

  /// `y[index] = value`: copies `value` (a tensor or wrapped number) into the view; the base records CopySlices.
  static func setitem(_ y: Tensor, _ index: Index, value: Tensor, grad: Bool) throws(AutogradError)
    -> Tensor
  {
    let view = try getitem(y, index, grad: grad)
    if grad, let base = view.viewBase, base.requiresGrad, base.gradFn == nil {
      throw AutogradError.viewOfLeafInplace
    }
    // PyTorch's copy_to: leading size-1 dims of the value are dropped, then it is expanded to the view.
    var source = value
    let ones = value.shape.prefix { $0 == 1 }.count
    if ones > 0 { source = try Views.view(source, Array(value.shape.dropFirst(ones)), grad: grad) }
    if source.shape != view.shape { source = try Views.expand(source, view.shape, grad: grad) }
    _ = try InPlace.copy(view, source, grad: grad)
    return y
  }
}
