/// Timeouts in the nanoseconds of the injected clock.
package struct ConnectionTimeouts: Sendable, Equatable {
    package var headerSection: UInt64
    package var bodyProgress: UInt64
    package var idleKeepAlive: UInt64
    package var write: UInt64
    package var linger: UInt64
    package var wholeBody: UInt64
    /// Bytes per second; 0 gives every body only `wholeBody`.
    package var minimumBodyRate: Int

    package init(
        headerSection: UInt64, bodyProgress: UInt64, idleKeepAlive: UInt64, write: UInt64,
        linger: UInt64, wholeBody: UInt64 = 30_000_000_000, minimumBodyRate: Int = 64 * 1024
    ) {
        self.headerSection = headerSection
        self.bodyProgress = bodyProgress
        self.idleKeepAlive = idleKeepAlive
        self.write = write
        self.linger = linger
        self.wholeBody = wholeBody
        self.minimumBodyRate = minimumBodyRate
    }

    init(_ timeouts: HTTPServerConfiguration.Timeouts) {
        self.init(
            headerSection: timeouts.headerSection.nanoseconds,
            bodyProgress: timeouts.bodyProgress.nanoseconds,
            idleKeepAlive: timeouts.idleKeepAlive.nanoseconds,
            write: timeouts.write.nanoseconds,
            linger: timeouts.linger.nanoseconds,
            wholeBody: timeouts.wholeBody.nanoseconds,
            minimumBodyRate: timeouts.minimumBodyRate
        )
    }

    /// How long a body of `bytes` may take in all: max(`wholeBody`, bytes / `minimumBodyRate`), saturating.
    package func bodyAllowance(bytes: Int) -> UInt64 {
        guard minimumBodyRate > 0, bytes > 0 else { return wholeBody }
        let (scaled, overflow) = UInt64(bytes).multipliedReportingOverflow(by: 1_000_000_000)
        let atRate = overflow ? UInt64.max / 2 : scaled / UInt64(minimumBodyRate)
        return max(wholeBody, min(atRate, UInt64.max / 2))
    }
}

