import Testing

@testable import HTTPServer

/// The connection's life driven by a fake clock: `now` is whatever the test says.
@Suite struct ConnectionStateMachineTests {
    static let second: UInt64 = 1_000_000_000
    let timeouts = ConnectionTimeouts(
        headerSection: 10 * second, bodyProgress: 5 * second, idleKeepAlive: 60 * second, write: 30 * second,
        linger: 2 * second)

    func machine(at now: UInt64 = 0) -> ConnectionStateMachine {
        ConnectionStateMachine(limits: HTTPParserLimits(), timeouts: timeouts, now: now)
    }

    func feed(_ machine: inout ConnectionStateMachine, _ text: String, at now: UInt64)
        -> [ConnectionStateMachine.ReadResult]
    {
        let bytes = Array(text.utf8)
        var results: [ConnectionStateMachine.ReadResult] = []
        var offset = 0
        while true {
            let (consumed, result) = bytes.withUnsafeBufferPointer {
                machine.bytesReceived(UnsafeBufferPointer(rebasing: $0[offset...]), now: now)
            }
            offset += consumed
            results.append(result)
            if result != .sendContinue { break }
        }
        return results
    }

    @Test func freshConnectionThatSendsNothingClosesAtTheHeaderDeadline() {
        var machine = machine()
        do {
            let result = machine.timerFired(now: 10 * Self.second - 1)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 10 * Self.second)
            #expect(result == .close)
        }
        #expect(machine.phase == .closed)
    }

    @Test func idleConnectionClosesSilentlyAtTheKeepAliveDeadline() {
        var machine = machine()
        _ = feed(&machine, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", at: 0)
        machine.responseStarted(forceClose: false, now: 1 * Self.second)
        let keepsConnection = machine.responseFinished(now: 1 * Self.second)
        #expect(keepsConnection)
        do {
            let result = machine.timerFired(now: 61 * Self.second - 1)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 61 * Self.second)
            #expect(result == .close)
        }
        #expect(machine.phase == .closed)
    }

    @Test func headerSectionDeadlineCountsFromTheFirstByteNotTheLast() {
        var machine = machine()
        #expect(feed(&machine, "GET / HT", at: 1 * Self.second) == [.needMore])
        #expect(machine.phase == .readingHead)
        // Dripping bytes does not extend the deadline (slowloris).
        #expect(feed(&machine, "TP/1.1\r\n", at: 10 * Self.second) == [.needMore])
        do {
            let result = machine.timerFired(now: 11 * Self.second - 1)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 11 * Self.second)
            #expect(result == .requestTimeout)
        }
        #expect(machine.closeAfterResponse)
        #expect(machine.phase == .writing)
    }

    @Test func bodyDeadlineMovesWithEveryPieceOfBody() {
        var machine = machine()
        #expect(feed(&machine, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nab", at: 0) == [.needMore])
        #expect(machine.phase == .readingBody)
        #expect(feed(&machine, "c", at: 4 * Self.second) == [.needMore])
        do {
            let result = machine.timerFired(now: 8 * Self.second)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 9 * Self.second)
            #expect(result == .requestTimeout)
        }
    }

    @Test func keepAliveCycleReturnsToIdleWithAFreshDeadline() {
        var machine = machine()
        #expect(feed(&machine, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 0) == [.request])
        #expect(machine.phase == .handling)
        #expect(!machine.wantsInput)
        // The handler may take as long as it likes.
        do {
            let result = machine.timerFired(now: 1000 * Self.second)
            #expect(result == .none)
        }
        machine.responseStarted(forceClose: false, now: 1000 * Self.second)
        do {
            let result = machine.responseFinished(now: 1001 * Self.second)
            #expect(result)
        }
        #expect(machine.phase == .idle)
        do {
            let result = machine.timerFired(now: 1060 * Self.second)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 1061 * Self.second)
            #expect(result == .close)
        }
    }

    @Test func connectionCloseRequestLingersAfterItsResponse() {
        var machine = machine()
        #expect(feed(&machine, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", at: 0) == [.request])
        #expect(machine.closeAfterResponse)
        machine.responseStarted(forceClose: false, now: 1)
        do {
            let result = machine.responseFinished(now: 1)
            #expect(!result)
        }
        #expect(machine.phase == .lingering)
        do {
            let result = machine.timerFired(now: 2 * Self.second + 1)
            #expect(result == .close)
        }
    }

    @Test func stalledWriteClosesAtTheWriteDeadlineAndProgressExtendsIt() {
        var machine = machine()
        _ = feed(&machine, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 0)
        machine.responseStarted(forceClose: false, now: 0)
        machine.writeProgressed(now: 20 * Self.second)
        do {
            let result = machine.timerFired(now: 49 * Self.second)
            #expect(result == .none)
        }
        do {
            let result = machine.timerFired(now: 50 * Self.second)
            #expect(result == .close)
        }
    }

    @Test func expectContinueAsksForContinueOnceThenWaitsForTheBody() {
        var machine = machine()
        let head = "PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
        #expect(feed(&machine, head, at: 0) == [.sendContinue, .needMore])
        #expect(feed(&machine, "abc", at: 1) == [.request])
        do {
            let result = machine.takeBody()
            #expect(result == Array("abc".utf8))
        }
    }

    @Test func parserErrorClosesAfterTheErrorResponse() {
        var machine = machine()
        #expect(feed(&machine, "GET / HTTP/1.1\r\n\r\n", at: 0) == [.error(.missingHost)])
        #expect(machine.closeAfterResponse)
        #expect(!machine.wantsInput)
        do {
            let result = machine.responseFinished(now: 1)
            #expect(!result)
        }
        #expect(machine.phase == .lingering)
    }

    @Test func shutdownClosesIdleConnectionsAtOnce() {
        var machine = machine()
        do {
            let result = machine.requestShutdown()
            #expect(result)
        }
        #expect(machine.phase == .closed)
    }

    @Test func shutdownLetsTheRequestInFlightFinishWithClose() {
        var machine = machine()
        _ = feed(&machine, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 0)
        do {
            let result = machine.requestShutdown()
            #expect(!result)
        }
        machine.responseStarted(forceClose: false, now: 1)
        #expect(machine.closeAfterResponse)
        do {
            let result = machine.responseFinished(now: 2)
            #expect(!result)
        }
    }

    @Test func peerClosingAnIdleConnectionClosesIt() {
        var machine = machine()
        do {
            let result = machine.inputClosed()
            #expect(result)
        }
        var busy = self.machine()
        _ = feed(&busy, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", at: 0)
        do {
            let result = busy.inputClosed()
            #expect(!result)
        }
        #expect(busy.closeAfterResponse)
    }
}
