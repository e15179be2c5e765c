import Foundation
import HTTPServer
import Testing

/// `HTTPServerConfiguration.ioThreadSlice`: the I/O threads are named `http-io` and ask the scheduler for the
/// configured slice, which Linux reports as `se.slice` in `/proc/self/task/TID/sched`.
@Suite struct IOThreadSliceTests {
    /// Slices (ns) of this process's threads named `http-io`; nil where the kernel reports no slice (before 6.6).
    private static func ioThreadSlices() throws -> [Int]? {
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")
        var slices: [Int] = []
        for task in tasks {
            guard
                let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                name.trimmingCharacters(in: .whitespacesAndNewlines) == "http-io",
                let sched = try? String(contentsOfFile: "/proc/self/task/\(task)/sched", encoding: .utf8)
            else { continue }
            guard let line = sched.split(separator: "\n").first(where: { $0.hasPrefix("se.slice ") }) else {
                return nil
            }
            if let value = line.split(separator: ":").last.flatMap({
                Int($0.trimmingCharacters(in: .whitespaces))
            }) {
                slices.append(value)
            }
        }
        return slices
    }

    @Test func ioThreadsAskForTheConfiguredSliceAndServe() async throws {
        try await withServer(configure: {
            $0.ioQueueCount = 3
            $0.ioThreadSlice = .microseconds(250)
        }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            // Other suites' servers run in this process too; none of them asks for 250 µs.
            if let slices = try IOThreadSliceTests.ioThreadSlices() {
                #expect(slices.filter { $0 == 250_000 }.count == 3)
            }
        }
    }

    @Test func slicesBelowTheKernelsMinimumAreClampedAndTheServerStillServes() async throws {
        try await withServer(configure: {
            $0.ioQueueCount = 2
            $0.ioThreadSlice = .nanoseconds(1)
        }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            if let slices = try IOThreadSliceTests.ioThreadSlices() {
                // The kernel clamps a requested slice to 0.1...100 ms.
                #expect(!slices.contains { $0 < 100_000 })
            }
        }
    }
}
