import Autograd
import CKernels

/// float32 C = A * B at n x n through the engine's GEMM (both cores), in GFLOP/s.
/// The matrices come from `ck_alloc`, as an engine tensor of this size does (`Storage`): 2 MiB pages from 4 MiB
/// on, which NumPy also asks for (it advises huge pages for large arrays), so both sides pay the same TLB costs.
func benchMatmul(n: Int, repetitions: Int) {
  let count = n * n
  let bytes = count * MemoryLayout<Float>.stride
  guard let ra = ck_alloc(bytes), let rb = ck_alloc(bytes), let rc = ck_alloc(bytes) else {
    report("error", "matmul: out of memory")
    return
  }
  let a = ra.bindMemory(to: Float.self, capacity: count)
  let b = rb.bindMemory(to: Float.self, capacity: count)
  let c = rc.bindMemory(to: Float.self, capacity: count)
  defer {
    ck_free(ra, bytes)
    ck_free(rb, bytes)
    ck_free(rc, bytes)
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
