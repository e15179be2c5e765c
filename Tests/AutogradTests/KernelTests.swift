import CKernels
import Dispatch
import Testing

@testable import Autograd

/// A product's logical operands op(A) (m x k) and op(B) (k x n), in double, from a fixed pseudo-random sequence.
private struct Problem {
  let m: Int, n: Int, k: Int
  let opA: [Double], opB: [Double]
  /// The exact-as-double product, and the sum of |op(A)[i,p] * op(B)[p,j]| that bounds rounding error.
  let product: [Double], magnitude: [Double]

  init(m: Int, n: Int, k: Int, seed: UInt64) {
    var state = seed
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(Int64(bitPattern: state >> 11) % 2001 - 1000) / 1000
    }
    self.m = m
    self.n = n
    self.k = k
    let opA = (0..<(m * k)).map { _ in next() }
    let opB = (0..<(k * n)).map { _ in next() }
    var product = [Double](repeating: 0, count: m * n)
    var magnitude = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for p in 0..<k {
        let a = opA[i * k + p]
        for j in 0..<n {
          product[i * n + j] += a * opB[p * n + j]
          magnitude[i * n + j] += abs(a * opB[p * n + j])
        }
      }
    }
    self.opA = opA
    self.opB = opB
    self.product = product
    self.magnitude = magnitude
  }

  /// A rows x cols logical matrix stored row-major (or transposed) with `pad` unused elements per stored row,
  /// filled with `sentinel` so that reading them would show.
  static func store<T: BinaryFloatingPoint>(
    _ values: [Double], rows: Int, cols: Int, transposed: Bool, pad: Int, sentinel: T
  ) -> (storage: [T], ld: Int) {
    let storedRows = transposed ? cols : rows
    let storedCols = transposed ? rows : cols
    let ld = storedCols + pad
    var storage = [T](repeating: sentinel, count: max(1, storedRows * ld))
    for r in 0..<rows {
      for c in 0..<cols {
        let index = transposed ? c * ld + r : r * ld + c
        storage[index] = T(values[r * cols + c])
      }
    }
    return (storage, ld)
  }
}

private typealias Kernel<T> = (
  _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
  _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
  _ c: UnsafeMutablePointer<T>, _ ldc: Int, _ accumulate: Bool
) -> Void

/// Runs `kernel` on every transpose combination, with and without accumulation, and checks each element of C
/// against the double reference within `unitRoundoff` times (k + 2) times the element's magnitude, the classical
/// bound for any order of summation; checks too that C's padding is never written.
private func check<T: BinaryFloatingPoint>(
  _ problem: Problem, unitRoundoff: Double, _ type: T.Type, kernel: Kernel<T>
) {
  let (m, n, k) = (problem.m, problem.n, problem.k)
  for transA in [false, true] {
    for transB in [false, true] {
      let (a, lda) = Problem.store(
        problem.opA, rows: m, cols: k, transposed: transA, pad: 3, sentinel: T.nan)
      let (b, ldb) = Problem.store(
        problem.opB, rows: k, cols: n, transposed: transB, pad: 5, sentinel: T.nan)
      for accumulate in [false, true] {
        let initial: [Double] = (0..<(m * n)).map { accumulate ? Double($0 % 7) - 3 : .nan }
        let ldc = n + 2
        var c = Problem.store(
          initial, rows: m, cols: n, transposed: false, pad: 2, sentinel: T(-77)
        ).storage
        a.withUnsafeBufferPointer { a in
          b.withUnsafeBufferPointer { b in
            c.withUnsafeMutableBufferPointer { c in
              kernel(
                transA, transB, m, n, k, a.baseAddress!, lda, b.baseAddress!, ldb,
                c.baseAddress!, ldc, accumulate)
            }
          }
        }
        var failures = 0
        for i in 0..<m {
          for j in 0..<n {
            let base = accumulate ? initial[i * n + j] : 0
            let expected = base + problem.product[i * n + j]
            let bound = unitRoundoff * Double(k + 2) * (problem.magnitude[i * n + j] + abs(base))
            let got = Double(c[i * ldc + j])
            if !(abs(got - expected) <= bound) && failures < 3 {
              failures += 1
              Issue.record(
                "\(m)x\(n)x\(k) transA=\(transA) transB=\(transB) accumulate=\(accumulate): C[\(i),\(j)] = \(got), expected \(expected) ± \(bound)"
              )
            }
          }
          for j in n..<ldc where i * ldc + j < c.count {
            #expect(c[i * ldc + j] == -77, "padding of row \(i) written")
          }
        }
      }
    }
  }
}

