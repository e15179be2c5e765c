import Testing

@testable import Autograd

@Suite struct TeardownTests {
  /// `y * y` gives each node two edges to one child: the teardown must see that child unique once the first
  /// edge is dropped, or releasing the chain nests one deinit per op.
  @Test func longChainOfSquaresIsFreedIteratively() throws {
    let x = try Tensor.ones([1], requiresGrad: true)
    var y = try op("mul", .tensor(x), .int(1))
    for _ in 0..<100_000 {
      y = try op("mul", .tensor(y), .tensor(y))
    }
    y = x
    #expect(y === x)
  }

  /// A leaf's pointer to its AccumulateGrad is cleared when the graph holding that node is dropped, so the next
  /// graph gets a new node and backward still reaches the leaf.
  @Test func leafGetsANewAccumulatorAfterItsGraphIsDropped() throws {
    let x = try Tensor.ones([2], requiresGrad: true)
    var y: Tensor? = try op("mul", .tensor(x), .int(2))
    let first = try #require(y?.gradFn?.nextNodes.first ?? nil)
    #expect(first.name == "AccumulateGrad")
    #expect(x.accumulator === first)
    let firstId = first.id
    y = nil
    #expect(x.accumulator?.id == firstId)  // `first` still holds it
    _ = consume first
    #expect(x.accumulator == nil)
    let z = try op("sum", .tensor(try op("mul", .tensor(x), .int(3))))
    try z.backward()
    #expect(values(x.grad) == [3, 3])
  }

  /// A leaf only the graph still holds is freed with the graph, and its accumulator with it.
  @Test func leafHeldOnlyByTheGraphIsFreedWithIt() throws {
    weak var weakLeaf: Tensor?
    var out: Tensor?
    do {
      let x = try Tensor.ones([2], requiresGrad: true)
      weakLeaf = x
      out = try op("sum", .tensor(try op("mul", .tensor(x), .tensor(x))))
    }
    #expect(weakLeaf != nil)
    try out?.backward(retainGraph: true)
    #expect(values(weakLeaf?.grad) == [2, 2])
    out = nil
    #expect(weakLeaf == nil)
  }
}
