import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real haproxy started with a generated configuration and stopped with `stop()`: one frontend
/// per backend on a free loopback port, the backends' servers as given, and the admin socket
/// psm's `HAProxyRouter` talks to (a Unix socket, and the same on a loopback TCP port).
/// scripts/setup.sh installs Debian's `haproxy`. The closed-loop check and the traffic-router
/// tests both start theirs with it.
package final class HAProxyProcess: @unchecked Sendable {
    package static let binary: String? = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A server line of a backend: name, address (`host:port`), and whether it starts disabled.
    package struct Server: Sendable {
        public var name: String
        public var address: String
        package var disabled: Bool
        package init(name: String, address: String, disabled: Bool = false) {
            self.name = name
            self.address = address
            self.disabled = disabled
        }
    }

    package struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let directory: String
    package let socketPath: String
    /// The same runtime API on a loopback TCP port (`stats socket ipv4@127.0.0.1:PORT`), as
    /// `tcp://127.0.0.1:PORT` for `[actuator.routing] socket`.
    package let tcpSocket: String
    /// Backend → the loopback port of its frontend.
    package let frontends: [String: Int]
    private let process: Process
    private let ownsDirectory: Bool

    /// - Parameter backends: backend name → its servers (an empty list is allowed: servers are
    ///   then added at run time).
    ///   `balance` is the backends' algorithm (`roundrobin`, `leastconn`). `directory` is where the
    ///   configuration and the admin socket go (default: a new temporary one, removed by `stop()`),
    ///   so a caller can name the socket before haproxy runs.
    package init(backends: [String: [Server]], balance: String = "roundrobin", directory: String? = nil) throws {
        guard let binary = Self.binary else {
            throw Failure(description: "haproxy is not installed: run scripts/setup.sh (Debian package haproxy)")
        }
        ownsDirectory = directory == nil
        self.directory = directory ?? NSTemporaryDirectory() + "psm-haproxy-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        socketPath = self.directory + "/admin.sock"
        let adminPort = try Self.freePort()
        tcpSocket = "tcp://127.0.0.1:\(adminPort)"
        var config = """
            global
                stats socket \(socketPath) mode 600 level admin
                stats socket ipv4@127.0.0.1:\(adminPort) level admin
                stats timeout 10s
            defaults
                mode http
                option httpclose
                timeout connect 2s
                timeout client 30s
                timeout server 30s

            """
        var frontends: [String: Int] = [:]
        for (backend, servers) in backends.sorted(by: { $0.key < $1.key }) {
            let port = try Self.freePort()
            frontends[backend] = port
            config += """
                frontend fe_\(backend)
                    bind 127.0.0.1:\(port)
                    default_backend \(backend)
                backend \(backend)
                    balance \(balance)

                """
            for s in servers { config += "    server \(s.name) \(s.address)\(s.disabled ? " disabled" : "")\n" }
        }
        self.frontends = frontends
        let configPath = self.directory + "/haproxy.cfg"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-f", configPath, "-db", "-q"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !Self.canConnect(socketPath) {
            guard process.isRunning else {
                throw Failure(description: "haproxy exited at start (status \(process.terminationStatus)); config:\n\(config)")
            }
            guard Date() < deadline else { throw Failure(description: "haproxy's admin socket did not come up within 10 s") }
            usleep(20_000)
        }
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) }
    }

    deinit { stop() }

    /// A loopback port nobody listens on now (the kernel picks it).
    package static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot bind a loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func canConnect(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
