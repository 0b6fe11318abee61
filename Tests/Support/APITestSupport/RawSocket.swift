import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain blocking TCP client socket to 127.0.0.1, for tests that must control exactly which
/// bytes reach the server and when (a partial head, an idle keep-alive connection). Every wait is
/// bounded by a deadline; the blocking calls run on a Dispatch thread, off Swift's cooperative pool.
package final class RawSocket: @unchecked Sendable {
    package private(set) var fd: Int32

    /// Connects to 127.0.0.1:`port`; nil when the connection fails.
    package init?(port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { Glibc.close(fd); return nil }
        self.fd = fd
    }

    deinit { close() }

    /// Closes the client's end (once).
    package func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Sends `text`; false when the server has closed the connection (EPIPE, ECONNRESET).
    @discardableResult
    package func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == bytes.count
    }

    package enum ReadResult: Equatable, Sendable {
        case data([UInt8])
        /// The server closed the connection (EOF or reset).
        case closed
        /// Nothing within the wait.
        case timeout
    }

    /// Waits up to `seconds` for bytes or the end of the connection.
    package func read(within seconds: Double) -> ReadResult {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&poller, 1, Int32(max(0, seconds) * 1000))
        if ready == 0 { return .timeout }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return .closed }
        return .data(Array(buffer[0..<n]))
    }

    /// Reads until the server closes the connection or `seconds` pass; returns how long it took
    /// (nil: still open at the deadline). Bytes received on the way are discarded.
    package func secondsUntilClosed(within seconds: Double, from start: Date = Date()) -> Double? {
        let deadline = start.addingTimeInterval(seconds)
        while Date() < deadline {
            if read(within: deadline.timeIntervalSinceNow) == .closed { return Date().timeIntervalSince(start) }
        }
        return nil
    }

    /// Reads one HTTP response with a `Content-Length` (all the API sends); nil on close or timeout.
    package func readResponse(within seconds: Double) -> (status: Int, body: String)? {
        let deadline = Date().addingTimeInterval(seconds)
        var received: [UInt8] = []
        while Date() < deadline {
            guard case .data(let bytes) = read(within: deadline.timeIntervalSinceNow) else { return nil }
            received += bytes
            let text = String(decoding: received, as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound]
            let statusLine = head.split(separator: "\r\n").first ?? ""
            let parts = statusLine.split(separator: " ")
            guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
            let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                let pair = line.split(separator: ":", maxSplits: 1)
                guard pair.count == 2, pair[0].lowercased() == "content-length" else { return nil }
                return Int(pair[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            let body = text[headEnd.upperBound...]
            if body.utf8.count >= length { return (status, String(body)) }
        }
        return nil
    }
}

/// Runs blocking work on a thread of its own and returns its result.
package func offloaded<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        // A thread of its own, not a Dispatch worker: libdispatch on Linux adds workers only while
        // the CPUs are idle, so on a loaded machine blocking calls queued behind each other for
        // minutes (a served API "never answered" /healthz within 180 s).
        Thread { continuation.resume(returning: work()) }.start()
    }
}
