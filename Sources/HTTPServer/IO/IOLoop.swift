import CEpoll
import Dispatch
import Glibc
import Logging
import Synchronization

/// One I/O thread: an edge-triggered epoll instance, the connections pinned to it, and their timeout sweep.
///
/// Its own thread rather than Dispatch sources: on Linux every Dispatch source event costs a wake-up of
/// libdispatch's manager thread (to re-arm the registration), a hand-off to a worker thread, an `ioctl` and two
/// `epoll_ctl` calls. Here each descriptor is registered once, for reading and writing, and one `epoll_wait`
/// returns the events of many connections, which are handled on this thread without a hand-off.
///
/// `@unchecked Sendable`: `connections`, `sweepInterval` and `nextSweep` are touched only on the loop's thread
/// (so are `deferredFlushes` and `flushing`; `threadSlice` and `logger` are set in `start` before the thread exists; jobs from other threads come in through `execute`, under the `jobs` mutex); the descriptors are set in `init`
/// and closed only when the thread ends.
final class IOLoop: @unchecked Sendable {
    private let epollFD: Int32
    /// An eventfd that wakes `epoll_wait` when a job is queued.
    private let wakeFD: Int32
    private let jobs = Mutex<Jobs>(Jobs())
    private var connections: [Int32: Connection] = [:]
    private var sweepInterval: UInt64 = 0
    private var nextSweep: UInt64 = 0
    private var threadSlice: UInt64?
    /// The loop thread's `pthread_t`, once it runs: `isCurrentThread` is asked under connection locks on any thread.
    private let threadID = Atomic<UInt>(0)
    /// Connections whose response waits for the end of the batch of events (only touched on the loop's thread).
    private var deferredFlushes: [Connection] = []
    private var flushing: [Connection] = []
    /// Responses held back at most: more are sent at once, so the first client of a long batch waits little.
    private static let deferredFlushLimit = 8
    private var logger: Logger?
    /// The first refusal of a slice is logged, not one per thread.
    private static let sliceRefusalLogged = Atomic<Bool>(false)

    private struct Jobs {
        var pending: [() -> Void] = []
        var thread: pthread_t?
        var started = false
        var stopping = false
    }

    /// `epoll_data` of the wake-up descriptor; connections use their descriptor number (never negative).
    private static let wakeToken = UInt64.max
    private static let eventCapacity = 128

    init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = IOLoop.wakeToken
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Runs `job` on the loop's thread, after the events at hand.
    func execute(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.pending.append(job) }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// Starts the thread; deadlines are swept every `interval` nanoseconds. `threadSlice`: the scheduler slice
    /// (nanoseconds) the thread asks for, nil for the kernel's default (`HTTPServerConfiguration.ioThreadSlice`).
    func start(sweepInterval interval: UInt64, threadSlice: UInt64? = nil, logger: Logger? = nil) {
        let first = jobs.withLock { jobs in
            defer { jobs.started = true }
            return !jobs.started
        }
        guard first else { return }
        sweepInterval = interval
        nextSweep = IOLoop.now() &+ interval
        self.threadSlice = threadSlice
        self.logger = logger
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(
            &thread, nil,
            { raw in
                guard let raw else { return nil }
                let loop = Unmanaged<IOLoop>.fromOpaque(raw).takeRetainedValue()
                loop.configureThread()
                loop.run()
                return nil
            }, context)
        if created == 0 {
            jobs.withLock { $0.thread = thread }
        } else {
            Unmanaged<IOLoop>.fromOpaque(context).release()
            jobs.withLock { $0.started = false }
        }
    }

    /// Ends the thread once the jobs queued so far have run and its connections are gone, and waits for it; the
    /// descriptors close with it.
    func stop() {
        let thread = jobs.withLock { jobs in
            jobs.stopping = true
            defer { jobs.thread = nil }
            return jobs.thread
        }
        guard let thread else { return }
        wake()
        pthread_join(thread, nil)
    }

