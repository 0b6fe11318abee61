import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import Testing

/// libvirt's test driver passes the whole `Hypervisor` conformance suite. Each check opens its
/// own `test:///default` connection; the driver's state is shared by every such connection in the
/// process, so checks keep apart by the domain names they use (one name per check, and a prefix
/// per suite: `InterceptingHypervisorTests` runs the same checks under another prefix).
@Suite struct TestDriverConformance {
    static let context = HypervisorConformance.Context(
        makeHypervisor: { try LibvirtHypervisor(uri: "test:///default") },
        // The test driver brings a domain saved while paused back running (QEMU: paused).
        restoredFromPausedState: .running)

    @Test(arguments: HypervisorConformance.Check.allCases)
    func passes(_ check: HypervisorConformance.Check) async throws {
        try await check.run(in: Self.context)
    }
}
