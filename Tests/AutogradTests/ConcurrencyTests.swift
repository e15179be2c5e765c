import Dispatch
import Testing

@testable import Autograd

@Suite struct ConcurrencyTests {
  /// Sessions run on different threads at once; each owns its tensors, and grad mode is per call.
  @Test func independentGraphsOnSeveralThreads() {
    let results = ResultBox(count: 4)
    DispatchQueue.concurrentPerform(iterations: 4) { i in
      do {
        let x = try Tensor.ones([64, 64], requiresGrad: true)
        var y = x
        for _ in 0..<200 {
          y = try op(
            "tanh", .tensor(op("add", .tensor(y), .double(0.01), grad: i % 2 == 0)),
            grad: i % 2 == 0)
        }
        let journal = MutationJournal()
        try journal.recording {
          if i % 2 == 0 { try op("sum", .tensor(y)).backward() }
        }
        results.set(i, i % 2 == 0 ? x.grad != nil : y.gradFn == nil)
      } catch {
        results.set(i, false)
      }
    }
    #expect(results.all)
  }
}

/// Collects per-iteration outcomes; each iteration writes its own slot under the lock.
private final class ResultBox: @unchecked Sendable {
  private var values: [Bool]
  private let lock = DispatchSemaphore(value: 1)
  init(count: Int) { values = [Bool](repeating: false, count: count) }
  func set(_ i: Int, _ v: Bool) {
    lock.wait()
    values[i] = v
    lock.signal()
  }
  var all: Bool {
    lock.wait()
    defer { lock.signal() }
    return values.allSatisfy { $0 }
  }
}
