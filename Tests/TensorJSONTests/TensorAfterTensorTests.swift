import Testing

@testable import TensorJSON

@Suite("Tensors written one after another")
struct TensorAfterTensorTests {
  /// A weight's gradient then its bias's, as a backward answer holds them: the second goes into the first's spare
  /// room, and the text is the same as writing each on its own.
  @Test(arguments: [1, 2])
  func aSmallTensorAfterALargeOneKeepsBothTexts(threads: Int) {
    let rows = 300
    let columns = 256
    let large = (0..<(rows * columns)).map { Float($0 % 1000) * 1.25e-5 - 0.005 }
    var writer = JSONWriter()
    writer.beginObject()
    writer.key("W")
    large.withUnsafeBufferPointer {
      writer.writeTensor($0, shape: [rows, columns], threads: threads)
    }
    writer.key("b")
    let bias: [Float] = [0.5, -2, 1.8279192e-05]
    bias.withUnsafeBufferPointer { writer.writeTensor($0, shape: [3], threads: threads) }
    writer.endObject()
    let text = String(decoding: writer.bytes, as: UTF8.self)

    var alone = JSONWriter()
    large.withUnsafeBufferPointer { alone.writeTensor($0, shape: [rows, columns]) }
    let largeText = String(decoding: alone.bytes, as: UTF8.self)
    // numpy: str(np.float32(k) * np.float32(1.25e-5) - np.float32(0.005)) for k = 0...3.
    #expect(String(largeText.prefix(44)) == "[[-0.005,-0.0049874997,-0.004975,-0.00496249")
    #expect(text.hasSuffix("]],\"b\":[0.5,-2.0,1.8279192e-05]}"))
    let same = text == "{\"W\":" + largeText + ",\"b\":[0.5,-2.0,1.8279192e-05]}"
    #expect(same, "the two-tensor text is not the large text followed by the small one")
  }

  @Test func smallTensorsInARowKeepTheirCommas() {
    var writer = JSONWriter()
    writer.beginArray()
    for k in 0..<3 {
      let values: [Float] = [Float(k), 0.25]
      values.withUnsafeBufferPointer { writer.writeTensor($0, shape: [1, 2]) }
    }
    writer.endArray()
    #expect(
      String(decoding: writer.bytes, as: UTF8.self) == "[[[0.0,0.25]],[[1.0,0.25]],[[2.0,0.25]]]")
  }
}
