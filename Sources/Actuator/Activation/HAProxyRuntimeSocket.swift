import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One command over HAProxy's runtime API on its admin socket (`stats socket … level admin`): a Unix
/// socket path, or `tcp://HOST:PORT` for a TCP one (`stats socket ipv4@HOST:PORT level admin`), in
/// non-interactive mode: connect, send one line, read the answer until HAProxy closes.
///
/// The blocking socket calls run on a Dispatch queue, never on a Swift concurrency thread, and
/// every call is bounded by `timeout` (send and receive timeouts on the socket).
struct HAProxyRuntimeSocket: Sendable {
    let path: String
    let timeout: Duration
    /// Answers longer than this are cut (a `show` of a huge backend must not exhaust memory).
    static let maximumAnswer = 4 << 20

    func send(_ command: String) async throws(RoutingError) -> String {
        let path = self.path
        let timeout = self.timeout
        let result: Result<String, RoutingError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Self.exchange(path: path, command: command, timeout: timeout))
            }
        }
        return try result.get()
    }

    private static func exchange(path: String, command: String, timeout: Duration) -> Result<String, RoutingError> {
        func failure(_ what: String) -> Result<String, RoutingError> {
            let code = errno
            return .failure(RoutingError(router: "haproxy", "\(what) \(path): \(String(cString: strerror(code)))"))
        }
        let tcp = path.hasPrefix(Self.tcpPrefix) ? Self.hostAndPort(String(path.dropFirst(Self.tcpPrefix.count))) : nil
        if path.hasPrefix(Self.tcpPrefix) && tcp == nil {
            return .failure(RoutingError(router: "haproxy", "'\(path)' is not tcp://HOST:PORT"))
        }
        var resolved: UnsafeMutablePointer<addrinfo>?
        if let tcp {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            let status = getaddrinfo(tcp.host, String(tcp.port), &hints, &resolved)
            guard status == 0, resolved != nil else {
                return .failure(RoutingError(router: "haproxy", "cannot resolve \(path): \(String(cString: gai_strerror(status)))"))
            }
        }
        defer { if let resolved { freeaddrinfo(resolved) } }
        #if canImport(Darwin)
        let fd = socket(resolved?.pointee.ai_family ?? AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(resolved?.pointee.ai_family ?? AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard fd >= 0 else { return failure("cannot create a socket for") }
        defer { close(fd) }

        let (seconds, attoseconds) = timeout.components
        var tv = timeval(tv_sec: .init(max(0, seconds)), tv_usec: .init(max(0, attoseconds / 1_000_000_000_000)))
        if tv.tv_sec == 0 && tv.tv_usec == 0 { tv.tv_usec = 1000 }
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))

        if let info = resolved?.pointee {
            guard connect(fd, info.ai_addr, info.ai_addrlen) == 0 else { return failure("cannot connect to the HAProxy runtime API at") }
            return converse(fd, path: path, command: command, timeout: timeout)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else {
            return .failure(RoutingError(router: "haproxy", "socket path '\(path)' is empty or longer than \(capacity - 1) bytes"))
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return failure("cannot connect to the HAProxy admin socket") }
        return converse(fd, path: path, command: command, timeout: timeout)
    }

    /// `tcp://HOST:PORT` (`stats socket ipv4@HOST:PORT level admin` in HAProxy) instead of a path.
    static let tcpPrefix = "tcp://"

    /// HOST and PORT of `HOST:PORT` or `[IPv6]:PORT`; nil when it is not that.
    static func hostAndPort(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        return (host, port)
    }

    /// Sends the command line on a connected socket and reads the answer until HAProxy closes.
    private static func converse(_ fd: Int32, path: String, command: String, timeout: Duration) -> Result<String, RoutingError> {
        func failure(_ what: String) -> Result<String, RoutingError> {
            let code = errno
            return .failure(RoutingError(router: "haproxy", "\(what) \(path): \(String(cString: strerror(code)))"))
        }
        let line = Array((command + "\n").utf8)
        var sent = 0
        while sent < line.count {
            let n = line[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return failure("cannot send to") }
            sent += n
        }

        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while answer.count < maximumAnswer {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return failure("no answer (timeout \(timeout)) from") }
            if n == 0 { break }
            answer.append(contentsOf: buffer[..<n])
        }
        return .success(String(decoding: answer, as: UTF8.self))
    }
}
