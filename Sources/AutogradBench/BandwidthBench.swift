import CKernels
import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Elementwise add of two `count`-element float32 tensors against memcpy of one tensor's bytes, in GB/s counted
/// as bytes read plus bytes written (add: 3 x 4 x count, copy: 2 x 4 x count). The copy writes into a buffer
/// touched beforehand; the add, like a tensor op, writes a freshly allocated result each time, so its figure
/// includes the cost of faulting that memory in.
func benchAddBandwidth(count: Int, repetitions: Int) {
  let bytes = count * MemoryLayout<Float>.stride
  let a = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let b = UnsafeMutablePointer<Float>.allocate(capacity: count)
  let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
  defer {
    a.deallocate()
    b.deallocate()
    out.deallocate()
  }
  for i in 0..<count {
    a[i] = Float(i & 1023)
    b[i] = 1
    out[i] = 0
  }
  let copy = Timing.measure(repetitions: repetitions) { _ = memcpy(out, a, bytes) }
  let copyGBps = 2 * Double(bytes) / copy.best / 1e9
  report("copy_gbps_best", copyGBps)
  report("copy_gbps_median", 2 * Double(bytes) / copy.median / 1e9)

  // What a contiguous add can reach: fresh huge-page storage (ck_alloc), a vectorised loop per core.
  let kernel = Timing.measure(repetitions: repetitions) {
    guard let raw = ck_alloc(bytes) else { fatalError("out of memory") }
    let result = raw.bindMemory(to: Float.self, capacity: count)
    contiguousAdd(a, b, result, count)
    guard result[1023] == 1024 else { fatalError("add produced a wrong value") }
    ck_free(raw, bytes)
  }
  // The same with plain malloc storage, to show what the page faults cost.
  let kernelMalloc = Timing.measure(repetitions: repetitions) {
    let result = UnsafeMutablePointer<Float>.allocate(capacity: count)
    contiguousAdd(a, b, result, count)
    guard result[1023] == 1024 else { fatalError("add produced a wrong value") }
    result.deallocate()
  }
  report("kernel_add_vs_copy", 3 * Double(bytes) / kernel.best / 1e9 / copyGBps)
  report("kernel_add_malloc_vs_copy", 3 * Double(bytes) / kernelMalloc.best / 1e9 / copyGBps)

  // The engine's own add, through its public API.
  do {
    let add = try EngineBench.add(count: count, repetitions: repetitions)
    let addGBps = 3 * Double(bytes) / add.best / 1e9
    report("add_source", "the engine's add through Ops.call, a fresh result tensor each time")
    report("add_gbps_best", addGBps)
    report("add_gbps_median", 3 * Double(bytes) / add.median / 1e9)
    report("add_vs_copy", addGBps / copyGBps)
  } catch {
    report("add_source", "engine add failed: \(error)")
  }
}

/// The contiguous float32 add an engine kernel should reach: a plain loop the compiler vectorises, in one block
/// per core.
private func contiguousAdd(
  _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
  _ out: UnsafeMutablePointer<Float>,
  _ count: Int
) {
  // The blocks read a and b and write disjoint ranges of out; concurrentPerform returns after all of them.
  nonisolated(unsafe) let (a, b, out) = (a, b, out)
  let blocks = 2
  let perBlock = (count + blocks - 1) / blocks
  DispatchQueue.concurrentPerform(iterations: blocks) { block in
    let start = block * perBlock
    let end = min(count, start + perBlock)
    for i in start..<end { out[i] = a[i] + b[i] }
  }
}
