import Dispatch

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A tiny HTTP/1.1 client over a blocking loopback socket (URLSession is unreliable on Linux for this). One
/// connection, kept alive across requests; responses framed by `Content-Length`. Blocking I/O runs on a Dispatch
/// thread so it never ties up the Swift concurrency pool the server itself runs on.
final class SocketClient: @unchecked Sendable {
  // @unchecked: `fd` and `buffer` are touched only inside `queue`, a serial queue.
  let port: UInt16
  private var fd: Int32 = -1
  private var buffer: [UInt8] = []
  private let queue = DispatchQueue(label: "test.socket-client")

  init(port: UInt16) {
    self.port = port
  }

  deinit {
    if fd >= 0 { close(fd) }
  }

  func send(_ raw: [UInt8]) async throws -> TestResponse {
    try await withCheckedThrowingContinuation { continuation in
      queue.async {
        continuation.resume(with: Result { try self.exchange(raw) })
      }
    }
  }

  /// Writes every request in one go (HTTP/1.1 pipelining), then reads one response per request, in order.
  func pipeline(_ requests: [[UInt8]]) async throws -> [TestResponse] {
    try await withCheckedThrowingContinuation { continuation in
      queue.async {
        continuation.resume(
          with: Result {
            if self.fd < 0 { try self.connect() }
            try self.writeAll(requests.flatMap { $0 })
            return try requests.map { _ in try self.readResponse() }
          })
      }
    }
  }

  /// Sends bytes as they are (for malformed-request tests) and reads one response.
  private func exchange(_ raw: [UInt8]) throws -> TestResponse {
    if fd < 0 { try connect() }
    try writeAll(raw)
    return try readResponse()
  }

  private func connect() throws {
    #if canImport(Glibc)
      let socketType = Int32(SOCK_STREAM.rawValue)
    #else
      let socketType = SOCK_STREAM
    #endif
    fd = socket(AF_INET, socketType, 0)
    guard fd >= 0 else { throw TestFailure("socket() failed") }
    var one: Int32 = 1
    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else {
      close(fd)
      fd = -1
      throw TestFailure("connect() to port \(port) failed")
    }
  }

  private func writeAll(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes {
        Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
      }
      guard n > 0 else { throw TestFailure("send() failed") }
      offset += n
    }
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65536)
    let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0 else { throw TestFailure("connection closed") }
    buffer.append(contentsOf: chunk[0..<n])
  }

  private func readResponse() throws -> TestResponse {
    let separator: [UInt8] = [13, 10, 13, 10]
    var headEnd: Int?
    while headEnd == nil {
      if buffer.count >= 4 {
        for i in 0...(buffer.count - 4) where Array(buffer[i..<i + 4]) == separator {
          headEnd = i
          break
        }
      }
      if headEnd == nil { try fill() }
    }
    guard let headEnd else { throw TestFailure("no head") }
    let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
    var lines = head.components(separatedBy: "\r\n")
    let statusLine = lines.removeFirst().split(separator: " ")
    guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
      throw TestFailure("bad status line")
    }
    var headers: [(String, String)] = []
    var length = 0
    var closes = false
    for line in lines {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = String(line[..<colon])
      let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      headers.append((name, value))
      if name.lowercased() == "content-length" { length = Int(value) ?? 0 }
      if name.lowercased() == "connection", value.lowercased() == "close" { closes = true }
    }
    let bodyStart = headEnd + 4
    while buffer.count < bodyStart + length { try fill() }
    let body = Array(buffer[bodyStart..<bodyStart + length])
    buffer.removeFirst(bodyStart + length)
    if closes {
      close(fd)
      fd = -1
      buffer = []
    }
    return TestResponse(status: status, headers: headers, body: body)
  }
}

/// Sends each request over a real loopback connection to a running server.
struct LiveTarget: TestTarget {
  let client: SocketClient

  init(port: UInt16) {
    client = SocketClient(port: port)
  }

  func fork() async throws -> any TestTarget { LiveTarget(port: client.port) }

  func send(_ method: String, _ path: String, body: String?, headers: [(String, String)])
    async throws
    -> TestResponse
  {
    let bodyBytes = Array((body ?? "").utf8)
    var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (name, value) in headers { head += "\(name): \(value)\r\n" }
    if body != nil || ["POST", "PUT", "PATCH"].contains(method) {
      head += "Content-Length: \(bodyBytes.count)\r\n"
    }
    head += "\r\n"
    return try await client.send(Array(head.utf8) + bodyBytes)
  }
}
