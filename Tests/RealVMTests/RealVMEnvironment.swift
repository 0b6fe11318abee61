import Foundation
import Hypervisor
import LibvirtHypervisor
import RealVMSupport
import RealVMTestSupport
import Testing

/// The real-VM suites, nested so that they run one at a time (`.serialized` reaches nested
/// suites): every test boots TCG guests, and those share the machine's 2 cores.
@Suite(.serialized, .enabled(if: RealVM.enabled, RealVM.reason))
enum RealVMSuite {}

/// What the real-VM tests run against: `qemu:///system` (from `scripts/realvm.sh up`) and the
/// guest images (from `scripts/realvm.sh guest`). Opt-in: without `PSM_REAL_VMS=1` every test is
/// disabled, because each boots TCG guests (seconds each) and needs root and libvirtd.
enum RealVM {
    static let packageRoot: String = {
        // Tests/RealVMTests/RealVMEnvironment.swift → the package root.
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let enabled = RealVMGuest.enabled
    static let reason: Comment = "real VMs are opt-in: run scripts/realvm.sh up && scripts/realvm.sh guest, then PSM_REAL_VMS=1 (or scripts/realvm-test.sh)"

    /// The guest images; a test fails (not skips) when the suite is on but they are missing.
    static func guest() throws -> RealVMGuest {
        guard let guest = RealVMGuest(packageRoot: packageRoot) else {
            throw Missing(what: "guest images in out/realvm (run scripts/realvm.sh guest)")
        }
        return guest
    }

    static func hypervisor() throws -> LibvirtHypervisor {
        try LibvirtHypervisor(uri: RealVMGuest.uri)
    }

    /// A unique domain name under the suite's prefix (which `scripts/realvm.sh down` removes).
    static func name(_ what: String) -> String {
        RealVMGuest.namePrefix + what + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
    }

    struct Missing: Error, CustomStringConvertible {
        var what: String
        var description: String { "missing \(what)" }
    }
}

/// Runs `body` with a driver, and removes the named domains and the serial logs afterwards, also
/// when `body` threw or an expectation failed.
func withShadows(_ names: [String], _ body: (ShadowDriver) async throws -> Void) async throws {
    let guest = try RealVM.guest()
    let driver = ShadowDriver(hypervisor: try RealVM.hypervisor(), guest: guest)
    do {
        try await body(driver)
    } catch {
        for name in names { await driver.remove(name) }
        guest.removeLogs()
        throw error
    }
    for name in names { await driver.remove(name) }
    guest.removeLogs()
}
