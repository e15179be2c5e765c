import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The release-shaped process: `autograd-server serve` on an ephemeral port, its healthcheck, and its drain on
/// SIGTERM/SIGINT, driven over real loopback sockets.
// Serialized: each test starts a server process; one at a time keeps the machine usable for the other suites.
@Suite(.serialized) struct ServerLifecycleTests {
  @Test func healthcheckSucceedsAgainstARunningServer() async throws {
    let server = try await RunningServer.start()
    defer { server.kill() }
    let run = try await ServerBinary.run(["healthcheck", "--port", String(server.port)])
    #expect(run.status == 0, "stderr: \(run.stderr)")
  }

  @Test func healthcheckReadsThePortFromTheEnvironment() async throws {
    let server = try await RunningServer.start()
    defer { server.kill() }
    let run = try await ServerBinary.run(
      ["healthcheck"], environment: ["AUTOGRAD_PORT": String(server.port)])
    #expect(run.status == 0, "stderr: \(run.stderr)")
  }

  @Test(arguments: [SIGTERM, SIGINT])
  func signalDrainsAnInFlightRequestThenExitsZero(signal: Int32) async throws {
    let server = try await RunningServer.start()
    defer { server.kill() }
    // A request whose body is still arriving when the listener closes is in flight: it must be answered.
    let connection = try RawConnection(port: server.port)
    try connection.write(
      "POST /v1/sessions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{\"ttl_seconds\""
    )
    try await connection.waitUntilServerHasRead(serverPort: server.port)
    try server.signal(signal)
    try await server.waitUntilNotListening()
    try connection.write(": 60}")
    let answer = try await connection.readToEnd()
    connection.disconnect()
    #expect(answer.hasPrefix("HTTP/1.1 201 "), "answer: \(answer)")
    #expect(try await server.waitForExit() == 0)
  }

  @Test func readinessAnswers503OnceDrainingBegins() async throws {
    let server = try await RunningServer.start()
    defer { server.kill() }
    // The head is complete, so the request is in flight; it reaches the service only once its body does.
    let connection = try RawConnection(port: server.port)
    try connection.write("GET /readyz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{")
    try await connection.waitUntilServerHasRead(serverPort: server.port)
    try server.signal(SIGTERM)
    try await server.waitUntilNotListening()
    try connection.write("}")
    let answer = try await connection.readToEnd()
    connection.disconnect()
    #expect(answer.hasPrefix("HTTP/1.1 503 "), "answer: \(answer)")
    #expect(answer.contains("\"code\":\"draining\""))
    #expect(try await server.waitForExit() == 0)
  }

  @Test func secondSignalDuringTheDrainExitsAtOnceWithStatusOne() async throws {
    let server = try await RunningServer.start(["--drain-deadline", "1h"])
    defer { server.kill() }
    // An unfinished request keeps the drain waiting for the whole (hour-long) deadline.
    let connection = try RawConnection(port: server.port)
    try connection.write(
      "POST /v1/sessions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{"
    )
    try await connection.waitUntilServerHasRead(serverPort: server.port)
    try server.signal(SIGTERM)
    try await server.waitUntilNotListening()
    try server.signal(SIGINT)
    #expect(try await server.waitForExit() == 1)
  }

  /// A signal sent the moment start-up is logged must not be lost: with Dispatch signal sources it sometimes was,
  /// because they register with the kernel later, on another thread.
  @Test func signalRightAfterStartUpIsNeverLost() async throws {
    for _ in 0..<10 {
      let server = try await RunningServer.start()
      defer { server.kill() }
      try server.signal(SIGTERM)
      #expect(try await server.waitForExit() == 0)
    }
  }

  @Test func listenerClosesOnSignal() async throws {
    let server = try await RunningServer.start()
    defer { server.kill() }
    try server.signal(SIGTERM)
    #expect(try await server.waitForExit() == 0)
    #expect(throws: RawConnection.Failure.self) { try RawConnection(port: server.port) }
  }
}

/// `autograd-server serve --port 0` as a child process; the bound port is read from its start-up log line.
// @unchecked: one test drives it, one step at a time (each step awaited before the next).
final class RunningServer: @unchecked Sendable {
  let process: Process
  let port: Int
  private let log: LogReader

  private init(process: Process, port: Int, log: LogReader) {
    self.process = process
    self.port = port
    self.log = log
  }

  static func start(_ extraArguments: [String] = []) async throws -> RunningServer {
    try await offThePool { try startBlocking(extraArguments) }
  }

  private static func startBlocking(_ extraArguments: [String]) throws -> RunningServer {
    let (process, _, stderr) = try ServerBinary.start(
      ["serve", "--port", "0", "--drain-deadline", "5s", "--log-level", "info"] + extraArguments,
      environment: [:])
    let log = LogReader(stderr.fileHandleForReading)
    let line = try log.waitFor("serving")
    guard let match = line.firstMatch(of: /port=(\d+)/), let port = Int(match.1) else {
      process.terminate()
      throw RawConnection.Failure(description: "no port in \(line)")
    }
    return RunningServer(process: process, port: port, log: log)
  }

