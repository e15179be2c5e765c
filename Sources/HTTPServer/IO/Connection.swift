import CEpoll
import Glibc
import HTTPTypes
import Synchronization

/// One client connection: the socket and the buffers, driving a `ConnectionStateMachine`.
///
/// `@unchecked Sendable`: all mutable state is touched only while holding `lock`. Socket events arrive on the
/// loop's thread. A request with a small body is answered right there when the handler can do so without a task
/// (`HTTPHandler.respondImmediately`); else, if the handler agrees (`HTTPHandler.handlesInline`), it runs there in a
/// task until the handler first suspends; others, or a handler that suspends, go on in the concurrency
/// pool, and that task writes its response directly under the lock instead of hopping back. Each hop between
/// threads cost more CPU than the request's own work. The descriptor is closed only by the loop, on its thread,
/// after `close`, so its number cannot be reused while it is registered.
final class Connection: @unchecked Sendable {
    let fd: Int32
    let loop: IOLoop
    let core: ServerCore
    private let lock = Mutex<Void>(())
    /// Per connection, so no lock is shared between connections; formatting once a second is cheap.
    private var dateCache = DateCache()
    private var machine: ConnectionStateMachine
    /// Reading stopped early (input buffer full, end of input, or an error response going out): the loop's
    /// edge-triggered events will not repeat what is already waiting, so `resumeReading` reads on by itself.
    private var readSuspended = false
    /// Inside `onReadable`, which reads on anyway: a resume from within must not nest another.
    private var reading = false
    /// A write would block: the loop's next writable event flushes.
    private var writeBlocked = false
    private var cancelled = false
    /// Over the connection cap: answer 503 and close.
    private let rejected: Bool
    private let transport: Transport
    /// TLS must write before it can read on (handshake, key update): reading waits for the socket to drain.
    private var readWaitsForWritable = false
    /// TLS must read before it can write on: the pending output waits for input.
    private var writeWaitsForReadable = false
    /// Set while `processInput` runs, so a response written inside it does not start a nested parse.
    private var processingInput = false
    /// Hands the outcome of a handler started inline back to the dispatcher that still holds `lock`.
    private let inlineOutcome = Mutex<InlineOutcome>(.idle)

    private enum InlineOutcome {
        case idle
        /// The handler runs synchronously inside `dispatchRequest`.
        case running
        /// It completed before `dispatchRequest` looked: the dispatcher writes the response. Otherwise the state
        /// is back to `idle` when the task completes, and the task writes the response itself.
        case finished(ServerCore.Outcome)
    }

    /// Bodies up to this size may be handled on the I/O thread; parsing a larger one (a 12 MB tensor) there would
    /// stall every other connection of the loop.
    private static let inlineBodyLimit = 64 * 1024

    private static let inputCapacity = 16 * 1024
    private let input = UnsafeMutablePointer<UInt8>.allocate(capacity: Connection.inputCapacity)
    private var inputStart = 0
    private var inputEnd = 0

    private var outputHead: [UInt8] = []
    private var outputBody: [UInt8] = []
    private var headSent = 0
    private var bodySent = 0
    /// The pending output ends with a final response (not just `100 Continue`).
    private var outputIsFinal = false
    /// The pending response waits for the loop's `flushDeferred`.
    private var flushDeferred = false

    init(fd: Int32, loop: IOLoop, core: ServerCore, rejected: Bool, transport: Transport) {
        self.fd = fd
        self.loop = loop
        self.core = core
        self.rejected = rejected
        self.transport = transport
        self.machine = ConnectionStateMachine(
            limits: core.configuration.parserLimits, timeouts: core.timeouts, now: IOLoop.now())
        outputHead.reserveCapacity(512)
    }

    deinit {
        input.deallocate()
    }

    /// Called on the accept queue. The loop registers the descriptor on its thread; an edge-triggered registration
    /// reports what is already readable, so nothing that arrived before is missed.
    func start() {
        let loop = self.loop
        loop.execute { loop.register(self) }
        if rejected {
            lock.withLock { _ in sendError(status: 503) }
        }
    }

