import Hypervisor
import HypervisorConformance
import LibvirtHypervisor
import RealVMSupport
import Testing

/// psm's hypervisor conformance suite on real QEMU guests: QEMU brings a domain managed-saved
/// while paused back paused. The guests boot but nothing waits for them (the checks are about
/// libvirt's state machine, not the guest), so no serial log is kept.
@Suite(.serialized, .enabled(if: RealVM.enabled, RealVM.reason))
struct QEMUConformanceTests {
    @Test(arguments: HypervisorConformance.Check.allCases)
    func conformsOnQEMU(_ check: HypervisorConformance.Check) async throws {
        let guest = try RealVM.guest()
        let context = HypervisorConformance.Context(
            makeHypervisor: { try RealVM.hypervisor() },
            makeSpec: { name, maximum, current, metadata in
                guest.spec(name: name, maximum: maximum, current: current, metadata: metadata, withLog: false)
            },
            restoredFromPausedState: .paused,
            namePrefix: RealVMGuest.namePrefix + "conformance-")
        try await check.run(in: context)
    }
}
