// Drives ConnectionStateMachine with an arbitrary interleaving of bytes, clock ticks, responses, shutdown and
// end of input, checking that it never traps and that its answers stay consistent with its phase.

func fuzzStateMachine(_ input: UnsafeBufferPointer<UInt8>) {
    let timeouts = ConnectionTimeouts(
        headerSection: 100, bodyProgress: 50, idleKeepAlive: 200, write: 80, linger: 30)
    let limits = HTTPParserLimits(
        maxRequestLineBytes: 128, maxHeaderSectionBytes: 256, maxHeaderCount: 8, maxBodyBytes: 256,
        maxChunkLineBytes: 32, maxTrailerSectionBytes: 64)
    var machine = ConnectionStateMachine(limits: limits, timeouts: timeouts, now: 0)
    var now: UInt64 = 0
    var index = 0
    var requestInFlight = false
    while index < input.count {
        let op = input[index]
        index += 1
        switch op % 6 {
        case 0, 1:
            // Feed the next (op / 6 + 1) bytes.
            let count = min(Int(op / 6) + 1, input.count - index)
            let chunk = UnsafeBufferPointer(rebasing: input[index..<(index + count)])
            index += count
            let wanted = machine.wantsInput
            let (consumed, result) = machine.bytesReceived(chunk, now: now)
            precondition(consumed >= 0 && consumed <= chunk.count, "consumed out of range")
            if !wanted {
                precondition(consumed == 0 || machine.phase == .lingering, "read while not wanting input")
            }
            switch result {
            case .request:
                precondition(!requestInFlight, "second request before the first was answered")
                precondition(machine.phase == .handling, "request outside handling")
                requestInFlight = true
                _ = machine.takeBody()
            case .error:
                precondition(machine.closeAfterResponse, "error without close")
                requestInFlight = true
            case .needMore, .sendContinue:
                break
            }
        case 2:
            now &+= UInt64(op / 6)
            let before = machine.phase
            switch machine.timerFired(now: now) {
            case .requestTimeout:
                precondition(before == .readingHead || before == .readingBody, "408 outside reading")
                requestInFlight = true
            case .close, .none:
                break
            }
        case 3:
            if requestInFlight && machine.phase != .closed {
                machine.responseStarted(forceClose: op & 0x80 != 0, now: now)
                machine.writeProgressed(now: now)
                let keep = machine.responseFinished(now: now)
                precondition(keep == (machine.phase == .idle), "keep-alive and phase disagree")
                requestInFlight = false
            }
        case 4:
            if machine.requestShutdown() {
                precondition(machine.phase == .closed, "shutdown close without closing")
            }
        default:
            if machine.inputClosed() {
                precondition(machine.phase == .closed, "input close without closing")
            }
        }
        if machine.phase == .closed { return }
    }
}
