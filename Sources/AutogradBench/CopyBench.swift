import Autograd
import CKernels

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
    tiledCopyAlone(n: n, repetitions: repetitions)
  }

  /// The C copy alone (no allocation: a destination already faulted in), float32, against memcpy of the same bytes.
  private static func tiledCopyAlone(n: Int, repetitions: Int) {
    let count = n * n
    let src = UnsafeMutablePointer<Float>.allocate(capacity: count)
    let dst = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer {
      src.deallocate()
      dst.deallocate()
    }
    for i in 0..<count {
      src[i] = Float(i)
      dst[i] = 0
    }
    var shape = [n, n]
    var dstStrides = [n, 1]
    var srcStrides = [1, n]
    let tiled = Timing.measure(repetitions: repetitions) {
      _ = ck_copy_strided(4, 2, &shape, dst, &dstStrides, src, &srcStrides)
    }
    guard dst[1] == Float(n) else { fatalError("the transposed copy produced a wrong value") }
    let plain = Timing.measure(repetitions: repetitions) {
      dst.update(from: src, count: count)
    }
    let elements = Double(count)
    report("tiled_copy_f32_warm_ns_per_element_best", tiled.best / elements * 1e9, digits: 3)
    report("tiled_copy_f32_warm_ns_per_element_median", tiled.median / elements * 1e9, digits: 3)
    report("memcpy_f32_warm_ns_per_element_best", plain.best / elements * 1e9, digits: 3)
  }
}
