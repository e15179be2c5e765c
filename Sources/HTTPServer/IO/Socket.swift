import Glibc

/// Thin, throwing wrappers over the POSIX socket calls the server needs.
enum Socket {
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var errno: Int32
        var description: String {
            "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        }
    }

    /// Creates a non-blocking listening socket; returns it and the bound port.
    static func listen(host: String, port: Int, backlog: Int) throws -> (fd: Int32, port: Int) {
        guard (0...65535).contains(port) else { throw Failure(call: "port \(port)", errno: EINVAL) }
        var storage = sockaddr_storage()
        let family: Int32
        let length: socklen_t
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else {
                throw Failure(call: "inet_pton(\(host))", errno: EINVAL)
            }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            }
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
                throw Failure(call: "inet_pton(\(host))", errno: EINVAL)
            }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: address) { raw.copyMemory(from: $0) }
            }
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
        }

        let fd = socket(
            family,
            Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if family == AF_INET6 {
            // "::" should also accept IPv4 (mapped addresses), whatever the system default.
            var zero: Int32 = 0
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else {
            let error = errno
            close(fd)
            throw Failure(call: "bind(\(host):\(port))", errno: error)
        }
        guard Glibc.listen(fd, Int32(clamping: backlog)) == 0 else {
            let error = errno
            close(fd)
            throw Failure(call: "listen", errno: error)
        }
        var actual = sockaddr_storage()
        var actualLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &actualLength) }
        }
        let boundPort: UInt16 =
            family == AF_INET6
            ? withUnsafeBytes(of: actual) { $0.load(as: sockaddr_in6.self).sin6_port }
            : withUnsafeBytes(of: actual) { $0.load(as: sockaddr_in.self).sin_port }
        return (fd, Int(UInt16(bigEndian: boundPort)))
    }

    /// One non-blocking accept; nil with `errno` set when nothing (or an error) came.
    static func accept(_ listener: Int32) -> Int32? {
        // accept4 is hidden behind _GNU_SOURCE in the Glibc module; two fcntl calls per connection are cheap.
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        // Responses go out in one write; Nagle would only delay them.
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }
}
