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
/// Large products are split into row or column blocks of C, one per core, each computed by the C kernel
/// independently: the blocks write disjoint parts of C and only read A and B, so no synchronisation is needed.
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
    operands.run { o in
      ck_sgemm(
        o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c, o.ldc,
        o.accumulate ? 1 : 0)
    }
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
    operands.run { o in
      ck_dgemm(
        o.transA ? 1 : 0, o.transB ? 1 : 0, o.m, o.n, o.k, o.a, o.lda, o.b, o.ldb, o.c, o.ldc,
        o.accumulate ? 1 : 0)
    }
  }

  /// Below this many multiply-adds (about 128^3) a second thread costs more than it saves.
  static let parallelThreshold = 1 << 21

  /// Blocks are multiples of the widest register tile, so only the last block has edge tiles.
  static let blockGranularity = 32

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

/// One product's arguments, so a block of it is the same product with shifted pointers and smaller sizes.
/// @unchecked Sendable: it crosses into concurrentPerform's workers, which only read A and B and each write a
/// disjoint block of C, while the caller waits for all of them before it touches the buffers again.
private struct Operands<T>: @unchecked Sendable {
  var transA: Bool, transB: Bool
  var m: Int, n: Int, k: Int
  var a: UnsafePointer<T>, lda: Int
  var b: UnsafePointer<T>, ldb: Int
  var c: UnsafeMutablePointer<T>, ldc: Int
  var accumulate: Bool

  /// Rows i0..<i0+count of C: the same rows of op(A), all of op(B).
  func rows(_ i0: Int, _ count: Int) -> Operands {
    var o = self
    o.m = count
    o.a = transA ? a + i0 : a + i0 * lda
    o.c = c + i0 * ldc
    return o
  }

  /// Columns j0..<j0+count of C: all of op(A), the same columns of op(B).
  func columns(_ j0: Int, _ count: Int) -> Operands {
    var o = self
    o.n = count
    o.b = transB ? b + j0 * ldb : b + j0
    o.c = c + j0
    return o
  }

  func run(_ kernel: @Sendable (Operands) -> Void) {
    let (mn, o1) = m.multipliedReportingOverflow(by: n)
    let (work, o2) = mn.multipliedReportingOverflow(by: k)
    let large = o1 || o2 || work >= GEMM.parallelThreshold
    // Split the longer side of C, so each block keeps whole tiles and a useful share of the work.
    let extent = max(m, n)
    let granularity = GEMM.blockGranularity
    let blocks = min(GEMM.cores, extent / granularity)
    guard large, blocks > 1 else { return kernel(self) }
    let share = (extent + blocks - 1) / blocks
    let perBlock = (share + granularity - 1) / granularity * granularity
    let splitRows = m >= n
    DispatchQueue.concurrentPerform(iterations: blocks) { index in
      let start = index * perBlock
      let count = min(perBlock, extent - start)
      guard count > 0 else { return }
      kernel(splitRows ? rows(start, count) : columns(start, count))
    }
  }
}
