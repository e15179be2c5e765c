import Autograd

extension EngineBench {
  /// `clone()` of the transpose of an n x n matrix (a contiguous copy of a transposed view, what AccumulateGrad
  /// does with the gradient of `x.t() @ h`'s weight), in nanoseconds per element, float32 and float64.
  static func transposedCopy(n: Int, repetitions: Int) throws(AutogradError) {
    let (transpose, clone) = (try Ops.op("t"), try Ops.op("clone"))
    for (dtype, name) in [(DType.float32, "f32"), (.float64, "f64")] {
      let x = try Tensor.randn([n, n], seed: 7, dtype: dtype)
      let view = try call(transpose, .tensor(x))
      var failure: AutogradError?
      let timing = Timing.measure(repetitions: repetitions) {
        do throws(AutogradError) {
          _ = try call(clone, .tensor(view))
        } catch {
          failure = error
        }
      }
      if let failure { throw failure }
      let elements = Double(n * n)
      report("transposed_copy_\(name)_ns_per_element_best", timing.best / elements * 1e9, digits: 3)
      report(
        "transposed_copy_\(name)_ns_per_element_median", timing.median / elements * 1e9, digits: 3)
    }
  }
}