    deinit {
        // A loop whose thread ran has closed them already.
        if !jobs.withLock({ $0.started }) {
            Glibc.close(epollFD)
            Glibc.close(wakeFD)
        }
    }

    /// On the loop's thread. Edge-triggered for both directions: the connection reads until the socket is empty
    /// (or remembers that it stopped early) and writes until it would block, so no re-arming is ever needed.
    func register(_ connection: Connection) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        event.data.u64 = UInt64(UInt32(bitPattern: connection.fd))
        connections[connection.fd] = connection
        if epoll_ctl(epollFD, EPOLL_CTL_ADD, connection.fd, &event) != 0 {
            connection.close()
        }
    }

    /// On the loop's thread: forgets the connection and closes its descriptor (only here, so its number cannot be
    /// reused while it is still registered).
    func unregister(_ connection: Connection) {
        guard connections[connection.fd] === connection else { return }
        connections[connection.fd] = nil
        epoll_ctl(epollFD, EPOLL_CTL_DEL, connection.fd, nil)
        Glibc.close(connection.fd)
        connection.core.connectionClosed()
    }

    /// On the loop's thread.
    func forEachConnection(_ body: (Connection) -> Void) {
        for connection in Array(connections.values) { body(connection) }
    }

    /// On the loop's thread, before its first event: a name for `top -H` and `ps -L`, and the scheduler slice.
    private func configureThread() {
        threadID.store(UInt(pthread_self()), ordering: .relaxed)
        _ = cepoll_name_thread("http-io")
        guard let threadSlice else { return }
        let error = cepoll_set_thread_slice(threadSlice)
        if error != 0,
            !IOLoop.sliceRefusalLogged.exchange(true, ordering: .relaxed)
        {
            logger?.notice(
                "the I/O threads keep the scheduler's default time slice: sched_setattr failed (errno \(error))")
        }
    }

    var isCurrentThread: Bool {
        let id = threadID.load(ordering: .relaxed)
        return id != 0 && id == UInt(pthread_self())
    }

    /// On the loop's thread, under `connection`'s lock: it sends its response in `flushDeferred`, which takes the
    /// lock again, so not from here.
    func deferFlush(_ connection: Connection) {
        deferredFlushes.append(connection)
    }

    /// On the loop's thread. A flush may answer a pipelined request, which defers again: runs until none is left.
    private func flushDeferred() {
        while !deferredFlushes.isEmpty {
            swap(&flushing, &deferredFlushes)
            for connection in flushing { connection.flushIfDeferred() }
            flushing.removeAll(keepingCapacity: true)
        }
    }

    private func run() {
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: IOLoop.eventCapacity)
        defer { events.deallocate() }
        while true {
            let now = IOLoop.now()
            let wait = nextSweep > now ? Int32(clamping: (nextSweep - now + 999_999) / 1_000_000) : 0
            let count = epoll_wait(epollFD, events, Int32(IOLoop.eventCapacity), wait)
            if count > 0 {
                for k in 0..<Int(count) {
                    let event = events[k]
                    let token = event.data.u64
                    if token == IOLoop.wakeToken {
                        var value: UInt64 = 0
                        _ = read(wakeFD, &value, 8)
                        continue
                    }
                    connections[Int32(bitPattern: UInt32(truncatingIfNeeded: token))]?.handle(
                        events: event.events)
                    if deferredFlushes.count >= IOLoop.deferredFlushLimit { flushDeferred() }
                }
                flushDeferred()
            }
            let (batch, stopping) = jobs.withLock { jobs in
                var batch: [() -> Void] = []
                swap(&batch, &jobs.pending)
                return (batch, jobs.stopping)
            }
            for job in batch { job() }
            let later = IOLoop.now()
            if later >= nextSweep {
                for connection in Array(connections.values) { connection.timerTick(now: later) }
                nextSweep = later &+ sweepInterval
            }
            if stopping && connections.isEmpty { break }
        }
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
    }
}
