/// Reverse-mode automatic differentiation with PyTorch 2.15's semantics (names, errors, numbers).
///
/// Public API (stable; extended by adding, never renaming):
///
/// - `DType` (`.float32`, `.float64`, `.int64`; `isFloatingPoint`).
/// - `Tensor` (final class; storage + shape + strides + offset; views share storage and the version counter):
///   `shape`, `dtype`, `numel`, `rank`, `requiresGrad`, `isLeaf`, `grad`, `gradFn: Node?`, `retainsGrad`,
///   `version`; values out: `contiguousDoubles()`, `withContiguousBuffer { (UnsafeBufferPointer<Float>) in }`
///   (or `<Double>`; returns nil for another dtype), `item()`; values in:
///   `Tensor(shape:doubles:dtype:requiresGrad:)`, `Tensor(shape:floats:)` / `Tensor(shape:doubles:)` from an
///   `UnsafeBufferPointer` (no Double round trip), `Tensor.zeros/ones/full/rand(seed:)/randn(seed:)/arange`,
///   `Tensor.scalar(_:dtype:)` (a wrapped Python number); `setData(_:)` (untracked replacement, no version
///   bump), `data` (alias with its own version counter, for `x.data *= 100`), `detach()`, `retainGrad()`,
///   `zeroGrad()` (`x.grad.zero_()`), `clearGrad()` (`x.grad = None`), `setGrad(_:)`, `setRequiresGrad(_:)`,
///   `backward(gradient:retainGraph:createGraph:)`.
/// - `Node` (a `grad_fn`): `name` (PyTorch's type name, e.g. `AddBackward0`, `CopySlices`, `AccumulateGrad`),
///   `id` (unique, creation order), `nextNodes` (`next_functions`, nil for inputs without grad),
///   `savedValues` (shape, freed), `leafTensor` (for AccumulateGrad nodes).
/// - `Ops.call(name, args:kwargs:gradEnabled:) -> OpArgument`: every op by name with Python-style
///   arguments (`OpArgument`: `.tensor .int .double .bool .string .list .none`). Numbers are wrapped into 0-d
///   tensors as PyTorch does. Reversed forms for Python operators: `rsub` (2 - x), `rdiv` (2 / x), `rpow`
///   (2 ** x). `getitem(x, index: "0, 1:3")`, `setitem(y, value, index: "0")` (returns y). `Ops.catalog`
///   lists them all (`OpInfo`: name, signature, inPlace, gradFn). `Ops.extremumWithIndices` gives max/min
///   along a dim with indices. Index strings: ints, slices, `...`, `None`; advanced indexing is refused
///   (`invalid_op`). Tensors are limited to 2^28 elements (`invalid_argument` beyond).
/// - `Tensor.description` is PyTorch's repr (`tensor([...], grad_fn=<AddBackward0>)`); `Node.description` is
///   `<AddBackward0 object at 0x...>`.
/// - `Gradients.backward(_:gradient:retainGraph:createGraph:) -> [Tensor]` (leaves whose .grad changed),
///   `Gradients.grad(outputs:inputs:gradOutputs:retainGraph:createGraph:allowUnused:) -> [Tensor?]`,
///   `Gradients.jacobian(output:inputs:) -> [Tensor]`.
/// - `GraphView.of(_:)`: the backward graph behind a tensor (nodes, edges, leaves), walked iteratively.
/// - `MutationJournal`: `journal.recording { ... }` records every mutation the engine makes meanwhile;
///   `rollback()` undoes them, `commit()` keeps them. `backward` is all-or-nothing by itself.
/// - `AutogradError` (`code` = API.md's codes, `message` = PyTorch's text).
///
/// Grad mode is a per-call parameter, never global. Engine objects are not thread-safe: each session
/// serialises its own calls; different sessions may run on different threads.
public enum AutogradLibrary {
  public static let version = "0.2.0"
}
