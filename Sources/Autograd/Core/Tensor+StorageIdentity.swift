extension Tensor {
  /// The identity of the allocation this tensor reads (shared by its views), so the service can count a storage's
  /// bytes once however many named views read it. Valid while the tensor lives.
  package var storageIdentity: ObjectIdentifier { ObjectIdentifier(storage) }
}
