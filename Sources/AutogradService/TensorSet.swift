import Autograd

/// Membership by identity among the tensors a backward reached: a scan when they are few (most backward calls
/// reach a leaf or two), so no hash table is built per request; a set when they are many.
struct TensorSet {
  private let few: [Tensor]
  private let many: Set<ObjectIdentifier>?

  private static let scanLimit = 8

  init(_ tensors: [Tensor]) {
    few = tensors
    many = tensors.count > TensorSet.scanLimit ? Set(tensors.map(ObjectIdentifier.init)) : nil
  }

  func contains(_ tensor: Tensor) -> Bool {
    if let many { return many.contains(ObjectIdentifier(tensor)) }
    return few.contains { $0 === tensor }
  }
}
