import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// An open-loop HTTP load on a loopback port: requests start at `rate` per second whatever the
/// answers take (a thread each, up to `maximumInFlight`), so a slow server shows as latency and
/// failures rather than as a lower rate. Every request's outcome is kept.
package final class LoadGenerator: Sendable {
    package struct Request: Sendable {
        /// Seconds since the generator started.
        package var sent: Double
        package var answered: Double
        /// The HTTP status, nil when the connection failed or the answer was not HTTP.
        package var status: Int?
        /// The answer's body (the tiny guest answers `ok ADDR`).
        package var body: String
        package var ok: Bool { status == 200 }
    }

    package let port: Int
    package let maximumInFlight: Int
    private let started = ContinuousClock.now
    private let state = Mutex<(rate: Double, path: String, running: Bool, inFlight: Int, skipped: Int, done: [Request])>((0, "/", true, 0, 0, []))

    package init(port: Int, path: String, maximumInFlight: Int = 128) {
        self.port = port
        self.maximumInFlight = maximumInFlight
        state.withLock { $0.path = path }
        let loop = Thread { [self] in self.pace() }
        loop.start()
    }

    /// Seconds since the generator started (the clock of `Request.sent`).
    package func now() -> Double { Self.seconds(ContinuousClock.now - started) }

    package func setRate(_ perSecond: Double) { state.withLock { $0.rate = perSecond } }

    /// The path requests ask for from now on.
    package func setPath(_ path: String) { state.withLock { $0.path = path } }

    /// Stops starting requests and waits (up to `timeout` seconds) for those in flight.
    package func stop(timeout: Double = 30) {
        state.withLock { $0.running = false }
        let deadline = now() + timeout
        while state.withLock({ $0.inFlight }) > 0, now() < deadline { usleep(10_000) }
    }

    /// Every answered request so far, and how many were not started because `maximumInFlight` were open.
    package func results() -> (requests: [Request], skipped: Int) {
        state.withLock { ($0.done, $0.skipped) }
    }

    private func pace() {
        var next = now()
        while state.withLock({ $0.running }) {
            let rate = state.withLock { $0.rate }
            guard rate > 0 else { usleep(20_000); next = now(); continue }
            let wait = next - now()
            if wait > 0 { usleep(UInt32(min(wait, 0.5) * 1_000_000)); continue }
            next += 1 / rate
            let path = state.withLock { s -> String? in
                guard s.inFlight < maximumInFlight else { s.skipped += 1; return nil }
                s.inFlight += 1
                return s.path
            }
            guard let path else { continue }
            let sent = now()
            let request = Thread { [self] in
                let (status, body) = Self.get(port: port, path: path)
                let answered = now()
                state.withLock { s in
                    s.inFlight -= 1
                    s.done.append(Request(sent: sent, answered: answered, status: status, body: body))
                }
            }
            request.start()
        }
    }

    /// One HTTP/1.0 GET on 127.0.0.1:`port` (connection closed by the server at the end).
    static func get(port: Int, path: String, timeout: Int = 30) -> (Int?, String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return (nil, "socket() failed") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return (nil, "connect: \(String(cString: strerror(errno)))") }
        let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            return (nil, "send: \(String(cString: strerror(errno)))")
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { answer += buffer[0..<n]; continue }
            if n == 0 { break }
            return (nil, "recv: \(String(cString: strerror(errno)))")
        }
        let text = String(decoding: answer, as: UTF8.self)
        guard text.hasPrefix("HTTP/"), let statusText = text.split(separator: " ").dropFirst().first, let status = Int(statusText) else {
            return (nil, "not HTTP: \(text.prefix(80))")
        }
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
