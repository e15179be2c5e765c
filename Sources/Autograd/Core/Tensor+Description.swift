extension Tensor: CustomStringConvertible {
  /// PyTorch's `repr(tensor)`, with its `grad_fn=<...>` / `requires_grad=True` suffix.
  public var description: String {
    var suffixes: [String] = []
    if let fn = gradFn {
      suffixes.append("grad_fn=<\(fn.name)>")
    } else if requiresGrad {
      suffixes.append("requires_grad=True")
    }
    return TensorFormatter.repr(
      values: contiguousDoubles(), shape: shape, dtype: dtype.rawValue, suffixes: suffixes)
  }
}

extension Node: CustomStringConvertible {
  /// `<AddBackward0 object at 0x7f1fb6023550>`, as Python prints a grad_fn (the address is the object's).
  public var description: String {
    let address = UInt(bitPattern: ObjectIdentifier(self).hashValue)
    return "<\(name) object at 0x\(String(address, radix: 16))>"
  }
}
