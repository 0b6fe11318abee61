@testable import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
@testable import Scaling
import Testing

/// Activation to the predicted size on libvirt's test driver: the scale step sets the target within
/// the shadow's baseline and its maximum at define, and the record keeps both sizes.
@Suite("Activation to the predicted size")
struct ActivationSizeRuntimeTests {
    /// A fixture whose shadows park at 2 of 4 vCPUs and 256 of 1024 MiB (unit 10 = 4 vCPUs).
    static func fixture(running: Double = 0) throws -> RuntimeFixture {
        var f = try RuntimeFixture(running: running)
        f.configuration.groups[0].template.baselinePolicy = BaselinePolicy(vcpuFraction: 0.5, memoryFraction: 0.25)
        return f
    }

    /// A runtime whose pool holds ready shadows (demand 20 on nothing running sizes a pool).
    static func runtimeWithPool(_ f: RuntimeFixture) async throws -> (ActuatorRuntime, ShadowRecord) {
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        await runtime.observe(group: "web", demand: 20, at: f.start)
        _ = await runtime.cycle()
        let shadow = try #require(try runtime.store.shadows(states: [.ready]).first)
        return (runtime, shadow)
    }

    @Test("a prediction below the full size is applied as predicted and recorded; the store keeps it across reopening")
    func predictedBelowFull() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let (runtime, shadow) = try await Self.runtimeWithPool(f)
        #expect(shadow.baselineVCPUs == 2 && shadow.baselineMemoryMiB == 256)
        // 7 units of a 10-unit, 4-vCPU shadow: ⌈2.8⌉ = 3 vCPUs; 700 MiB.
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1",
                                                          target: ActivationTarget(units: 7, memoryMiB: 700))
        #expect(record.outcome == .succeeded)
        #expect(record.predicted == ActivationSize(vcpus: 3, memoryMiB: 700))
        #expect(record.applied == ActivationSize(vcpus: 3, memoryMiB: 700))
        let info = try await f.hypervisor.info(shadow.domainName)
        #expect(info.state == .running && info.vcpus == 3 && info.memoryKiB == 700 * 1024)
        #expect(info.maximumVCPUs == 4 && info.maximumMemoryKiB == 1_048_576)
        // The capacity it serves counts at its applied share: 10 × 3 / 4.
        #expect(await runtime.runningCapacity("web") == 7.5)
        let reopened = try MetricStore(path: f.configuration.store)
        let stored = try #require(try reopened.activation(id: "req-1"))
        #expect(stored.predicted == ActivationSize(vcpus: 3, memoryMiB: 700) && stored.applied == ActivationSize(vcpus: 3, memoryMiB: 700))
        #expect(ActivationView(stored).applied == ActivationView.SizeView(vcpus: 3, memoryMiB: 700))
    }

    @Test("a prediction above the maximum set at define is clamped to it")
    func clampedToMaximum() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let (runtime, shadow) = try await Self.runtimeWithPool(f)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1",
                                                          target: ActivationTarget(units: 100, memoryMiB: 100_000))
        #expect(record.predicted == ActivationSize(vcpus: 40, memoryMiB: 100_000))
        #expect(record.applied == ActivationSize(vcpus: 4, memoryMiB: 1_024))
        let info = try await f.hypervisor.info(shadow.domainName)
        #expect(info.vcpus == 4 && info.memoryKiB == 1_048_576)
    }

    @Test("a prediction below the baseline is raised to it")
    func raisedToBaseline() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let (runtime, shadow) = try await Self.runtimeWithPool(f)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1",
                                                          target: ActivationTarget(units: 0.5, memoryMiB: 20))
        #expect(record.predicted == ActivationSize(vcpus: 1, memoryMiB: 20))
        #expect(record.applied == ActivationSize(vcpus: 2, memoryMiB: 256))
        let info = try await f.hypervisor.info(shadow.domainName)
        #expect(info.vcpus == 2 && info.memoryKiB == 256 * 1024)
    }

    @Test("no target keeps the full size, with no prediction recorded")
    func noTargetIsFull() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let (runtime, shadow) = try await Self.runtimeWithPool(f)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1")
        #expect(record.predicted == nil && record.applied == ActivationSize(vcpus: 4, memoryMiB: 1_024))
        let info = try await f.hypervisor.info(shadow.domainName)
        #expect(info.vcpus == 4 && info.memoryKiB == 1_048_576)
    }

    @Test("the control's group activation honours the capacity asked for")
    func controlCapacity() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let (runtime, _) = try await Self.runtimeWithPool(f)
        let view = try await runtime.activate(group: "web", requestID: "api-1",
                                              capacity: ActivationCapacity(vcpus: 3, memoryMiB: 512))
        #expect(view.outcome == "succeeded")
        #expect(view.predicted == ActivationView.SizeView(vcpus: 3, memoryMiB: 512))
        #expect(view.applied == ActivationView.SizeView(vcpus: 3, memoryMiB: 512))
        let shadow = try #require(try runtime.store.shadow(id: view.shadowID))
        let info = try await f.hypervisor.info(shadow.domainName)
        #expect(info.vcpus == 3 && info.memoryKiB == 512 * 1024)
        // The same request id again is the same activation; another group's id is refused.
        let again = try await runtime.activate(group: "web", requestID: "api-1", capacity: nil)
        #expect(again.activationID == "api-1" && again.shadowID == view.shadowID)
        await #expect(throws: ControlError.self) {
            _ = try await runtime.activate(group: "nope", requestID: nil, capacity: nil)
        }
    }

    @Test("the trigger activates to the forecast's share of one VM, and the capacity counts at that size")
    func triggerPassesPredictedSize() async throws {
        let f = try Self.fixture(running: 20)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        _ = await runtime.cycle()
        #expect(try runtime.store.shadows(states: [.ready]).count >= 1)
        clock.advance(by: 3600)
        // 22 units on 20 running at θ 0.8: 27.5 needed, 7.5 more = one VM of ⌈7.5 / 10 × 4⌉ = 3 vCPUs.
        await runtime.observe(group: "web", demand: 22, at: f.start + 3600)
        let report = await runtime.cycle()
        let a = try #require(report.activations.first)
        #expect(report.activations.count == 1 && a.outcome == .succeeded)
        #expect(a.predicted == ActivationSize(vcpus: 3, memoryMiB: 1_024)) // no memory measured: full
        #expect(a.applied == ActivationSize(vcpus: 3, memoryMiB: 1_024))
        let shadow = try #require(try runtime.store.shadow(id: a.shadowID))
        #expect(try await f.hypervisor.info(shadow.domainName).vcpus == 3)
        #expect(await runtime.runningCapacity("web") == 27.5)
    }

    @Test("scale-in weighs the activated VM at its applied share, not the full unit")
    func scaleInCountsTheAppliedShare() async throws {
        var f = try Self.fixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.scaleInUtilisation = 0.6
        f.configuration.scaleInWindow = 0
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        _ = await runtime.cycle()
        clock.advance(by: 3600)
        await runtime.observe(group: "web", demand: 22, at: f.start + 3600)
        let a = try #require(await runtime.cycle().activations.first)
        #expect(a.applied?.vcpus == 3 && a.outcome == .succeeded)
        clock.advance(by: 3600)
        // 15 units on 27.5 (20 + the VM's 7.5): without it 20 remain, and 15 ≤ 0.8 × 20 stays under
        // the trigger, so it goes. Counted at the full unit (27.5 − 10 = 17.5, 0.8 × 17.5 = 14) it
        // would have stayed for ever.
        await runtime.observe(group: "web", demand: 15, at: f.start + 7200)
        let low = await runtime.cycle()
        #expect(low.retired == [a.shadowID])
        #expect(await runtime.runningCapacity("web") == 20)
    }
}
