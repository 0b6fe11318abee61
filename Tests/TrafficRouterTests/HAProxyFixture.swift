import Foundation
import RealVMTestSupport
import Testing

/// A real haproxy for the router tests (`HAProxyProcess`): one backend per group, each with
/// pre-declared server slots in maintenance, a frontend per group on a free loopback port, and the
/// admin socket (Unix, and TCP) the router talks to. Tests skip (with the reason) when no haproxy
/// binary is installed; scripts/setup.sh installs Debian's `haproxy`, so CI runs them.
final class HAProxyFixture {
    static let binary = HAProxyProcess.binary
    static let skipReason: Comment = "haproxy is not installed: run scripts/setup.sh (Debian package haproxy)"

    private let process: HAProxyProcess
    var directory: URL { URL(fileURLWithPath: process.directory) }
    var socketPath: String { process.socketPath }
    var tcpSocket: String { process.tcpSocket }
    /// Group → the loopback port its frontend listens on.
    var frontends: [String: Int] { process.frontends }

    /// - Parameter slots: group → names of the servers the configuration pre-declares.
    /// - Parameter base: where the configuration and the admin socket go (default: a new
    ///   temporary directory), so a test can name the socket before haproxy runs.
    init(slots: [String: [String]], in base: URL? = nil) throws {
        process = try HAProxyProcess(backends: slots.mapValues { names in
            names.map { HAProxyProcess.Server(name: $0, address: "127.0.0.1:9", disabled: true) }
        }, directory: base?.path)
    }

    func stop() { process.stop() }

    static func freePort() throws -> Int { try HAProxyProcess.freePort() }
}
