import Synchronization

/// A few multi-megabyte byte buffers kept after use: a tensor upload's body and a tensor answer's text. A fresh
/// buffer of that size is a new mapping (the server sets glibc's mmap threshold to 128 KiB so freed blocks leave
/// RSS), and the kernel faults in and zeroes every page of it on first write; a buffer from here is already mapped.
///
/// Bounded: at most `maxBuffers` buffers and `maxBytes` of capacity are kept (64 MiB: a 1,000,000-element float32
/// tensor's 12 MB body and 17 MB answer buffer, twice), so an idle server holds at most that much beyond its
/// baseline. Buffers are returned when their request has been handled or their answer sent, so nobody else holds
/// them by the time they are taken again; were one still shared, Array's copy on write would keep both sides
/// correct (the taker would only pay for a copy).
package enum LargeBufferPool {
    /// Buffers below this capacity come from malloc as usual: they are not mmap'd afresh, or cost little.
    package static let minimumBytes = 4 << 20
    package static let maxBuffers = 4
    package static let maxBytes = 64 << 20

    private static let kept = Mutex<[[UInt8]]>([])
    /// Takes and returns since the last `drainIfUnused`, so an idle server gives its kept megabytes back.
    private static let uses = Atomic<Int>(0)

    /// A kept buffer of at least `capacity` bytes (the smallest that fits), or nil when none fits. Its count equals
    /// its capacity and its bytes are stale: a writer overwrites what it needs and removes the rest from the end,
    /// which touches no byte (emptying it and appending would write the whole buffer twice).
    package static func takeFull(minimumCapacity capacity: Int) -> [UInt8]? {
        guard capacity >= minimumBytes else { return nil }
        uses.add(1, ordering: .relaxed)
        let found: [UInt8]? = kept.withLock { buffers in
            var best: Int?
            for (i, buffer) in buffers.enumerated() where buffer.capacity >= capacity {
                if best.map({ buffers[$0].capacity > buffer.capacity }) ?? true { best = i }
            }
            return best.map { buffers.remove(at: $0) }
        }
        guard var buffer = found else { return nil }
        // Only the part past the last text needs writing; nobody else holds the buffer by now (its last request or
        // answer is done), so this appends in place.
        let tail = buffer.capacity - buffer.count
        if tail > 0 { buffer.append(contentsOf: repeatElement(0, count: tail)) }
        return buffer.count >= capacity ? buffer : nil
    }

    /// Keeps `buffer` for a later `takeFull` when it is large and the pool has room; otherwise lets it go. When the pool
    /// is full, the smallest kept buffer makes way for a larger one.
    package static func recycle(_ buffer: [UInt8]) {
        let size = buffer.capacity
        guard size >= minimumBytes, size <= maxBytes else { return }
        uses.add(1, ordering: .relaxed)
        var evicted: [[UInt8]] = []
        kept.withLock { buffers in
            var total = buffers.reduce(0) { $0 + $1.capacity }
            while !buffers.isEmpty && (buffers.count >= maxBuffers || total + size > maxBytes) {
                guard let smallest = buffers.indices.min(by: { buffers[$0].capacity < buffers[$1].capacity }),
                    buffers[smallest].capacity < size
                else { return }
                total -= buffers[smallest].capacity
                // Freed outside the lock: munmap of megabytes is not free.
                evicted.append(buffers.remove(at: smallest))
            }
            buffers.append(buffer)
        }
        _ = evicted
    }

    /// The capacity kept, for tests and diagnostics.
    package static var keptBytes: Int { kept.withLock { $0.reduce(0) { $0 + $1.capacity } } }
    package static var keptCount: Int { kept.withLock { $0.count } }

    /// Lets every kept buffer go when none was taken or returned since the previous call. Called on a timer (the
    /// service's session sweep), it bounds how long an idle server holds up to `maxBytes` it no longer needs.
    package static func drainIfUnused() {
        if uses.exchange(0, ordering: .relaxed) == 0 { drain() }
    }

    /// Lets every kept buffer go.
    package static func drain() {
        let all = kept.withLock { buffers in
            let all = buffers
            buffers = []
            return all
        }
        _ = all
    }
}

extension LargeBufferPool {
    /// Moves `buffer`'s contents into a kept buffer with room for `count` bytes, when one is kept; returns whether it
    /// did. Costs no new memory, so a body may take one as soon as its length is declared.
    package static func adoptKept(_ buffer: inout [UInt8], count: Int) -> Bool {
        guard count >= minimumBytes, buffer.capacity < count, var pooled = takeFull(minimumCapacity: count) else {
            return false
        }
        pooled.removeAll(keepingCapacity: true)
        pooled.append(contentsOf: buffer)
        buffer = pooled
        return true
    }

    /// Gives `buffer` room for `count` bytes, moving its contents into a kept buffer when `count` is large enough to
    /// come from here.
    package static func reserve(_ buffer: inout [UInt8], count: Int) {
        guard count >= minimumBytes, buffer.capacity < count else {
            buffer.reserveCapacity(count)
            return
        }
        guard var pooled = takeFull(minimumCapacity: count) else {
            buffer.reserveCapacity(count)
            return
        }
        pooled.removeAll(keepingCapacity: true)
        pooled.append(contentsOf: buffer)
        buffer = pooled
    }
}
