import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import RealVMSupport
import Testing

/// psm's hypervisor conformance suite on real QEMU guests: QEMU brings a domain managed-saved
/// while paused back paused, and reports a running domain's memory as the balloon's actual size
/// (it reaches a new target once the guest's balloon driver has moved). No serial log is kept:
/// the checks are about libvirt's state machine, not the guest's output.
extension RealVMSuite {
@Suite struct QEMUConformanceTests {
    @Test(arguments: HypervisorConformance.Check.allCases)
    func conformsOnQEMU(_ check: HypervisorConformance.Check) async throws {
        let guest = try RealVM.guest()
        let context = HypervisorConformance.Context(
            makeHypervisor: { try RealVM.hypervisor() },
            makeSpec: { name, maximum, current, metadata in
                guest.spec(name: name, maximum: maximum, current: current, metadata: metadata, withLog: false)
            },
            restoredFromPausedState: .paused,
            namePrefix: RealVMGuest.namePrefix + "conformance-",
            // QEMU reports the balloon's actual size: the guest must boot (≈ 8 s) and inflate it.
            memorySettleTimeout: .seconds(60))
        try await check.run(in: context)
    }
}
}
