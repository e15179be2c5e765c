import Glibc
import HTTPServer
import Testing

@testable import HTTPServer

/// The whole-body deadline: max(wholeBody, size / minimumBodyRate) from the end of the head, on top of the pause
/// deadline, driven by a fake clock.
@Suite struct SlowBodyDeadlineTests {
    static let second: UInt64 = 1_000_000_000
    /// 5 s pauses, 12 s for a whole small body, 1000 bytes per second for large ones.
    let timeouts = ConnectionTimeouts(
        headerSection: 10 * second, bodyProgress: 5 * second, idleKeepAlive: 60 * second, write: 30 * second,
        linger: 2 * second, wholeBody: 12 * second, minimumBodyRate: 1000)

    func feed(_ machine: inout ConnectionStateMachine, _ text: String, at now: UInt64)
        -> ConnectionStateMachine.ReadResult
    {
        Array(text.utf8).withUnsafeBufferPointer { machine.bytesReceived($0, now: now).result }
    }

    @Test func allowanceIsTheLargerOfTheWholeBodyTimeAndSizeOverRate() {
        #expect(timeouts.bodyAllowance(bytes: 0) == 12 * Self.second)
        #expect(timeouts.bodyAllowance(bytes: 100) == 12 * Self.second)
        #expect(timeouts.bodyAllowance(bytes: 100_000) == 100 * Self.second)
        #expect(timeouts.bodyAllowance(bytes: Int.max) == UInt64.max / 2)
        var unrated = timeouts
        unrated.minimumBodyRate = 0
        #expect(unrated.bodyAllowance(bytes: 100_000) == 12 * Self.second)
    }

    @Test func bodyTrickledFasterThanThePauseDeadlineStillEndsAtTheWholeBodyDeadline() {
        var machine = ConnectionStateMachine(limits: HTTPParserLimits(), timeouts: timeouts, now: 0)
        #expect(feed(&machine, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", at: 0) == .needMore)
        #expect(machine.deadline == 5 * Self.second)
        for step in UInt64(1)...2 {
            #expect(feed(&machine, "a", at: 4 * step * Self.second) == .needMore)
        }
        // The pause deadline would be 13 s; the whole body's comes first.
        #expect(machine.deadline == 12 * Self.second)
        #expect(machine.timerFired(now: 12 * Self.second - 1) == .none)
        #expect(machine.timerFired(now: 12 * Self.second) == .requestTimeout)
        #expect(machine.closeAfterResponse)
    }

    @Test func largeBodyAtTheMinimumRateGetsSizeOverRate() {
        var machine = ConnectionStateMachine(limits: HTTPParserLimits(), timeouts: timeouts, now: 0)
        _ = feed(&machine, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", at: 0)
        let piece = String(repeating: "b", count: 4000)
        for step in UInt64(1)...24 {
            #expect(feed(&machine, piece, at: 4 * step * Self.second) == .needMore)
        }
        // 96 000 bytes after 96 s: the pause deadline (101 s) is later than the body's 100 s.
        #expect(machine.deadline == 100 * Self.second)
        #expect(feed(&machine, String(repeating: "b", count: 4000), at: 99 * Self.second) == .request)
    }

    @Test func chunkedBodyEarnsTimeAsItArrives() {
        var machine = ConnectionStateMachine(limits: HTTPParserLimits(), timeouts: timeouts, now: 0)
        _ = feed(&machine, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", at: 0)
        #expect(machine.deadline == 5 * Self.second)
        let chunk = "4e20\r\n" + String(repeating: "c", count: 20_000) + "\r\n"
        #expect(feed(&machine, chunk, at: 4 * Self.second) == .needMore)
        // 20 000 bytes earn 20 s from the head; the next pause ends sooner, at 9 s.
        #expect(machine.deadline == 9 * Self.second)
        #expect(feed(&machine, chunk, at: 8 * Self.second) == .needMore)
        #expect(machine.deadline == 13 * Self.second)
        #expect(feed(&machine, chunk, at: 12 * Self.second) == .needMore)
        #expect(feed(&machine, "1\r\nc\r\n", at: 16 * Self.second) == .needMore)
        // 60 001 bytes: 60 s from the head, later than the pause deadline of 21 s.
        #expect(machine.deadline == 21 * Self.second)
    }
}

/// A client trickling its body over loopback is answered 408, with the application's error body.
@Suite struct SlowBodyLoopbackTests {
    @Test func tricklingBodyGets408WithTheErrorBodyAtTheWholeBodyDeadline() async throws {
        try await withServer(configure: {
            $0.timeouts.bodyProgress = .milliseconds(400)
            $0.timeouts.wholeBody = .milliseconds(800)
            $0.timeouts.minimumBodyRate = 1000
            $0.errorBody = { status in
                .init(contentType: "application/json", bytes: Array("{\"status\":\(status)}".utf8))
            }
        }) { port, _ in
            let client = try TestClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
            // One byte every 100 ms never pauses long enough for the 400 ms deadline; stop once the server answers.
            var sent = 0
            while sent < 100 {
                var descriptor = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, 100) > 0 { break }
                try client.send("x")
                sent += 1
            }
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(response.header("Content-Type") == "application/json")
            #expect(response.text == "{\"status\":408}")
            #expect(response.header("Connection") == "close")
            #expect(sent < 100)
        }
    }
}
