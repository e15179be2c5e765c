#if canImport(Glibc)
    import Glibc
#endif

/// A body of several megabytes (a tensor upload) is read into fresh pages; faulting them in 4 KiB at a time costs
/// about 0.55 ms per MB here, in 2 MiB transparent huge pages a fraction of that. Advice only: without THP nothing
/// changes.
enum LargeBodyBuffer {
    /// Advises the reserved, not yet written capacity of `body` to use huge pages when it spans several of them.
    static func adviseHugePages(_ body: [UInt8]) {
        #if os(Linux)
            let huge = 2 << 20
            let capacity = body.capacity
            let count = body.count
            guard capacity - count >= 2 * huge else { return }
            // Only the address is taken, for advice about bytes not yet written; none is read.
            guard let base = body.withUnsafeBufferPointer({ $0.baseAddress }) else { return }
            let start = (Int(bitPattern: base) + count + huge - 1) & ~(huge - 1)
            let end = (Int(bitPattern: base) + capacity) & ~(huge - 1)
            guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(aligned, end - start, 14)  // MADV_HUGEPAGE
        #endif
    }
}
