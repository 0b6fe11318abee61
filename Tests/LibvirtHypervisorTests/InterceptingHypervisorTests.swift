import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import Synchronization
import Testing

/// The one intercepting hypervisor: it forwards faithfully (it passes the conformance suite with
/// hooks that only watch), and its hooks see, fail, delay and answer calls as documented.
@Suite struct InterceptingHypervisorTests {
    @Test(arguments: HypervisorConformance.Check.allCases)
    func passesConformanceWhenItOnlyWatches(_ check: HypervisorConformance.Check) async throws {
        let context = HypervisorConformance.Context(
            makeHypervisor: {
                InterceptingHypervisor(try LibvirtHypervisor(uri: "test:///default"), before: { _ in }, after: { _ in })
            },
            // test:///default is one shared state per process: names apart from TestDriverConformance's.
            restoredFromPausedState: .running, namePrefix: "psm-intercepted-")
        try await check.run(in: context)
    }

    @Test func afterSeesEachCallWithItsOutcome() async throws {
        let log = CallLog()
        let h = InterceptingHypervisor(try LibvirtHypervisor(uri: "test:///default"), after: { log.record($0) })
        _ = try await h.list()
        await #expect(throws: HypervisorError.self) { try await h.resume("no-such-domain") }
        let calls = log.drain()
        #expect(calls.map(\.method) == ["list", "resume"])
        #expect(calls.map(\.domain) == ["", "no-such-domain"])
        #expect(calls.map(\.failed) == [false, true])
        #expect(calls.allSatisfy { $0.duration > .zero })
        #expect(log.drain().isEmpty)
    }

    @Test func aThrowingBeforeHookFailsTheCallWithoutReachingTheHost() async throws {
        let inner = try LibvirtHypervisor(uri: "test:///default")
        let log = CallLog()
        let h = InterceptingHypervisor(inner, before: { call throws(HypervisorError) in
            if call.method == "define" { throw HypervisorError(code: .operationFailed, operation: "define", message: "injected") }
        }, after: { log.record($0) })
        let spec = DomainSpec(name: "intercepted", maximum: ResourceSize(vcpus: 2, memoryKiB: 1_048_576),
                              current: ResourceSize(vcpus: 1, memoryKiB: 524_288), metadata: nil)
        do {
            _ = try await h.define(spec)
            Issue.record("define went through")
        } catch {
            #expect(error.code == .operationFailed && error.message == "injected")
        }
        #expect(try await !inner.list().contains { $0.name == "intercepted" }, "the host never saw the call")
        #expect(log.drain().isEmpty, "after runs only for calls that reached the host")
    }

    @Test func statsCanBeAnsweredOrRewritten() async throws {
        // test:///default is shared by the parallel suite: look only at a domain of this test's own.
        let inner = try LibvirtHypervisor(uri: "test:///default")
        let name = "psm-intercepted-stats"
        _ = try await inner.define(DomainSpec(name: name, maximum: ResourceSize(vcpus: 2, memoryKiB: 1_048_576),
                                              current: ResourceSize(vcpus: 1, memoryKiB: 524_288), metadata: nil))
        try await inner.start(name)
        let rewritten = InterceptingHypervisor(inner, stats: { inner async throws(HypervisorError) in
            try await inner.stats().map { var s = $0; s.vcpus = 7; return s }
        })
        let answer = try await rewritten.stats()
        #expect(answer.contains { $0.name == name } && answer.allSatisfy { $0.vcpus == 7 })
        let canned = InterceptingHypervisor(inner, stats: { @Sendable _ in [] })
        #expect(try await canned.stats().isEmpty, "a canned answer replaces the host's")
        try await inner.destroy(name)
        try await inner.undefine(name, removingManagedSave: true)
    }
}
