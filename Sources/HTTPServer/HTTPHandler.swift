import HTTPTypes

/// The application's one entry point: a request in, a response out.
public protocol HTTPHandler: Sendable {
    func handle(_ request: HTTPServerRequest) async -> HTTPServerResponse

    /// Whether `handle` may start on the I/O thread that read the request (small bodies only) and run there until
    /// it first suspends, instead of in the concurrency pool. Saves two thread hand-offs per request, which is most
    /// of the cost of a request that takes microseconds; but while it runs, the other connections of that thread
    /// wait for their I/O. Say yes only for requests that finish quickly. Default: no.
    func handlesInline(_ request: HTTPServerRequest) -> Bool

    /// Answers a request with a small body without suspending, when it can: on the I/O thread, outside any task,
    /// while the other connections of that thread wait (so only for work that finishes quickly). Nil hands the
    /// request on (to `handlesInline`, then `handle`), so nothing this attempt did may show: a handler that would
    /// have to wait says nil before it changes anything. Saves creating and running a task per request, which costs
    /// more than a small request's own work. Default: nil.
    func respondImmediately(to request: HTTPServerRequest) -> HTTPServerResponse?
}

extension HTTPHandler {
    public func handlesInline(_ request: HTTPServerRequest) -> Bool { false }

    public func respondImmediately(to request: HTTPServerRequest) -> HTTPServerResponse? { nil }
}
