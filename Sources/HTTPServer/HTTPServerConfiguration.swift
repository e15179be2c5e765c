/// Everything an operator may tune. The defaults suit a JSON API on a small machine behind no proxy.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IPv4 or IPv6 literal (`"::"` listens on both families where the system allows).
    public var host: String
    /// Port to bind; 0 asks the system for an ephemeral port (see `HTTPServer.start()`).
    public var port: Int
    public var limits: Limits
    public var timeouts: Timeouts
    /// Open connections beyond this get `503` and are closed.
    public var maxConnections: Int
    public var gzip: Gzip
    /// The body of the answers the server gives on its own (parser errors, 408, 413, 503 at the cap), so they can
    /// speak the application's error format; nil keeps them bodiless.
    public var errorBody: @Sendable (_ status: Int) -> ErrorBody? = { _ in nil }
    /// Serial I/O queues (connections are spread over them); 0 means one per CPU core.
    public var ioQueueCount: Int
    /// Pending connections the kernel may queue before `accept`.
    public var backlog: Int
    /// Serve HTTPS with this certificate and key; nil (the default) serves plain HTTP.
    public var tls: TLS?
    /// The time slice the I/O threads ask the kernel's scheduler for (Linux 6.6+ EEVDF, `sched_setattr` with
    /// SCHED_OTHER; the kernel clamps it to 0.1...100 ms); nil keeps the kernel's default (a few milliseconds).
    /// A shorter slice gives a woken I/O thread an earlier deadline, so on Linux 6.12+ it preempts a CPU-bound
    /// thread (a handler's long computation, a batch job, a co-located load generator) instead of waiting behind
    /// it: an I/O thread runs for tens of microseconds per wake-up, and its waits are every client's tail latency.
    /// It changes no priority or share of CPU time: a thread that runs longer than its slice is queued again as
    /// usual. Where the system refuses the call (older kernels, seccomp filters), the threads keep the default.
    public var ioThreadSlice: Duration? = nil

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        limits: Limits = Limits(),
        timeouts: Timeouts = Timeouts(),
        maxConnections: Int = 4096,
        gzip: Gzip = Gzip(),
        ioQueueCount: Int = 0,
        backlog: Int = 1024
    ) {
        self.host = host
        self.port = port
        self.limits = limits
        self.timeouts = timeouts
        self.maxConnections = maxConnections
        self.gzip = gzip
        self.ioQueueCount = ioQueueCount
        self.backlog = backlog
    }

    public struct Limits: Sendable {
        /// Request line incl. CRLF; a longer target gets 414.
        public var requestLineBytes: Int
        /// All header field lines together; more gets 431.
        public var headerSectionBytes: Int
        /// Number of header fields; more gets 431.
        public var headerCount: Int
        /// Body as sent (after chunked decoding); more gets 413, before reading it when Content-Length says so.
        public var bodyBytes: Int
        /// Body after gzip inflation; more gets 413 (zip bombs).
        public var inflatedBodyBytes: Int

        public init(
            requestLineBytes: Int = 8192,
            headerSectionBytes: Int = 32768,
            headerCount: Int = 100,
            bodyBytes: Int = 16 << 20,
            inflatedBodyBytes: Int = 64 << 20
        ) {
            self.requestLineBytes = requestLineBytes
            self.headerSectionBytes = headerSectionBytes
            self.headerCount = headerCount
            self.bodyBytes = bodyBytes
            self.inflatedBodyBytes = inflatedBodyBytes
        }
    }

    public struct Timeouts: Sendable {
        /// From the first byte of a request to the end of its header section (whole section, not per byte).
        public var headerSection: Duration
        /// Longest pause between two pieces of a body.
        public var bodyProgress: Duration
        /// A whole body must arrive within max(`wholeBody`, its size / `minimumBodyRate`) of the end of its head
        /// (for chunked bodies, the size received so far), so a body trickled just fast enough to beat
        /// `bodyProgress` still ends; past that the request gets 408.
        public var wholeBody: Duration
        /// Bytes per second a large body may take its time at; 0 allows every body only `wholeBody`.
        public var minimumBodyRate: Int
        /// How long a keep-alive connection may sit between requests.
        public var idleKeepAlive: Duration
        /// Longest pause while the client does not accept response bytes.
        public var write: Duration
        /// How long to drain input after the last response before closing (lingering close).
        public var linger: Duration

        public init(
            headerSection: Duration = .seconds(10),
            bodyProgress: Duration = .seconds(10),
            wholeBody: Duration = .seconds(30),
            minimumBodyRate: Int = 64 * 1024,
            idleKeepAlive: Duration = .seconds(60),
            write: Duration = .seconds(30),
            linger: Duration = .seconds(2)
        ) {
            self.headerSection = headerSection
            self.bodyProgress = bodyProgress
            self.wholeBody = wholeBody
            self.minimumBodyRate = minimumBodyRate
            self.idleKeepAlive = idleKeepAlive
            self.write = write
            self.linger = linger
        }
    }

    public struct Gzip: Sendable {
        public var enabled: Bool
        /// Smaller bodies are sent as they are: compressing them costs more than it saves.
        public var minimumBodyBytes: Int
        /// zlib level 1...9.
        public var level: Int

        public init(enabled: Bool = true, minimumBodyBytes: Int = 1024, level: Int = 5) {
            self.enabled = enabled
            self.minimumBodyBytes = minimumBodyBytes
            self.level = level
        }
    }

    var parserLimits: HTTPParserLimits {
        HTTPParserLimits(
            maxRequestLineBytes: limits.requestLineBytes,
            maxHeaderSectionBytes: limits.headerSectionBytes,
            maxHeaderCount: limits.headerCount,
            maxBodyBytes: limits.bodyBytes
        )
    }
}

extension Duration {
    /// Whole nanoseconds, saturating: the clock the connection state machine counts in.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return UInt64.max / 2 }
        return whole &+ UInt64(attoseconds / 1_000_000_000)
    }

}

extension HTTPServerConfiguration {
    /// HTTPS through OpenSSL: TLS 1.2 or later, OpenSSL's ciphers at security level 2, ALPN `http/1.1`. Files are
    /// read once, by `HTTPServer.start()`, which throws `TLSConfigurationError` when they cannot be used.
    public struct TLS: Sendable {
        /// PEM: the server certificate first, then any intermediates.
        public var certificatePath: String
        /// PEM: the private key matching the certificate (unencrypted).
        public var privateKeyPath: String

        public init(certificatePath: String, privateKeyPath: String) {
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
        }
    }

    /// What `errorBody` gives for a status: the bytes and their media type.
    public struct ErrorBody: Sendable {
        public var contentType: String
        public var bytes: [UInt8]

        public init(contentType: String, bytes: [UInt8]) {
            self.contentType = contentType
            self.bytes = bytes
        }
    }
}