/// The life of one connection, without sockets: what to do with arriving bytes, when a response may be written,
/// whether the connection survives it, and which deadline applies. Time comes in as a parameter (`now`, in
/// nanoseconds of any monotonic clock), so tests drive it with a fake clock.
package struct ConnectionStateMachine: Sendable {
    package enum Phase: Equatable, Sendable {
        /// Between requests (keep-alive) or before the first one.
        case idle
        case readingHead
        case readingBody
        /// A request went to the handler; input is not read until its response is written (backpressure, order).
        case handling
        case writing
        /// The final response is out and the write side shut; input is drained briefly so the client sees it.
        case lingering
        case closed
    }

    /// What arriving bytes led to.
    package enum ReadResult: Equatable, Sendable {
        case needMore
        /// Write `100 Continue`, then keep reading the body.
        case sendContinue
        /// A complete request is in the parser; hand it to the handler.
        case request
        /// Answer with the error's status and `Connection: close`, then linger.
        case error(HTTPParseError)
    }

    package enum TimerResult: Equatable, Sendable {
        case none
        /// Close without a word (idle keep-alive, stuck writes, end of lingering).
        case close
        /// A request stalled mid-way: answer 408 with `Connection: close`.
        case requestTimeout
    }

    package private(set) var phase: Phase = .idle
    package private(set) var parser: HTTPRequestParser
    /// When the current phase times out; nil while the handler runs.
    package private(set) var deadline: UInt64?
    /// The response being written ends the connection.
    package private(set) var closeAfterResponse = false
    package private(set) var shutdownRequested = false
    private var continueSent = false
    /// When the current body's head ended: its whole-body allowance counts from here.
    private var bodyStarted: UInt64 = 0
    private static let shutdownLinger: UInt64 = 250_000_000
    let timeouts: ConnectionTimeouts

    package init(limits: HTTPParserLimits, timeouts: ConnectionTimeouts, now: UInt64) {
        self.parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
        // A fresh connection owes us its first request: holding it for the keep-alive idle time instead would let
        // a flood of silent sockets fill the connection cap for a minute.
        self.deadline = now &+ min(timeouts.idleKeepAlive, timeouts.headerSection)
    }

    /// Whether input should be read now.
    package var wantsInput: Bool {
        switch phase {
        case .idle, .readingHead, .readingBody, .lingering: true
        case .handling, .writing, .closed: false
        }
    }

    /// Feeds received bytes; call again with the unconsumed rest while the result is `.sendContinue`.
    package mutating func bytesReceived(_ input: UnsafeBufferPointer<UInt8>, now: UInt64) -> (
        consumed: Int, result: ReadResult
    ) {
        switch phase {
        case .idle:
            phase = .readingHead
            deadline = now &+ timeouts.headerSection
        case .readingHead, .readingBody:
            break
        case .lingering:
            // Draining: everything is discarded.
            return (input.count, .needMore)
        case .handling, .writing, .closed:
            return (0, .needMore)
        }
        var consumed = 0
        while true {
            let remaining = UnsafeBufferPointer(rebasing: input[consumed...])
            let (used, step) = parser.parse(remaining)
            consumed += used
            switch step {
            case .needMore:
                if phase == .readingBody && used > 0 { deadline = bodyDeadline(now: now) }
                return (consumed, .needMore)
            case .headComplete:
                phase = .readingBody
                bodyStarted = now
                deadline = bodyDeadline(now: now)
                if parser.head.expectContinue && !continueSent && !parser.isComplete {
                    continueSent = true
                    return (consumed, .sendContinue)
                }
            case .messageComplete:
                phase = .handling
                deadline = nil
                closeAfterResponse = !parser.head.keepAlive || shutdownRequested
                return (consumed, .request)
            case .failed(let error):
                phase = .writing
                closeAfterResponse = true
                deadline = now &+ timeouts.write
                return (consumed, .error(error))
            }
        }
    }

    /// The next pause deadline, or the whole body's if that comes first.
    private func bodyDeadline(now: UInt64) -> UInt64 {
        var size = parser.body.count
        if case .length(let length) = parser.head.framing { size = max(size, length) }
        return min(now &+ timeouts.bodyProgress, bodyStarted &+ timeouts.bodyAllowance(bytes: size))
    }

    /// The handler's answer is being written; `forceClose` when the response itself ends the connection.
    package mutating func responseStarted(forceClose: Bool, now: UInt64) {
        if forceClose || shutdownRequested { closeAfterResponse = true }
        phase = .writing
        deadline = now &+ timeouts.write
    }

    /// Some output left; the write deadline restarts (it bounds stalls, not the size of a response).
    package mutating func writeProgressed(now: UInt64) {
        if phase == .writing { deadline = now &+ timeouts.write }
    }

    /// The whole response is out. Returns whether to keep the connection (then parse buffered pipelined bytes).
    package mutating func responseFinished(now: UInt64) -> Bool {
        if closeAfterResponse {
            phase = .lingering
            // While shutting down, a client that does not close promptly should not hold the whole process.
            deadline = now &+ (shutdownRequested ? min(timeouts.linger, Self.shutdownLinger) : timeouts.linger)
            return false
        }
        parser.reset()
        continueSent = false
        phase = .idle
        deadline = now &+ timeouts.idleKeepAlive
        return true
    }

    /// A request timed out or failed outside the parser (e.g. a bad gzip body): its error response is written
    /// and the connection closes after it.
    package mutating func failRequest(now: UInt64) {
        closeAfterResponse = true
        phase = .writing
        deadline = now &+ timeouts.write
    }

    /// The peer closed its side. Returns whether to close now: nothing further can arrive, so only a response
    /// in progress is worth finishing.
    package mutating func inputClosed() -> Bool {
        switch phase {
        case .handling, .writing:
            closeAfterResponse = true
            return false
        default:
            phase = .closed
            return true
        }
    }

    /// Graceful shutdown: idle connections close now; others finish their current request with `Connection: close`.
    package mutating func requestShutdown() -> Bool {
        shutdownRequested = true
        switch phase {
        case .idle, .lingering, .closed:
            phase = .closed
            return true
        case .handling, .writing, .readingHead, .readingBody:
            closeAfterResponse = true
            return false
        }
    }

    package mutating func timerFired(now: UInt64) -> TimerResult {
        guard let deadline, now >= deadline else { return .none }
        switch phase {
        case .readingHead, .readingBody:
            // A half-received request gets a 408; the deadline moves to the write of that response.
            phase = .writing
            closeAfterResponse = true
            self.deadline = now &+ timeouts.write
            return .requestTimeout
        case .idle, .writing, .lingering:
            phase = .closed
            self.deadline = nil
            return .close
        case .handling, .closed:
            return .none
        }
    }

    package mutating func closed() {
        phase = .closed
        deadline = nil
    }

    /// Moves the completed body out of the parser.
    package mutating func takeBody() -> [UInt8] {
        parser.takeBody()
    }

    /// The complete request's head, in the parser's own buffer (see `HTTPRequestParser.takeHeadBytes`).
    package mutating func takeHead() -> RequestHeadBytes {
        RequestHeadBytes(taking: &parser)
    }

    /// A head's buffer back from a request that is done with it, for the next request.
    package mutating func recycleHeadBuffer(_ buffer: consuming [UInt8]) {
        parser.recycleHeadBytes(buffer)
    }
}
