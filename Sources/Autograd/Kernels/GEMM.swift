import CKernels
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Matrix multiplication for the engine: row-major, C = (accumulate ? C : 0) + op(A) * op(B).
/// Callers pass validated sizes; every pointer must cover the extents the sizes and leading dimensions imply.
///
/// A large product is one shared job of the C kernel (`ck_gemm_job`) that every core works on: the cores take
/// blocks of C from a shared counter, so one that the machine runs slower takes fewer, and each part of packed B is
/// packed once for all of them. No core ever waits for another inside a phase, so it also completes when Dispatch
/// runs the iterations one after the other.
package enum GEMM {
  package static func multiply(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
  ) {
    let operands = Operands(
      transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c,
      ldc: ldc,
      accumulate: accumulate)
    operands.run(
      alone: { o in
        ck_sgemm(
          o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c, o.ldc,
          o.accumulate ? 1 : 0)
      },
      shared: { o, parts in
        ck_sgemm_job(
          -1, parts, o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c,
          o.ldc, o.accumulate ? 1 : 0)
      })
  }

  package static func multiply(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
    a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
    c: UnsafeMutablePointer<Double>, ldc: Int, accumulate: Bool
  ) {
    let operands = Operands(
      transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c,
      ldc: ldc,
      accumulate: accumulate)
    operands.run(
      alone: { o in
        ck_dgemm(
          o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c, o.ldc,
          o.accumulate ? 1 : 0)
      },
      shared: { o, parts in
        ck_dgemm_job(
          -1, parts, o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c,
          o.ldc, o.accumulate ? 1 : 0)
      })
  }

  /// Below this many multiply-adds (about 128^3) a second thread costs more than it saves.
  static let parallelThreshold = 1 << 21

  static let cores: Int = {
    #if canImport(Glibc) || canImport(Darwin)
      return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
      return 1
    #endif
  }()

  /// The name of the instruction set the kernels use on this CPU ("avx2", "avx512", "generic").
  package static var instructionSet: String { String(cString: ck_gemm_isa_name(ck_gemm_isa())) }
}

/// One product's arguments, handed to the C entry point of its element type.
private struct Operands<T> {
  var transA: Bool, transB: Bool
  var m: Int, n: Int, k: Int
  var a: UnsafePointer<T>, lda: Int
  var b: UnsafePointer<T>, ldb: Int
  var c: UnsafeMutablePointer<T>, ldc: Int
  var accumulate: Bool

  /// The product on this thread alone when it is small or there is one core, else as one job shared by all
  /// cores; when the job cannot get its memory, on this thread alone (whose kernel then falls back further).
  func run(alone: (Operands) -> Void, shared: (Operands, Int32) -> OpaquePointer?) {
    let (mn, o1) = m.multipliedReportingOverflow(by: n)
    let (work, o2) = mn.multipliedReportingOverflow(by: k)
    let large = o1 || o2 || work >= GEMM.parallelThreshold
    guard large, GEMM.cores > 1, let pointer = shared(self, Int32(clamping: GEMM.cores)) else {
      return alone(self)
    }
    let job = Job(pointer: pointer)
    defer { ck_gemm_job_free(job.pointer) }
    for phase in 0..<ck_gemm_job_phases(job.pointer) {
      DispatchQueue.concurrentPerform(iterations: GEMM.cores) { _ in
        ck_gemm_job_run(job.pointer, phase)
      }
    }
  }
}

/// @unchecked Sendable: the C job is built for concurrent ck_gemm_job_run calls (atomic counters and states, each
/// block of C written by the one call that took it), and is freed only after concurrentPerform has returned.
private struct Job: @unchecked Sendable {
  let pointer: OpaquePointer
}
