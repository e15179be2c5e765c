import Testing

@testable import HTTPServer

/// The pool of multi-megabyte buffers is process-wide; these checks hold whatever other tests add to it meanwhile.
@Suite(.serialized) struct LargeBufferPoolTests {
    private func buffer(capacity: Int, marker: UInt8) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(capacity)
        bytes.append(contentsOf: repeatElement(marker, count: 1000))
        return bytes
    }

    @Test func keepsAtMostFourBuffersAndSixtyFourMiB() {
        for i in 0..<10 {
            LargeBufferPool.recycle(buffer(capacity: (5 + i) << 20, marker: UInt8(i)))
            #expect(LargeBufferPool.keptCount <= LargeBufferPool.maxBuffers)
            #expect(LargeBufferPool.keptBytes <= LargeBufferPool.maxBytes)
        }
        #expect(LargeBufferPool.maxBuffers == 4)
        #expect(LargeBufferPool.maxBytes == 64 << 20)
        LargeBufferPool.drain()
    }

    @Test func smallAndOversizedBuffersAreNotKept() {
        LargeBufferPool.drain()
        LargeBufferPool.recycle(buffer(capacity: 1 << 20, marker: 1))
        LargeBufferPool.recycle(buffer(capacity: 65 << 20, marker: 2))
        #expect(LargeBufferPool.takeFull(minimumCapacity: 4 << 20) == nil)
        #expect(LargeBufferPool.takeFull(minimumCapacity: 1 << 20) == nil)
    }

    @Test func takeFullHandsBackAKeptBufferWithItsBytesUntouchedAndCountAtCapacity() {
        LargeBufferPool.drain()
        let capacity = (7 << 20) + 12_345
        LargeBufferPool.recycle(buffer(capacity: capacity, marker: 0xAB))
        let taken = LargeBufferPool.takeFull(minimumCapacity: 6 << 20)
        #expect(taken?.count == taken?.capacity)
        #expect((taken?.count ?? 0) >= capacity)
        #expect(taken?.prefix(1000).allSatisfy { $0 == 0xAB } == true)
        #expect(LargeBufferPool.takeFull(minimumCapacity: 6 << 20) == nil)
        #expect(LargeBufferPool.takeFull(minimumCapacity: 9 << 20) == nil)
    }

    @Test func reserveMovesABodyIntoAKeptBuffer() {
        LargeBufferPool.drain()
        LargeBufferPool.recycle(buffer(capacity: 8 << 20, marker: 0xCD))
        var body: [UInt8] = [1, 2, 3]
        LargeBufferPool.reserve(&body, count: 5 << 20)
        #expect(body == [1, 2, 3])
        #expect(body.capacity >= 8 << 20)
        var small: [UInt8] = [4]
        LargeBufferPool.reserve(&small, count: 1000)
        #expect(small == [4])
        #expect(small.capacity >= 1000)
        LargeBufferPool.drain()
    }

    @Test func adoptKeptUsesOnlyAKeptBuffer() {
        LargeBufferPool.drain()
        var body: [UInt8] = [9]
        #expect(!LargeBufferPool.adoptKept(&body, count: 6 << 20))
        #expect(body == [9])
        LargeBufferPool.recycle(buffer(capacity: 8 << 20, marker: 0x11))
        #expect(LargeBufferPool.adoptKept(&body, count: 6 << 20))
        #expect(body == [9])
        #expect(body.capacity >= 8 << 20)
        LargeBufferPool.drain()
    }

    @Test func anIdleSweepGivesTheKeptBuffersBack() {
        LargeBufferPool.drain()
        LargeBufferPool.recycle(buffer(capacity: 8 << 20, marker: 0x22))
        // Used since the last sweep: kept.
        LargeBufferPool.drainIfUnused()
        #expect(LargeBufferPool.keptCount == 1)
        // Unused for a whole sweep interval: given back.
        LargeBufferPool.drainIfUnused()
        #expect(LargeBufferPool.keptCount == 0)
    }
}
