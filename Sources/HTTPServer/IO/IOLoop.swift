import Dispatch

/// One serial I/O queue with the connections pinned to it and their timeout sweep.
///
/// `@unchecked Sendable`: every mutable property is read and written only on `queue` (the timer and every
/// connection callback target it), which serialises all access.
final class IOLoop: @unchecked Sendable {
    let queue: DispatchQueue
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var timer: DispatchSourceTimer?

    init(index: Int) {
        queue = DispatchQueue(label: "http.io.\(index)")
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// On `queue`.
    func register(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = connection
    }

    /// On `queue`.
    func unregister(_ connection: Connection) {
        connections[ObjectIdentifier(connection)] = nil
    }

    /// Sweeps deadlines every `interval`: one timer per queue instead of one per connection.
    func startTimer(interval: UInt64) {
        queue.async {
            let timer = DispatchSource.makeTimerSource(queue: self.queue)
            let repeating = DispatchTimeInterval.nanoseconds(Int(clamping: interval))
            timer.schedule(
                deadline: .now() + repeating, repeating: repeating,
                leeway: .nanoseconds(Int(clamping: interval / 4)))
            timer.setEventHandler { [weak self] in
                guard let self else { return }
                let now = IOLoop.now()
                for connection in connections.values { connection.timerTick(now: now) }
            }
            timer.activate()
            self.timer = timer
        }
    }

    func stopTimer() {
        queue.async {
            self.timer?.cancel()
            self.timer = nil
        }
    }

    /// On `queue`.
    func forEachConnection(_ body: (Connection) -> Void) {
        for connection in Array(connections.values) { body(connection) }
    }
}
