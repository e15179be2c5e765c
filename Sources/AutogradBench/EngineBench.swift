import Autograd

/// Engine figures through its public API: ops bound by name with Python-style arguments, as the service and
/// /eval call them, each looked up once (`Ops.op`) rather than by name per call.
enum EngineBench {
  static func call(_ op: Ops.Op, _ args: OpArgument...) throws(AutogradError) -> Tensor {
    guard let result = try op.call(args: args).tensor else {
      fatalError("\(op.name) returned no tensor")
    }
    return result
  }

  static func call(_ name: String, _ args: OpArgument...) throws(AutogradError) -> Tensor {
    guard let result = try Ops.call(name, args: args).tensor else {
      fatalError("\(name) returned no tensor")
    }
    return result
  }

  /// The tutorial's step on a 2x2 leaf, per iteration, in microseconds.
  static func tutorial(repetitions: Int) throws(AutogradError) {
    let x = try Tensor.ones([2, 2], requiresGrad: true)
    let (add, mul, mean) = (try Ops.op("add"), try Ops.op("mul"), try Ops.op("mean"))
    let iterations = 2000
    var failure: AutogradError?
    let timing = Timing.measure(repetitions: repetitions) {
      do throws(AutogradError) {
        for _ in 0..<iterations {
          let y = try call(add, .tensor(x), .int(2))
          let z = try call(mul, .tensor(try call(mul, .tensor(y), .tensor(y))), .int(3))
          let out = try call(mean, .tensor(z))
          try out.backward()
        }
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    report("tutorial_us_best", timing.best / Double(iterations) * 1e6)
    report("tutorial_us_median", timing.median / Double(iterations) * 1e6)
  }

  /// y = y * 1.0 a million times from a one-element leaf, then backward: times and this process's peak RSS.
  static func chain(length: Int) throws(AutogradError) {
    resetPeakResident()
    let clock = ContinuousClock()
    let x = try Tensor.ones([1], requiresGrad: true)
    let one = OpArgument.double(1.0)
    let mul = try Ops.op("mul")
    var start = clock.now
    var y = x
    for _ in 0..<length { y = try call(mul, .tensor(y), one) }
    let forward = seconds(clock.now - start)
    start = clock.now
    try y.backward()
    let backward = seconds(clock.now - start)
    let peak = peakResidentBytes()
    start = clock.now
    y = x  // drops the graph: the teardown must not recurse either
    let teardown = seconds(clock.now - start)
    guard let grad = x.grad, try grad.item() == 1 else { fatalError("chain gradient is not 1") }
    report("chain_length", Double(length), digits: 0)
    report("chain_forward_s", forward, digits: 3)
    report("chain_backward_s", backward, digits: 3)
    report("chain_teardown_s", teardown, digits: 3)
    if let peak { report("chain_peak_mib", Double(peak) / Double(1 << 20), digits: 1) }
  }

  /// Elementwise add of two `count`-element float32 tensors, GB/s read + written (see benchAddBandwidth).
  static func add(count: Int, repetitions: Int) throws(AutogradError) -> Timing {
    let a = try Tensor.ones([count])
    let b = try Tensor.ones([count])
    var failure: AutogradError?
    let timing = Timing.measure(repetitions: repetitions) {
      do throws(AutogradError) {
        let sum = try call("add", .tensor(a), .tensor(b))
        guard sum.numel == count else { fatalError("add returned \(sum.numel) elements") }
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
    return timing
  }
}
