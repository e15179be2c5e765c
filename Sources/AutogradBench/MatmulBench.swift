import Autograd

/// float32 C = A * B at n x n through the engine's GEMM (both cores), in GFLOP/s.
func benchMatmul(n: Int, repetitions: Int) {
  let count = n * n
  let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
  defer {
    a.deallocate()
    b.deallocate()
    c.deallocate()
  }
  var state: UInt32 = 12345
  for i in 0..<count {
    state = state &* 1_664_525 &+ 1_013_904_223
    a[i] = Float(state >> 8) / Float(1 << 24)
    state = state &* 1_664_525 &+ 1_013_904_223
    b[i] = Float(state >> 8) / Float(1 << 24)
  }
  let timing = Timing.measure(repetitions: repetitions) {
    GEMM.multiply(
      transA: false, transB: false, m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n,
      accumulate: false)
  }
  let flops = 2 * Double(n) * Double(n) * Double(n)
  report("matmul_isa", GEMM.instructionSet)
  report("matmul_gflops_best", flops / timing.best / 1e9, digits: 1)
  report("matmul_gflops_median", flops / timing.median / 1e9, digits: 1)
}
