import Hypervisor
import HypervisorConformance
import LibvirtHypervisor
import Testing

/// libvirt's test driver passes the whole `Hypervisor` conformance suite. Each check opens its
/// own `test:///default` connection, whose state is private to it, so checks cannot interfere.
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
