import Dispatch
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs the `autograd-server` executable that `swift build --build-tests` puts beside the test bundle.
enum ServerBinary {
  struct Run {
    let status: Int32
    let stdout: String
    let stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }
  }

  static var url: URL {
    #if os(Linux)
      let tests = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    #else
      let tests = Bundle.main.bundleURL
    #endif
    return tests.deletingLastPathComponent().appendingPathComponent("autograd-server")
  }

  /// Starts the binary with exactly `environment` (plus PATH), so the test's own AUTOGRAD_ variables never leak in.
  static func start(_ arguments: [String], environment: [String: String]) throws -> (
    Process, Pipe, Pipe
  ) {
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    var env = environment
    env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    process.environment = env
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    return (process, stdout, stderr)
  }

  /// Runs to completion, off the cooperative pool; see `offThePool`.
  static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
    try await offThePool { try runBlocking(arguments, environment: environment) }
  }

  /// The outputs here are small, so reading after exit cannot fill a pipe and deadlock.
  static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> Run {
    let (process, stdout, stderr) = try start(arguments, environment: environment)
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err, as: UTF8.self))
  }
}

/// Runs blocking work (waiting for a process, reading a socket) on a Dispatch thread. Swift's cooperative pool has
/// one thread per core (two here), and the in-process servers of other suites need those threads to answer.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
  }
}

/// A loopback port that nothing listens on: bound to learn a free number, then closed.
enum FreePort {
  struct Failure: Error {}

  static func reserve() throws -> Int {
    #if canImport(Glibc)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
      let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { throw Failure() }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
      }
    }
    guard bound else { throw Failure() }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}
