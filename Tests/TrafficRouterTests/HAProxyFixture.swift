import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real haproxy, started by the test with a generated configuration and stopped with it.
///
/// The configuration has one backend per group, each with pre-declared server slots in
/// maintenance, a frontend per group on a free loopback port, and the admin socket the router
/// talks to. Tests skip (with the reason) when no haproxy binary is installed; scripts/setup.sh
/// installs Debian's `haproxy`, so CI runs them.
final class HAProxyFixture {
    static let binary: String? = ["/usr/sbin/haproxy", "/usr/bin/haproxy", "/usr/local/sbin/haproxy"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    static let skipReason: Comment = "haproxy is not installed: run scripts/setup.sh (Debian package haproxy)"

    let directory: URL
    let socketPath: String
    /// Group → the loopback port its frontend listens on.
    let frontends: [String: Int]
    private let process: Process

    /// - Parameter slots: group → names of the servers the configuration pre-declares.
    /// - Parameter base: where the configuration and the admin socket go (default: a new
    ///   temporary directory), so a test can name the socket before haproxy runs.
    init(slots: [String: [String]], in base: URL? = nil) throws {
        guard let binary = Self.binary else { throw FixtureError(Self.skipReason.description) }
        self.directory = base ?? FileManager.default.temporaryDirectory.appendingPathComponent("psm-haproxy-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = directory.appendingPathComponent("admin.sock").path
        var frontends: [String: Int] = [:]
        var config = """
            global
                stats socket \(socketPath) mode 600 level admin
                stats timeout 10s
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s

            """
        for (group, servers) in slots.sorted(by: { $0.key < $1.key }) {
            let port = try Self.freePort()
            frontends[group] = port
            config += """
                frontend fe_\(group)
                    bind 127.0.0.1:\(port)
                    default_backend \(group)
                backend \(group)
                    balance roundrobin

                """
            for server in servers { config += "    server \(server) 127.0.0.1:9 disabled\n" }
        }
        self.frontends = frontends
        let configPath = directory.appendingPathComponent("haproxy.cfg")
        try config.write(to: configPath, atomically: true, encoding: .utf8)

        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-f", configPath.path, "-db", "-q"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // Ready when the admin socket accepts (bounded: 10 s).
        let deadline = Date().addingTimeInterval(10)
        while !Self.canConnect(socketPath) {
            guard process.isRunning else {
                throw FixtureError("haproxy exited at start (status \(process.terminationStatus)); config:\n\(config)")
            }
            guard Date() < deadline else { throw FixtureError("haproxy's admin socket did not come up within 10 s") }
            usleep(20_000)
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeAtPath(directory.path)
    }

    deinit { stop() }

    /// A loopback port nobody listens on now (the kernel picks it; a small race is acceptable in tests).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket() failed") }
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
        guard bound else { throw FixtureError("cannot bind a loopback port") }
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

struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension FileManager {
    func removeAtPath(_ path: String) throws { try removeItem(atPath: path) }
}