/// Odd sizes around the register tiles (6 x 16, 6 x 8, 12 x 32), and sizes past each cache block (mc 144,
/// kc 512, and a 4100-wide C), so every edge path and every K slice after the first is exercised: K up to twice
/// kc is one slice (600, and 1023 with fewer rows per A block), longer K is cut into equal slices (1100 into 3).
private let shapes: [(m: Int, n: Int, k: Int)] = [
  (1, 1, 1), (3, 3, 3), (17, 17, 17), (33, 33, 33), (65, 65, 65), (257, 257, 257),
  (1, 257, 17), (257, 1, 33), (17, 65, 1), (33, 3, 257), (65, 257, 3), (3, 17, 65),
  (150, 40, 600), (2, 4100, 3), (80, 35, 1023), (7, 37, 1100),
]

/// Shapes for the shared job (the single-thread entry points run the same job with one part): blocks of rows for
/// two threads, few rows and a wider B (so each unit is every row against a group of B's columns, with a partial
/// last sliver: 40 x 300, 64 x 1000), and K deep enough that packed B is done in several column phases (2 for
/// float, 3 for double at the 8 MiB budget; 8 x 3908 x 1100 has a last float phase of 7 slivers for 16 column
/// groups, so some groups are empty; checked with two callers only, as they are the slowest).
private let sharedShapes: [(m: Int, n: Int, k: Int)] = [
  (257, 257, 257), (40, 300, 257), (1, 257, 17), (2, 1100, 2048), (300, 33, 300), (64, 1000, 700),
  (8, 3908, 1100),
]

/// Runs a shared job for `parts` threads, calling ck_gemm_job_run from `callers` threads at once (or, with one
/// caller, `parts` times in a row on this thread, as Dispatch may do).
private func runShared(
  _ job: OpaquePointer?, parts: Int, callers: Int
) {
  guard let job else {
    Issue.record("the job could not be created")
    return
  }
  let shared = SharedJob(pointer: job)
  for phase in 0..<ck_gemm_job_phases(job) {
    if callers == 1 {
      for _ in 0..<parts { ck_gemm_job_run(shared.pointer, phase) }
    } else {
      DispatchQueue.concurrentPerform(iterations: callers) { _ in
        ck_gemm_job_run(shared.pointer, phase)
      }
    }
  }
  ck_gemm_job_free(job)
}

/// @unchecked Sendable: the C job is made for concurrent ck_gemm_job_run calls, and is freed after they return.
private struct SharedJob: @unchecked Sendable {
  let pointer: OpaquePointer
}

private let singleUnitRoundoff = Double(Float.ulpOfOne) / 2
private let doubleUnitRoundoff = Double.ulpOfOne / 2

@Suite struct GEMMKernelTests {
  @Test func multipliesTwoByTwoMatrices() {
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    ck_sgemm(0, 0, 2, 2, 2, a, 2, b, 2, &c, 2, 0)
    #expect(c == [19, 22, 43, 50])
    ck_sgemm(1, 0, 2, 2, 2, a, 2, b, 2, &c, 2, 0)
    #expect(c == [26, 30, 38, 44])
    ck_sgemm(0, 1, 2, 2, 2, a, 2, b, 2, &c, 2, 0)
    #expect(c == [17, 23, 39, 53])
    ck_sgemm(1, 1, 2, 2, 2, a, 2, b, 2, &c, 2, 1)
    #expect(c == [40, 54, 73, 99])  // the previous C plus A^T * B^T
  }

