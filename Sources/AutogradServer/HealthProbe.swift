#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One `GET` over a plain blocking socket with send/receive timeouts: just enough HTTP/1.1 to read a status code,
/// with no dependency on the server module it is checking.
struct HealthProbe {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  let host: String
  let port: Int
  let timeout: Double
  /// Speak HTTPS (the server's certificate is not verified: this only asks whether the local process answers).
  var tls = false

  func status(of path: String) throws(Failure) -> Int {
    let socket = try openConnection()
    defer { close(socket) }
    let channel = tls ? try ProbeChannel.tls(socket: socket) : .plain(socket)
    defer { channel.finish() }
    let request =
      "GET \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\nUser-Agent: autograd-server-healthcheck\r\n\r\n"
    try send(Array(request.utf8), on: channel)
    let head = try receiveStatusLine(from: channel)
    // "HTTP/1.1 200 OK": the code is the second field.
    let fields = head.split(separator: " ", maxSplits: 2)
    guard fields.count >= 2, fields[0].hasPrefix("HTTP/1."), let code = Int(fields[1]) else {
      throw Failure(description: "not an HTTP response: \(head.prefix(80))")
    }
    return code
  }

  private var hostHeader: String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  private func openConnection() throws(Failure) -> Int32 {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    #if canImport(Glibc)
      hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    #else
      hints.ai_socktype = SOCK_STREAM
    #endif
    var list: UnsafeMutablePointer<addrinfo>?
    let bareHost =
      host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    let lookup = getaddrinfo(bareHost, String(port), &hints, &list)
    guard lookup == 0, let first = list else {
      throw Failure(description: "cannot resolve \(host): \(String(cString: gai_strerror(lookup)))")
    }
    defer { freeaddrinfo(list) }
    var lastError: Int32 = 0
    var candidate: UnsafeMutablePointer<addrinfo>? = first
    while let info = candidate {
      candidate = info.pointee.ai_next
      let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
      guard fd >= 0 else {
        lastError = errno
        continue
      }
      setTimeouts(on: fd)
      if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
        return fd
      }
      lastError = errno
      close(fd)
    }
    throw Failure(
      description: "cannot connect to \(hostHeader): \(String(cString: strerror(lastError)))")
  }

  /// On Linux SO_SNDTIMEO also bounds `connect`, so one pair of options bounds the whole probe.
  private func setTimeouts(on fd: Int32) {
    let whole = timeout.rounded(.down)
    var value = timeval(tv_sec: .init(whole), tv_usec: .init((timeout - whole) * 1_000_000))
    let size = socklen_t(MemoryLayout<timeval>.size)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
  }

  private func send(_ bytes: [UInt8], on channel: ProbeChannel) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes[offset...].withUnsafeBytes { channel.send($0) }
      guard written > 0 else {
        throw Failure(description: "cannot send the request: \(String(cString: strerror(errno)))")
      }
      offset += written
    }
  }

  /// Reads until the first CRLF (bounded: a status line longer than 1 KiB is not a healthy server).
  private func receiveStatusLine(from channel: ProbeChannel) throws(Failure) -> String {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 512)
    while received.count < 1024 {
      let count = buffer.withUnsafeMutableBytes { channel.receive($0) }
      if count < 0 {
        throw Failure(description: "no answer: \(String(cString: strerror(errno)))")
      }
      if count == 0 { break }
      received.append(contentsOf: buffer[0..<count])
      if let end = received.firstIndex(of: UInt8(ascii: "\r")) {
        return String(decoding: received[..<end], as: UTF8.self)
      }
    }
    throw Failure(description: "connection closed before a status line")
  }
}
