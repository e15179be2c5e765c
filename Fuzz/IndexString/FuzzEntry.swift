// libFuzzer entry point for the index-string parser (`x[0, 1:3]`, `...`, `None`) and the views it drives; built by
// scripts/fuzz.sh together with Sources/Autograd and the C kernels.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIndexString(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
  guard size > 0 else { return 0 }
  let input = UnsafeBufferPointer(start: data, count: size)
  // The first byte picks the tensor: rank 0...3, each dimension 0...3, and whether it requires grad.
  let mode = Int(input[0])
  let rank = mode & 3
  var shape: [Int] = []
  for d in 0..<rank { shape.append((mode >> (2 + d)) & 3) }
  let requiresGrad = mode & 0x80 != 0
  let text = String(decoding: UnsafeBufferPointer(rebasing: input[1...]), as: UTF8.self)
  guard let index = try? Indexing.parse(text) else { return 0 }
  guard let x = try? Tensor.zeros(shape, dtype: .float32, requiresGrad: requiresGrad) else {
    return 0
  }
  guard let view = try? Indexing.getitem(x, index, grad: true) else { return 0 }
  var count = 1
  for dim in view.shape {
    precondition(dim >= 0, "negative dimension in a view")
    count *= dim
  }
  precondition(count <= max(1, x.shape.reduce(1, *)), "a view has more elements than its base")
  // setitem on a non-leaf copy, as `y = x * 1; y[...] = 2` would.
  if let y = try? Indexing.getitem(
    x, Indexing.Index(items: [.ellipsis], isTuple: false), grad: false)
  {
    _ = try? Indexing.setitem(y, index, value: Tensor.scalar(2), grad: false)
  }
  return 0
}
