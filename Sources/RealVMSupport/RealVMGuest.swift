import Foundation
import Hypervisor

/// The tiny guest `scripts/realvm.sh guest` builds (a Debian kernel and a busybox initramfs that
/// prints `PSM-READY`, then a heartbeat every ~10 ms) and what the real-VM tests and benchmark
/// need around it: specs, serial logs, the QEMU process's memory.
public struct RealVMGuest: Sendable {
    /// Every domain the real-VM suite defines starts with this (`scripts/realvm.sh down` removes them).
    public static let namePrefix = "psm-realvm-"
    /// The libvirt URI of the system daemon `scripts/realvm.sh up` starts.
    public static let uri = "qemu:///system"

    package let kernel: String
    package let initrd: String
    /// A private directory for serial logs (made on first use), removed by `removeLogs()`.
    package let logDirectory: String

    /// Finds the images in `directory` (default: `$PSM_REALVM_DIR`, else `out/realvm` under
    /// `packageRoot`); nil when `scripts/realvm.sh guest` has not been run.
    public init?(packageRoot: String, directory: String? = nil) {
        let dir = directory ?? ProcessInfo.processInfo.environment["PSM_REALVM_DIR"] ?? packageRoot + "/out/realvm"
        kernel = dir + "/vmlinuz"
        initrd = dir + "/initrd.img"
        let fm = FileManager.default
        guard fm.isReadableFile(atPath: kernel), fm.isReadableFile(atPath: initrd) else { return nil }
        logDirectory = NSTemporaryDirectory() + "psm-realvm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// The serial log of domain `name` (characters other than letters, digits and '-' become '_', so odd names make safe paths).
    package func serialLog(for name: String) -> SerialLog {
        // Created on first use, so that a guest whose domains keep no log leaves no directory.
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let safe = name.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "-" ? String($0) : "_" }.joined()
        return SerialLog(path: logDirectory + "/\(safe).log")
    }

    /// The boot of the guest (serial console on ttyS0, kernel messages kept quiet).
    package var boot: DomainSpec.Boot {
        .kernel(path: kernel, initrd: initrd, commandLine: "console=ttyS0 quiet")
    }

    /// A q35 TCG domain booting the guest, its console in `serialLog(for: name)` when `withLog`.
    package func spec(name: String, maximum: ResourceSize, current: ResourceSize,
                     metadata: ShadowMetadata? = nil, withLog: Bool = true) -> DomainSpec {
        DomainSpec(name: name, virtualization: .qemu, maximum: maximum, current: current, boot: boot,
                   machine: "q35", serialLog: withLog ? serialLog(for: name).path : nil, metadata: metadata)
    }

    /// Removes the serial logs.
    public func removeLogs() {
        try? FileManager.default.removeItem(atPath: logDirectory)
    }

    /// The resident memory of domain `name`'s QEMU process (VmRSS, KiB), from libvirt's pid file.
    package static func qemuResidentKiB(of name: String) -> UInt64? {
        guard let pidText = try? String(contentsOfFile: "/run/libvirt/qemu/\(name).pid", encoding: .utf8),
              let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { UInt64($0) }
    }

    /// Whether the real-VM suite is switched on (`PSM_REAL_VMS=1`).
    package static var enabled: Bool { ProcessInfo.processInfo.environment["PSM_REAL_VMS"] == "1" }
}