  @Test(arguments: 0...2) func singlePrecisionMatchesReferenceOnEveryInstructionSet(isa: Int32) {
    guard isa <= ck_gemm_isa() else { return }
    for (index, shape) in shapes.enumerated() {
      let problem = Problem(m: shape.m, n: shape.n, k: shape.k, seed: UInt64(index + 1))
      check(problem, unitRoundoff: singleUnitRoundoff, Float.self) {
        ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
        #expect(
          ck_sgemm_isa(isa, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, acc ? 1 : 0)
            == 1)
      }
    }
  }

  @Test(arguments: 0...2) func doublePrecisionMatchesReferenceOnEveryInstructionSet(isa: Int32) {
    guard isa <= ck_gemm_isa() else { return }
    for (index, shape) in shapes.enumerated() {
      let problem = Problem(m: shape.m, n: shape.n, k: shape.k, seed: UInt64(100 + index))
      check(problem, unitRoundoff: doubleUnitRoundoff, Double.self) {
        ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
        #expect(
          ck_dgemm_isa(isa, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, acc ? 1 : 0)
            == 1)
      }
    }
  }

  @Test(arguments: 0...2) func sharedJobMatchesReferenceOnEveryInstructionSetFromAnyNumberOfThreads(
    isa: Int32
  ) {
    guard isa <= ck_gemm_isa() else { return }
    for (index, shape) in sharedShapes.enumerated() {
      let problem = Problem(m: shape.m, n: shape.n, k: shape.k, seed: UInt64(300 + index))
      for callers in shape.k > 1024 ? [2] : [1, 2, 3] {
        check(problem, unitRoundoff: singleUnitRoundoff, Float.self) {
          ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
          let job = ck_sgemm_job(
            isa, 2, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, acc ? 1 : 0)
          runShared(job, parts: 2, callers: callers)
        }
        check(problem, unitRoundoff: doubleUnitRoundoff, Double.self) {
          ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
          let job = ck_dgemm_job(
            isa, 2, ta ? 1 : 0, tb ? 1 : 0, m, n, k, a, lda, b, ldb, c, ldc, acc ? 1 : 0)
          runShared(job, parts: 2, callers: callers)
        }
      }
    }
  }

  @Test func sharedJobIsRefusedForAnEmptyProductOrAMissingInstructionSet() {
    var c: [Float] = [5]
    #expect(ck_sgemm_job(-1, 2, 0, 0, 1, 1, 0, [2], 1, [3], 1, &c, 1, 0) == nil)
    #expect(ck_sgemm_job(ck_gemm_isa() + 1, 2, 0, 0, 1, 1, 1, [2], 1, [3], 1, &c, 1, 0) == nil)
    #expect(ck_gemm_job_phases(nil) == 0)
    #expect(c == [5])
  }

  @Test func refusesAnInstructionSetTheCPULacks() {
    var c: [Float] = [5]
    let unsupported = ck_gemm_isa() + 1
    #expect(ck_sgemm_isa(unsupported, 0, 0, 1, 1, 1, [2], 1, [3], 1, &c, 1, 0) == 0)
    #expect(c == [5])
  }

  @Test func emptyInnerDimensionZeroesOrKeepsC() {
    var c: [Float] = [1, 2, 3, 4]
    let none: [Float] = [0]
    ck_sgemm(0, 0, 2, 2, 0, none, 1, none, 2, &c, 2, 1)
    #expect(c == [1, 2, 3, 4])
    ck_sgemm(0, 0, 2, 2, 0, none, 1, none, 2, &c, 2, 0)
    #expect(c == [0, 0, 0, 0])
    var d: [Double] = [7]
    ck_dgemm(0, 0, 0, 1, 3, [1.0], 3, [1.0, 1, 1], 1, &d, 1, 0)
    #expect(d == [7])
  }

  @Test func engineWrapperSplitsLargeProductsAcrossCoresWithTheSameResult() {
    for (index, shape) in [
      (257, 300, 40), (40, 300, 257), (300, 33, 300), (129, 129, 129), (1, 2048, 1024),
    ]
    .enumerated() {
      let problem = Problem(m: shape.0, n: shape.1, k: shape.2, seed: UInt64(200 + index))
      check(problem, unitRoundoff: singleUnitRoundoff, Float.self) {
        ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
        GEMM.multiply(
          transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
          accumulate: acc)
      }
      check(problem, unitRoundoff: doubleUnitRoundoff, Double.self) {
        ta, tb, m, n, k, a, lda, b, ldb, c, ldc, acc in
        GEMM.multiply(
          transA: ta, transB: tb, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
          accumulate: acc)
      }
    }
  }
}

@Suite struct StorageAllocationTests {
  @Test func smallBlocksAreCacheLineAligned() {
    for bytes in [0, 1, 63, 100, 4096, (4 << 20) - 1] {
      guard let p = ck_alloc(bytes) else {
        Issue.record("no memory for \(bytes) bytes")
        continue
      }
      #expect(Int(bitPattern: p) % 64 == 0)
      p.initializeMemory(as: UInt8.self, repeating: 7, count: max(bytes, 1))
      ck_free(p, bytes)
    }
  }

  @Test func largeBlocksAreHugePageAlignedAndRecycled() throws {
    let bytes = (6 << 20) + 12_345
    let first = try #require(ck_alloc(bytes))
    #expect(Int(bitPattern: first) % (2 << 20) == 0)
    first.initializeMemory(as: UInt8.self, repeating: 1, count: bytes)
    ck_free(first, bytes)
    let second = try #require(ck_alloc(bytes))
    #expect(second == first)
    ck_free(second, bytes)
  }
}