  func signal(_ number: Int32) throws {
    guard Glibc.kill(process.processIdentifier, number) == 0 else {
      throw RawConnection.Failure(description: "kill failed")
    }
  }

  /// Draining has begun (the service logs it after `beginDraining()`) and the listener refuses connections.
  func waitUntilNotListening() async throws {
    try await offThePool { try self.waitUntilNotListeningBlocking() }
  }

  private func waitUntilNotListeningBlocking() throws {
    try log.waitFor("draining")
    for _ in 0..<500 {
      guard (try? RawConnection(port: port)) != nil else { return }
      usleep(10_000)
    }
    throw RawConnection.Failure(description: "still accepting connections 5 s after the signal")
  }

  func waitForExit() async throws -> Int32 {
    try await offThePool { self.waitForExitBlocking() }
  }

  /// A server that does not exit within the time is killed and reported as status -1, so a hung drain fails the
  /// test instead of hanging the whole run.
  private func waitForExitBlocking(within seconds: Double = 30) -> Int32 {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    guard !process.isRunning else {
      kill()
      process.waitUntilExit()
      return -1
    }
    return process.terminationStatus
  }

  func kill() {
    if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
  }
}

/// Reads a child's stderr line by line; `waitFor` blocks until a line contains the text, or the child closes it.
final class LogReader {
  private let handle: FileHandle
  private var pending = ""
  private(set) var seen: [String] = []

  init(_ handle: FileHandle) {
    self.handle = handle
  }

  /// Gives up after `seconds` without the line, so a silent child fails the test instead of hanging it.
  @discardableResult
  func waitFor(_ text: String, within seconds: Double = 30) throws -> String {
    if let line = seen.first(where: { $0.contains(text) }) { return line }
    let deadline = Date().addingTimeInterval(seconds)
    while true {
      var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
      let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
      guard remaining > 0, poll(&ready, 1, remaining) > 0 else {
        throw RawConnection.Failure(
          description:
            "no '\(text)' in the log within \(seconds) s: \(seen.joined(separator: "\n"))")
      }
      let data = handle.availableData
      guard !data.isEmpty else {
        throw RawConnection.Failure(
          description: "log ended before '\(text)': \(seen.joined(separator: "\n"))")
      }
      pending += String(decoding: data, as: UTF8.self)
      while let newline = pending.firstIndex(of: "\n") {
        let line = String(pending[..<newline])
        pending = String(pending[pending.index(after: newline)...])
        seen.append(line)
      }
      if let line = seen.first(where: { $0.contains(text) }) { return line }
    }
  }
}

/// One blocking loopback connection that can send a request in pieces (to keep it in flight) and read until close.
// @unchecked: one test drives it, one step at a time (each step awaited before the next).
final class RawConnection: @unchecked Sendable {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  private let fd: Int32
  private var isOpen = true

  init(port: Int) throws {
    #if canImport(Glibc)
      fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw Failure(description: "socket failed") }
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
    guard connected else {
      close(fd)
      throw Failure(description: "connect to \(port) failed")
    }
  }

  deinit { disconnect() }

  /// Closes our end, so a server lingering after `Connection: close` sees EOF at once.
  func disconnect() {
    guard isOpen else { return }
    isOpen = false
    close(fd)
  }

  func write(_ text: String) throws {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes {
        send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard sent > 0 else { throw Failure(description: "send failed") }
      offset += sent
    }
  }

  var localPort: Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
  }

  /// Waits until the server's end of this connection has nothing left in its receive queue (Linux
  /// `/proc/net/tcp`), i.e. the server has read what was sent: a signal sent after that cannot overtake the bytes.
  func waitUntilServerHasRead(serverPort: Int) async throws {
    try await offThePool { try self.waitUntilServerHasReadBlocking(serverPort: serverPort) }
  }

  private func waitUntilServerHasReadBlocking(serverPort: Int) throws {
    func hex(_ port: Int) -> String {
      let digits = String(port, radix: 16, uppercase: true)
      return ":" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
    let local = hex(serverPort)
    let remote = hex(localPort)
    for _ in 0..<500 {
      // /proc files report size 0, so read them to the end rather than by their stat size.
      let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() ?? Data()
      let table = String(decoding: data, as: UTF8.self)
      for line in table.split(separator: "\n") {
        let fields = line.split(separator: " ")
        guard fields.count > 4, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else {
          continue
        }
        if fields[4].hasSuffix(":00000000") { return }
      }
      usleep(10_000)
    }
    throw Failure(description: "the server did not read the request within 5 s")
  }

  func readToEnd() async throws -> String {
    try await offThePool { try self.readToEndBlocking() }
  }

  private func readToEndBlocking() throws -> String {
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
      if count == 0 { break }
      guard count > 0 else {
        throw Failure(description: "recv failed after \(received.count) bytes")
      }
      received.append(contentsOf: chunk[0..<count])
    }
    return String(decoding: received, as: UTF8.self)
  }
}
