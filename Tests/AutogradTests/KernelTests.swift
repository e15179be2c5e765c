import CKernels
import Testing

@Suite struct GEMMKernelTests {
  @Test func multipliesTwoByTwoMatrices() {
    let a: [Float] = [1, 2, 3, 4]
    let b: [Float] = [5, 6, 7, 8]
    var c = [Float](repeating: 0, count: 4)
    ck_sgemm(0, 0, 2, 2, 2, a, 2, b, 2, &c, 2, 0)
    #expect(c == [19, 22, 43, 50])
    ck_sgemm(1, 0, 2, 2, 2, a, 2, b, 2, &c, 2, 0)
    #expect(c == [26, 30, 38, 44])
  }
}
