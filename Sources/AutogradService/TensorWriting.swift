import Autograd
import Glibc
import HTTPServer
import HTTPTypes
import TensorJSON

extension JSONWriter {
  /// The tensor object of `API.md`: id, name, shape, dtype, flags, grad_fn, version, and (unless `data` is false)
  /// its values and its `.grad`.
  mutating func tensorObject(_ tensor: Tensor, name: String?, id: Int, data: Bool) {
    beginObject()
    key("id")
    int(id)
    key("name")
    if let name { string(name) } else { null() }
    key("shape")
    intArray(tensor.shape)
    key("dtype")
    string(tensor.dtype.rawValue)
    key("requires_grad")
    bool(tensor.requiresGrad)
    key("is_leaf")
    bool(tensor.isLeaf)
    key("grad_fn")
    if let node = tensor.gradFn { string(node.name) } else { null() }
    key("version")
    int(tensor.version)
    if data {
      key("data")
      tensorValues(tensor)
      key("grad")
      optionalTensorValues(tensor.grad)
    }
    endObject()
  }

  /// Nested arrays like `tensor.tolist()`, numbers in their dtype's shortest round-trip form.
  mutating func tensorValues(_ tensor: Tensor) {
    let shape = tensor.shape
    switch tensor.dtype {
    case .float32:
      let written: Void? = tensor.withContiguousBuffer { (values: UnsafeBufferPointer<Float>) in
        writeTensor(values, shape: shape, threads: Self.writerThreads)
      }
      if written == nil { null() }
    case .float64:
      let written: Void? = tensor.withContiguousBuffer { (values: UnsafeBufferPointer<Double>) in
        writeTensor(values, shape: shape, threads: Self.writerThreads)
      }
      if written == nil { null() }
    case .int64:
      // int64 tensors are class indices and targets: small, so going through Double costs nothing.
      let values = tensor.contiguousDoubles().map { Int64(exactly: $0) ?? 0 }
      values.withUnsafeBufferPointer { writeTensor($0, shape: shape) }
    case .bool:
      // Masks from comparisons: JSON true/false, as `tolist()` gives Python bools.
      let values = tensor.contiguousDoubles()
      var next = 0
      boolArray(values, shape: shape[...], next: &next)
    }
  }

  private mutating func boolArray(_ values: [Double], shape: ArraySlice<Int>, next: inout Int) {
    guard let count = shape.first else {
      bool(next < values.count && values[next] != 0)
      next += 1
      return
    }
    beginArray()
    for _ in 0..<count { boolArray(values, shape: shape.dropFirst(), next: &next) }
    endArray()
  }

  /// A large tensor's text is written on up to two threads: a 1,000,000-element gradient takes tens of
  /// milliseconds on one, while the response waits.
  static let writerThreads = min(2, max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

  mutating func optionalTensorValues(_ tensor: Tensor?) {
    if let tensor { tensorValues(tensor) } else { null() }
  }

  mutating func intArray(_ values: [Int]) {
    beginArray()
    for value in values { int(value) }
    endArray()
  }
}

extension Responses {
  /// A response with one tensor object.
  static func tensor(
    _ status: HTTPResponse.Status, _ tensor: Tensor, name: String, id: Int, data: Bool
  ) -> HTTPServerResponse {
    var out = JSONWriter(capacity: textCapacity(tensor, data: data))
    out.tensorObject(tensor, name: name, id: id, data: data)
    return json(status, out.bytes)
  }

  /// Room for a tensor object's text. A small tensor's values are written in place when the writer's bound for
  /// them (up to 25 bytes a number, 3 an array, 48 of slack) fits after the metadata; 256 bytes fell just short
  /// for a 2x2 result, so the writer copied the text into a second buffer. A large tensor's text gets its own
  /// buffer of the right size from the writer (a kept one when the pool is installed): reserving here would only
  /// allocate a buffer to throw away.
  static func textCapacity(_ tensor: Tensor, data: Bool) -> Int {
    guard data, tensor.numel <= 64 else { return 256 }
    let values = tensor.numel * 28 + tensor.rank * 3 + 48
    // The metadata (a 64-byte name and a long grad_fn included), then the values and, once it exists, the grad.
    return 320 + 2 * values
  }
}

/// The server's executable calls this once at startup: large tensor texts are then written into the HTTP server's
/// kept buffers (`LargeBufferPool`, at most 4 buffers / 64 MiB), which get them back once an answer is sent.
package enum PooledTensorText {
  package static func install() {
    TensorTextBuffers.install { LargeBufferPool.takeFull(minimumCapacity: $0) }
  }
}
