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
    // Python checks a slice's step when it builds the slice, before PyTorch looks at the tensor.
    for case .slice(_, _, let step?) in index.items where step <= 0 {
      throw .argument("step must be greater than zero")
    }
    guard consumed <= x.rank else {
      // A lone integer or slice on a 0-d tensor has its own texts; tuples count indices.
      if x.rank == 0 && !index.isTuple && index.items.count == 1 {
        if case .slice = index.items[0] {
          throw .shape("slice() cannot be applied to a 0-dim tensor.")
        }
        if case .index(let i) = index.items[0], i != 0 {
          throw .shape("index \(i) is out of bounds for dimension 0 with size 0")
        }
        throw .shape(
          "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
      }
      throw .shape("too many indices for tensor of dimension \(x.rank)")
    }
    var result = x
    var dim = 0
    var ellipsisSeen = false
    for (position, item) in index.items.enumerated() {
      switch item {
      case .index(let i):
        // PyTorch's text names the item's position in the index, not the dimension it lands on.
        result = try Views.select(result, dim: dim, index: i, reportedDim: position, grad: grad)
      case .slice(let start, let stop, let step):
        let size = result.shape[dim]
        let isFull = (start ?? 0) == 0 && (stop.map { $0 >= size } ?? true) && (step ?? 1) == 1
        if !(isFull && index.isTuple) {
          result = try Views.slice(
            result, dim: dim, start: start, end: stop, step: step ?? 1, grad: grad)
        }
        dim += 1
      case .ellipsis:
        // PyTorch 2.15 lets several ellipses through: the first covers the unindexed dims, later ones none.
        if !ellipsisSeen { dim += x.rank - consumed }
        ellipsisSeen = true
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
    // PyTorch's setitem skips full slices and `...`: an index that selects all of `y` writes `y` itself
    // (CopyBackwards, or FillBackward2 for a number) instead of going through a view (CopySlices).
    // PyTorch's copy_to fills with a 0-d tensor value (FillBackward3) unless the target is 0-d too.
    let fills = value.isWrappedNumber || (value.rank == 0 && view.rank != 0)
    if selectsAll(y, index) {
      if fills { return try InPlace.fill(y, value, grad: grad) }
      return try InPlace.copy(y, try setitemSource(value, to: y.shape, grad: grad), grad: grad)
    }
    // The value is fitted to the target (shape errors) before the in-place checks, as in PyTorch.
    let source = try setitemSource(value, to: view.shape, grad: grad)
    if grad, let base = view.viewBase, base.requiresGrad, base.gradFn == nil {
      throw AutogradError.viewOfLeafInplace
    }
    if fills {
      _ = try InPlace.fill(view, value, grad: grad)
    } else {
      _ = try InPlace.copy(view, source, grad: grad)
    }
    return y
  }

  /// Whether every item is `...` or a full slice (`:`, `0:`, `::1`, `:n` with n at least the size): PyTorch's
  /// setitem skips those, so such an index writes `y` itself.
  private static func selectsAll(_ y: Tensor, _ index: Index) -> Bool {
    let items = index.items
    guard items.allSatisfy({ if case .slice = $0 { true } else { $0 == .ellipsis } }) else {
      return false
    }
    let ellipsisAt = items.firstIndex(of: .ellipsis)
    let slices = items.filter { $0 != .ellipsis }
    guard slices.count <= y.rank else { return false }
    for (k, item) in items.enumerated() {
      guard case .slice(let start, let stop, let step) = item else { continue }
      // Items after the ellipsis count from the last dim.
      let dim = ellipsisAt.map { k > $0 ? y.rank - (items.count - k) : k } ?? k
      guard dim >= 0, dim < y.rank else { return false }
      let size = y.shape[dim]
      // PyTorch compares the start as written (`-5:` is not skipped), the stop after clamping.
      let fullStart = start == nil || start == 0
      let fullStop = stop == nil || (stop.map { $0 >= size } ?? false)
      guard fullStart, fullStop, step == nil || step == 1 else { return false }
    }
    return true
  }

  /// PyTorch's copy_to: leading size-1 dims of the value are dropped, then it is expanded to the target.
  private static func setitemSource(_ value: Tensor, to shape: [Int], grad: Bool)
    throws(AutogradError) -> Tensor
  {
    // copy_to copies a value of the target's very shape as it is.
    if value.shape == shape { return value }
    var source = value
    let ones = value.shape.prefix { $0 == 1 }.count
    if ones > 0 { source = try Views.view(source, Array(value.shape.dropFirst(ones)), grad: grad) }
    if source.shape != shape { source = try Views.expand(source, shape, grad: grad) }
    return source
  }
}
