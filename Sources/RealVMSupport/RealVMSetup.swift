import Foundation
import Hypervisor
import LibvirtHypervisor

/// What a command that drives real guests checks first (`psm demo --real`, `psm bench
/// activation`): the tiny guest's images exist and libvirtd answers on `qemu:///system`; each
/// failure names the script that sets it up.
public enum RealVMSetup {
    /// Real guests cannot run yet: what is missing and how to set it up.
    public struct NotReady: Error, CustomStringConvertible {
        public var description: String
    }

    /// The guest images (in `images`, else `$PSM_REALVM_DIR`, else `<packageRoot>/out/realvm`) and
    /// a connection to `uri` that has answered a call.
    public static func connect(packageRoot: String, images: String? = nil,
                               uri: String = RealVMGuest.uri) async throws(NotReady) -> (RealVMGuest, LibvirtHypervisor) {
        guard let guest = RealVMGuest(packageRoot: packageRoot, directory: images) else {
            let dir = images ?? ProcessInfo.processInfo.environment["PSM_REALVM_DIR"] ?? packageRoot + "/out/realvm"
            throw NotReady(description: "the tiny guest is not built (no vmlinuz and initrd.img in \(dir)): "
                           + "run `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest` from the repository root (docs/realvm.md)")
        }
        let hypervisor: LibvirtHypervisor
        do {
            hypervisor = try LibvirtHypervisor(uri: uri)
            _ = try await hypervisor.list()
        } catch {
            throw NotReady(description: "libvirtd does not answer on \(uri) (\(error)): "
                           + "run `sudo scripts/realvm.sh up` (installs QEMU and libvirt if missing and starts the daemons; docs/realvm.md)")
        }
        return (guest, hypervisor)
    }
}