    /// On the loop's thread: what epoll reported for this descriptor.
    func handle(events: UInt32) {
        lock.withLock { _ in
            guard !cancelled else { return }
            if events & (EPOLLOUT.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
                if writeBlocked {
                    writeBlocked = false
                    flush()
                }
                if readWaitsForWritable && !cancelled {
                    readWaitsForWritable = false
                    readSuspended = false
                    onReadable(stopAtShortRead: false)
                }
            }
            if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0
                && !cancelled
            {
                if writeWaitsForReadable {
                    writeWaitsForReadable = false
                    flush()
                }
                if !readSuspended && !cancelled {
                    // After a short read the socket is empty, unless the peer's end of input came with this event.
                    onReadable(stopAtShortRead: events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) == 0)
                }
            }
        }
    }

    // MARK: Reading

    /// Reads until the socket is empty (edge-triggered events fire again only for new input), the buffer is full,
    /// or the input ends.
    private func onReadable(stopAtShortRead: Bool) {
        guard !cancelled else { return }
        reading = true
        defer { reading = false }
        while true {
            if inputStart == inputEnd {
                inputStart = 0
                inputEnd = 0
            } else if inputEnd == Connection.inputCapacity && inputStart > 0 {
                (input + 0).update(from: input + inputStart, count: inputEnd - inputStart)
                inputEnd -= inputStart
                inputStart = 0
            }
            let space = Connection.inputCapacity - inputEnd
            guard space > 0 else {
                // Pipelined bytes fill the buffer behind a request in progress: stop reading until its response
                // is out (backpressure; the client cannot make us buffer more than this).
                suspendReading()
                return
            }
            switch transport.receive(fd: fd, into: input + inputEnd, count: space) {
            case .transferred(let count):
                if machine.phase == .lingering {
                    continue  // discard: the client only needs to see our last response
                }
                inputEnd += count
                processInput()
                if cancelled { return }
                // A short read from a stream socket emptied it, and the next arrival is a new event; not under
                // TLS, which returns one record per read while more may wait, unannounced (it reads on until it must wait).
                if count < space && stopAtShortRead && transport.shortReadMeansDrained { return }
            case .end:
                if machine.inputClosed() {
                    closeLocked()
                } else {
                    suspendReading()  // end of input stays readable; finish the response first
                }
                return
            case .wait(.readable):
                return
            case .wait(.writable):
                readWaitsForWritable = true
                suspendReading()
                return
            case .failed:
                closeLocked()
                return
            }
        }
    }

    /// Parses buffered bytes; also called after a response for pipelined requests already here. A request answered
    /// inline leaves the machine wanting input again, so the loop goes on with the next pipelined one.
    private func processInput() {
        guard !processingInput else { return }
        processingInput = true
        defer { processingInput = false }
        while inputStart < inputEnd && machine.wantsInput && machine.phase != .lingering && !cancelled {
            let now = IOLoop.now()
            let (consumed, result) = machine.bytesReceived(
                UnsafeBufferPointer(start: input + inputStart, count: inputEnd - inputStart), now: now)
            inputStart += consumed
            switch result {
            case .needMore:
                return
            case .sendContinue:
                queueOutput(head: ResponseEncoder.continueResponse, body: [], final: false)
            case .request:
                dispatchRequest()
            case .error(let error):
                sendError(status: error.status)
                return
            }
        }
    }

    private func dispatchRequest() {
        // Reading stays armed while the request is handled, so nothing has to be re-armed from the handler's
        // thread afterwards. Bytes that arrive meanwhile wait unparsed in `input` (order, RFC 9112 §9.3.2) and
        // reading stops when it is full (backpressure).
        let info = machine.parser.head
        let head = machine.takeHead()
        let http10 = machine.parser.versionMinor == 0
        let request = HTTPServerRequest(parsedHead: head, body: machine.takeBody(), isHEAD: info.isHEAD)
        let core = self.core
        let small = request.body.count <= Connection.inlineBodyLimit
        // Most small requests are answered right here, without a task.
        if small, info.contentEncodingField == nil,
            let outcome = core.respondImmediately(to: request, acceptsGzip: info.acceptsGzip)
        {
            // Answered: the head's buffer goes back to the parser, so the next request's head costs no allocation.
            var answered = consume request
            machine.recycleHeadBuffer(answered.takeHeadStorage())
            responseReady(
                outcome, isHEAD: info.isHEAD, http10: http10, deferFlush: loop.isCurrentThread)
            return
        }
        guard small, core.handler.handlesInline(request), #available(macOS 26.0, *) else {
            Task {
                let outcome = await core.respond(
                    to: request, acceptsGzip: info.acceptsGzip,
                    hasContentEncoding: info.contentEncodingField != nil)
                // A tensor upload's body, already parsed: kept for the next one.
                LargeBufferPool.recycle(request.body)
                self.lock.withLock { _ in
                    self.responseReady(outcome, isHEAD: info.isHEAD, http10: http10)
                }
            }
            return
        }
        inlineOutcome.withLock { $0 = .running }
        // Runs synchronously on this thread until the handler's first suspension; most requests finish first.
        Task.immediate {
            let outcome = await core.respond(
                to: request, acceptsGzip: info.acceptsGzip,
                hasContentEncoding: info.contentEncodingField != nil)
            let finishedInline = self.inlineOutcome.withLock { state in
                guard case .running = state else { return false }
                state = .finished(outcome)
                return true
            }
            if !finishedInline {
                self.lock.withLock { _ in
                    self.responseReady(outcome, isHEAD: info.isHEAD, http10: http10)
                }
            }
        }
        let finished: ServerCore.Outcome? = inlineOutcome.withLock { state in
            defer { state = .idle }
            guard case .finished(let outcome) = state else { return nil }
            return outcome
        }
        if let finished {
            responseReady(finished, isHEAD: info.isHEAD, http10: http10)
        }
    }

    // MARK: Writing

    /// `deferFlush`: on the loop's thread, the response goes out when the loop has handled the events at hand
    /// (`IOLoop.flushDeferred`). Each send wakes a client, whose thread then often takes this core from the loop
    /// before it reaches the other connections' requests, already read and waiting; sending a batch together
    /// costs one such switch instead of one per response.
    private func responseReady(
        _ outcome: ServerCore.Outcome, isHEAD: Bool, http10: Bool, deferFlush: Bool = false
    ) {
        guard !cancelled else { return }
        let response = outcome.response
        machine.responseStarted(forceClose: outcome.close, now: IOLoop.now())
        let framing = ResponseEncoder.Framing(
            keepAlive: !machine.closeAfterResponse, http10: http10, isHEAD: isHEAD)
        // Encoded straight into `outputHead`, whose buffer `flush` emptied and kept: a second reference to it
        // (a local swapped in and out) made `removeAll(keepingCapacity:)` copy it, one allocation per response.
        outputHead.removeAll(keepingCapacity: true)
        let date = dateCache.current()
        let sendsBody = ResponseEncoder.encodeHead(
            status: response.status, fields: response.headerFields, contentType: response.contentType,
            requestID: response.requestID, bodyCount: response.body.count,
            framing: framing, date: date, into: &outputHead)
        headSent = 0
        outputBody = sendsBody ? response.body : []
        bodySent = 0
        outputIsFinal = true
        if deferFlush {
            flushDeferred = true
            loop.deferFlush(self)
        } else {
            flush()
        }
    }

    /// On the loop's thread: sends a response `responseReady` left for the end of the loop's batch of events.
    func flushIfDeferred() {
        lock.withLock { _ in
            guard flushDeferred else { return }
            flushDeferred = false
            guard !cancelled else { return }
            flush()
        }
    }

    /// A parser error, timeout or the connection cap: a bodiless answer with `Connection: close`.
    private func sendError(status: Int) {
        var head: [UInt8] = []
        let body = core.configuration.errorBody(status)
        ResponseEncoder.encodeError(status: status, date: dateCache.current(), body: body, into: &head)
        if rejected || machine.phase != .writing { machine.failRequest(now: IOLoop.now()) }
        queueOutput(head: head, body: body?.bytes ?? [], final: true)
    }

    private func queueOutput(head: [UInt8], body: [UInt8], final: Bool) {
        if headSent == outputHead.count && bodySent == outputBody.count {
            outputHead = head
            outputBody = body
            headSent = 0
            bodySent = 0
        } else {
            // Behind an unsent 100 Continue: append (rare, small).
            outputHead.append(contentsOf: outputBody[bodySent...])
            outputHead.append(contentsOf: head)
            outputBody = body
            bodySent = 0
        }
        outputIsFinal = final
        if final { suspendReading() }
        flush()
    }

    /// Writes as much pending output as the socket takes: head and body together.
    private func flush() {
        while headSent < outputHead.count || bodySent < outputBody.count {
            let result = outputHead.withUnsafeBytes { head in
                outputBody.withUnsafeBytes { body in
                    transport.send(
                        fd: fd,
                        head: UnsafeRawBufferPointer(
                            start: head.baseAddress.map { $0 + headSent }, count: head.count - headSent),
                        body: UnsafeRawBufferPointer(
                            start: body.baseAddress.map { $0 + bodySent }, count: body.count - bodySent))
                }
            }
            switch result {
            case .transferred(let written):
                let fromHead = min(written, outputHead.count - headSent)
                headSent += fromHead
                bodySent += written - fromHead
                machine.writeProgressed(now: IOLoop.now())
            case .wait(.writable):
                writeBlocked = true
                return
            case .wait(.readable):
                // The loop's next readable event flushes again (whether or not reading is suspended).
                writeWaitsForReadable = true
                return
            case .end, .failed:
                closeLocked()  // EPIPE, ECONNRESET, a TLS failure: the client is gone
                return
            }
        }
        outputHead.removeAll(keepingCapacity: true)
        let sent = outputBody
        outputBody = []
        LargeBufferPool.recycle(sent)
        headSent = 0
        bodySent = 0
        if outputIsFinal {
            outputIsFinal = false
            responseWritten()
        }
    }

    private func responseWritten() {
        if machine.responseFinished(now: IOLoop.now()) {
            processInput()  // pipelined requests already buffered: the socket will not signal them again
            if !cancelled && machine.wantsInput {
                resumeReading()
                // Bytes TLS already decrypted raise no event either.
                if transport.hasBufferedInput && !reading && !cancelled { onReadable(stopAtShortRead: false) }
            }
        } else {
            // Lingering close (RFC 9112 §9.6): stop sending, drain what the client still sends, then close.
            transport.finishSending(fd: fd)
            resumeReading()
        }
    }

    // MARK: Reading on and off

    private func suspendReading() {
        readSuspended = true
    }

    private func resumeReading() {
        guard readSuspended, !cancelled else { return }
        readSuspended = false
        // What arrived while suspended raised no new event.
        if !reading { onReadable(stopAtShortRead: false) }
    }

    // MARK: Timeouts, shutdown, close

    func timerTick(now: UInt64) {
        lock.withLock { _ in timerTickLocked(now: now) }
    }

    private func timerTickLocked(now: UInt64) {
        guard !cancelled else { return }
        switch machine.timerFired(now: now) {
        case .none:
            break
        case .close:
            closeLocked()
        case .requestTimeout:
            sendError(status: 408)
        }
    }

    func beginShutdown() {
        lock.withLock { _ in
            guard !cancelled else { return }
            if machine.requestShutdown() { closeLocked() }
        }
    }

    func close() {
        lock.withLock { _ in closeLocked() }
    }

    /// The loop closes the descriptor on its thread; nothing here touches it once `cancelled` is set.
    private func closeLocked() {
        guard !cancelled else { return }
        cancelled = true
        machine.closed()
        transport.closing()
        let loop = self.loop
        loop.execute { loop.unregister(self) }
    }
}
