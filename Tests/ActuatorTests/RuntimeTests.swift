@testable import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
@testable import Scaling
import Synchronization
import Testing

@Suite("Actuator runtime on libvirt's test driver")
struct RuntimeTests {
    @Test("a cycle provisions the decided pool as paused shadows with reserved capacity")
    func provisionsPausedShadows() async throws {
        let f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        // 10 units on 20 running: below the trigger threshold, so nothing is activated.
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let report = await runtime.cycle()
        #expect(report.activations.isEmpty)
        let decision = try #require(report.decisions.first)
        #expect(decision.final > 0, "\(decision.explanation)")
        #expect(report.reconcile.created.count == decision.final && report.reconcile.parked.count == decision.final)
        let shadows = try runtime.store.shadows(states: [.ready])
        #expect(shadows.count == decision.final)
        #expect(try runtime.store.reservations().count == decision.final)
        for s in shadows {
            let info = try await f.hypervisor.info(s.domainName)
            #expect(info.state == .paused)
            #expect(info.maximumVCPUs == 4 && info.maximumMemoryKiB == 1_048_576)
            #expect(info.memoryKiB < info.maximumMemoryKiB, "parked at the baseline, not the full size")
            #expect(info.metadata?.shadowID == s.id && info.metadata?.reservationHost == "h1")
        }
        // Level-triggered: the next pass acts only on the difference between the two decisions.
        clock.advance(by: 3600)
        await runtime.observe(group: "web", demand: 10, at: f.start + 3600)
        let again = await runtime.cycle()
        let next = try #require(again.decisions.first).final
        #expect(again.reconcile.created.count == max(0, next - decision.final))
        #expect(again.reconcile.removed.count == max(0, decision.final - next))
        #expect(try runtime.store.shadows(states: [.ready]).count == next)
    }

    @Test("demand above the threshold activates a shadow: full size, running, tagged active, recorded once with step latencies")
    func activatesOnDemand() async throws {
        let f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let first = await runtime.cycle()
        #expect(first.problems.isEmpty, "\(first.problems)")
        #expect(try runtime.store.shadows(states: [.ready]).count >= 1)
        clock.advance(by: 3600)
        // 30 units on 20 running: 30 / 0.8 = 37.5 → two shadows of 10.
        await runtime.observe(group: "web", demand: 30, at: f.start + 3600)
        let report = await runtime.cycle()
        let trigger = try #require(report.triggers.first)
        #expect(trigger.wanted == 2 && trigger.reason == .demand)
        let succeeded = report.activations.filter { $0.outcome == .succeeded }
        #expect(succeeded.count == min(2, trigger.activate) && succeeded.count >= 1)
        for a in succeeded {
            let shadow = try #require(try runtime.store.shadow(id: a.shadowID))
            #expect(shadow.state == .active)
            let info = try await f.hypervisor.info(shadow.domainName)
            #expect(info.state == .running && info.vcpus == 4 && info.memoryKiB == 1_048_576)
            #expect(info.metadata?.role == .active && info.metadata?.reservationHost == nil)
            #expect(Set(a.stepLatencies.keys).isSuperset(of: ["claim", "scale", "resume", "monitoring", "routing", "total"]))
            #expect(try runtime.store.activations(shadow: a.shadowID).count == 1)
            #expect(runtime.monitoring.current.contains { $0.domain == shadow.domainName })
        }
        #expect(await runtime.runningCapacity("web") == 20 + 10 * Double(succeeded.count))
    }

    @Test("an activated shadow's room is not given to a new shadow in the same cycle: the host is never over-committed")
    func activationKeepsItsRoomUntilTheHostIsMeasured() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        // Room for two 4-vCPU shadows, and a pool of at least two.
        f.configuration.hosts[0].capVCPUs = 8
        f.configuration.sizing.bounds["web"] = try GroupBounds(minimum: 2, maximum: 4)
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let first = await runtime.cycle()
        #expect(first.reconcile.created.count == 2, "\(first.decisions.map(\.explanation))")
        clock.advance(by: 3600)
        await runtime.observe(group: "web", demand: 30, at: f.start + 3600)
        let report = await runtime.cycle()
        #expect(report.activations.contains { $0.outcome == .succeeded })
        // The activated VMs run in the room their reservations held: the pool cannot be refilled
        // until they are retired (before, the reservation was released and the room counted nowhere
        // until the next measurement, so this pass placed new shadows on a full host).
        #expect(report.reconcile.created.isEmpty)
        let held = try runtime.store.shadows(states: [.planned, .defining, .ready, .activating, .active])
        #expect(held.reduce(0) { $0 + $1.fullVCPUs } <= 8)
        let h1 = try #require(try runtime.store.hostAvailability("h1"))
        #expect(h1.free.vcpus >= 0, "\(h1)")
    }

    @Test("the same activation id twice is one activation")
    func activationIsIdempotent() async throws {
        let f = try RuntimeFixture(running: 0)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        await runtime.observe(group: "web", demand: 20, at: f.start)
        _ = await runtime.cycle()
        let shadow = try #require(try runtime.store.shadows(states: [.ready]).first)
        let first = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1")
        let second = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1")
        #expect(first.outcome == .succeeded && second.id == first.id && second.outcome == .succeeded)
        #expect(try runtime.store.activations(shadow: shadow.id).count == 1)
        await #expect(throws: ActivationError.self) {
            _ = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-2")
        }
        await #expect(throws: ActivationError.self) {
            _ = try await runtime.activator.activate(shadowID: "no-such-shadow", activationID: "req-3")
        }
    }

    @Test("a routing failure does not roll the activation back: the VM runs active, its route is recorded failed and retried")
    func routingFailureKeepsTheActivation() async throws {
        var f = try RuntimeFixture(running: 0)
        f.configuration.routing.address = "{domain}.internal"  // static: the refusal is the router's
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.start), router: RefusingRouter())
        await runtime.observe(group: "web", demand: 20, at: f.start)
        _ = await runtime.cycle()
        let shadow = try #require(try runtime.store.shadows(states: [.ready]).first)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "req-1")
        #expect(record.outcome == .succeeded)
        #expect(record.stepLatencies["routing"] == nil, "no routing latency for a routing that failed")
        let after = try await f.hypervisor.info(shadow.domainName)
        #expect(after.state == .running && after.memoryKiB == 1_048_576)
        #expect(try runtime.store.shadow(id: shadow.id)?.state == .active)
        #expect(runtime.monitoring.current.map(\.domain) == [shadow.domainName])
        let route = try #require(try runtime.store.route(activation: "req-1"))
        #expect(route.state == .failed && route.shadowID == shadow.id && route.attempts == 1)
        #expect(route.error?.contains("backend down") == true)
        #expect(route.nextAttempt == f.start + 10)
        // The API view says so.
        let view = try #require(try await runtime.shadows().first { $0.id == shadow.id })
        #expect(view.routing == "failed")
    }

    @Test("a dry run decides and logs but creates nothing")
    func dryRun() async throws {
        let f = try RuntimeFixture(running: 0)
        defer { f.cleanUp() }
        let runtime = try await ActuatorRuntime(configuration: f.configuration, clock: ManualWallClock(f.start), dryRun: true,
                                                connect: { _ in f.hypervisor })
        await runtime.observe(group: "web", demand: 20, at: f.start)
        let report = await runtime.cycle()
        #expect((report.decisions.first?.final ?? 0) > 0)
        #expect(try runtime.store.shadows().isEmpty)
        #expect(try await f.hypervisor.list().isEmpty)
        #expect(try runtime.decisionLog.explain(group: "web")?.isEmpty == false)
    }

    /// Stops the actuator at every hypervisor call in turn (as a SIGKILL would: nothing after that
    /// point runs), restarts a fresh one on the same store and host, and checks after it has run
    /// that nothing is orphaned, no shadow was activated twice and every activation has one outcome.
    @Test("killed at any point of provisioning and activation, a restarted actuator leaves no orphan and no double activation")
    func crashAtEveryPoint() async throws {
        for crashAfter in 0...80 {
            let f = try RuntimeFixture(running: 0)
            defer { f.cleanUp() }
            let clock = ManualWallClock(f.start)
            let freezing = FreezingHypervisor(f.hypervisor, crashAfter: crashAfter)
            // Provision, then a spike that activates; the doomed actuator stops somewhere in there.
            let demands: [Double] = [20, 35, 50, 50]
            let done = Mutex(false)
            Task {
                // Starting (adoption) makes hypervisor calls too: the kill may land there.
                guard let doomed = try? await f.runtime(clock: clock, hypervisor: freezing.hypervisor) else { return }
                for (i, d) in demands.enumerated() {
                    await doomed.observe(group: "web", demand: d, at: f.start + Int64(i) * 3600)
                    _ = await doomed.cycle()
                    clock.advance(by: 3600)
                }
                done.withLock { $0 = true }
            }
            // Wait until it froze or finished (each check sleeps 5 ms, so the actuator gets the threads).
            let deadline = Date().addingTimeInterval(20)
            while !freezing.frozen && Date() < deadline {
                if done.withLock({ $0 }) { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            // Restart on the same store and host.
            let restarted = try await f.runtime(clock: clock)
            for i in demands.indices.suffix(2) {
                await restarted.observe(group: "web", demand: demands[i], at: clock.now())
                _ = await restarted.cycle()
                clock.advance(by: 3600)
            }
            try await Self.checkInvariants(try #require(restarted.store as? MetricStore), f.hypervisor, crashAfter: crashAfter)
        }
    }

    static func checkInvariants(_ store: MetricStore, _ hypervisor: any Hypervisor, crashAfter: Int) async throws {
        let records = Dictionary(uniqueKeysWithValues: try store.shadows().map { ($0.id, $0) })
        let domains = try await hypervisor.list().filter { $0.metadata != nil }
        for d in domains {
            let tag = try #require(d.metadata)
            let record = records[tag.shadowID]
            #expect(record != nil && record?.state != .gone, "crash after \(crashAfter): orphaned domain \(d.name)")
            switch d.state {
            case .running: #expect(record?.state == .active, "crash after \(crashAfter): \(d.name) runs but is \(record?.state.rawValue ?? "unrecorded")")
            case .paused, .saved: #expect(record?.state == .ready, "crash after \(crashAfter): \(d.name) parked but is \(record?.state.rawValue ?? "unrecorded")")
            default: Issue.record("crash after \(crashAfter): \(d.name) left \(d.state)")
            }
        }
        let names = Set(domains.map(\.name))
        for r in records.values where r.state != .gone {
            #expect(names.contains(r.domainName), "crash after \(crashAfter): record \(r.id) (\(r.state)) has no domain")
            #expect(r.state == .ready || r.state == .active, "crash after \(crashAfter): \(r.id) stuck \(r.state)")
        }
        for r in records.values {
            let activations = try store.activations(shadow: r.id)
            #expect(activations.allSatisfy { $0.outcome != nil }, "crash after \(crashAfter): an activation of \(r.id) has no outcome")
            #expect(activations.filter { $0.outcome == .succeeded }.count <= 1, "crash after \(crashAfter): \(r.id) activated twice")
            if r.state == .active && r.activationID != nil {
                #expect(activations.filter { $0.outcome == .succeeded }.count == 1)
            }
        }
        let reserved = Set(try store.reservations().map(\.shadowID))
        #expect(reserved == Set(records.values.filter { $0.state == .ready }.map(\.id)),
                "crash after \(crashAfter): reservations \(reserved.sorted()) vs ready shadows")
    }
}

@Suite("Actuator runtime: notices and the API's view")
struct RuntimeNoticeTests {
    @Test("a notice scales the served forecast at once and the next cycle sizes on it")
    func noticeReachesForecastAndSizing() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let before = await runtime.cycle()
        let plain = try await runtime.forecast(group: "web")
        #expect(plain.notices.isEmpty && plain.steps.count == 3)
        let first = try #require(plain.steps.first)
        // Three times the load over the next day.
        let notice = try await runtime.submitNotice(NoticeRequest(group: "web", start: first.time, end: first.time + 86_400,
                                                                  multiplier: 3, note: "launch"))
        let boosted = try await runtime.forecast(group: "web")
        #expect(boosted.notices == [notice.id])
        // The seasonal naive has no notice feature: the explicit adjustment, and the view says why.
        let route = try #require(boosted.noticeEffects.first)
        #expect(boosted.noticeEffects.count == 1 && route.id == notice.id && route.path == .adjustment && route.columns == nil)
        #expect(route.reason?.contains("no notice feature") == true, "\(route)")
        for (a, b) in zip(plain.steps, boosted.steps) {
            for (level, q) in a.quantiles { #expect(abs((b.quantiles[level] ?? .nan) - 3 * q) < 1e-9) }
        }
        clock.advance(by: 3600)
        await runtime.observe(group: "web", demand: 10, at: f.start + 3600)
        let after = await runtime.cycle()
        let q0 = try #require(before.decisions.first?.quantile.value)
        let q1 = try #require(after.decisions.first?.quantile.value)
        #expect(q1 > 2 * q0, "sized at \(q1) with the notice vs \(q0) without")
        #expect((after.decisions.first?.final ?? 0) > (before.decisions.first?.final ?? 0))
        await #expect(throws: ControlError.self) {
            _ = try await runtime.submitNotice(NoticeRequest(group: "nope", start: 0, end: 1, multiplier: 2))
        }
    }

    @Test("pushed demand in the group's metric drives the next cycle; unknown groups are refused")
    func pushedMetrics() async throws {
        let f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        _ = await runtime.cycle() // provisions the pool
        let accepted = try await runtime.pushMetrics([MetricSample(group: "web", metric: "demand_units", value: 40, time: f.start)])
        #expect(accepted == 1)
        let report = await runtime.cycle()
        #expect(report.triggers.first?.reason == .demand && (report.triggers.first?.wanted ?? 0) == 3)
        await #expect(throws: ControlError.self) {
            _ = try await runtime.pushMetrics([MetricSample(group: "nope", metric: "demand_units", value: 1)])
        }
        let health = await runtime.health()
        #expect(health.status == "ok", "\(health.checks)")
    }
}

@Suite("Actuator runtime: injected libvirt failures")
struct RuntimeFailureTests {
    @Test("every other libvirt call failing is absorbed by the retries: shadows provisioned and activated, each recorded once")
    func transientFailuresAreRetried() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.retry = RetryPolicy(attempts: 3, initialDelayMs: 1)
        let flaky = FlakyHypervisor(f.hypervisor)
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock, hypervisor: flaky.hypervisor)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let first = await runtime.cycle()
        #expect(first.reconcile.problems.isEmpty, "\(first.reconcile.problems)")
        #expect(first.reconcile.parked.count == (first.decisions.first?.final ?? -1) && !first.reconcile.parked.isEmpty)
        clock.advance(by: 3600)
        await runtime.observe(group: "web", demand: 30, at: f.start + 3600)
        let second = await runtime.cycle()
        #expect(!second.activations.isEmpty && second.activations.allSatisfy { $0.outcome == .succeeded })
        #expect(flaky.failures > 10)
        for a in second.activations { #expect(try runtime.store.activations(shadow: a.shadowID).count == 1) }
    }

    @Test("an outage that outlasts the retries loses no record: the activation is recorded as rolled back or left for repair")
    func persistentFailureKeepsRecords() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.retry = RetryPolicy(attempts: 2, initialDelayMs: 1)
        let clock = ManualWallClock(f.start)
        let healthy = try await f.runtime(clock: clock)
        await healthy.observe(group: "web", demand: 10, at: f.start)
        _ = await healthy.cycle()
        let shadow = try #require(try healthy.store.shadows(states: [.ready]).first)
        // The host goes down: every call fails.
        let down = try await f.runtime(clock: clock, hypervisor: FlakyHypervisor(f.hypervisor, always: true).hypervisor)
        await #expect(throws: ActivationError.self) {
            _ = try await down.activator.activate(shadowID: shadow.id, activationID: "req-1")
        }
        let recorded = try #require(try down.store.activation(id: "req-1"))
        #expect(recorded.outcome == .rolledBack)
        #expect(try down.store.shadow(id: shadow.id)?.state == .ready)
        // Back up: the shadow activates under a new id.
        let back = try await f.runtime(clock: clock)
        let again = try await back.activator.activate(shadowID: shadow.id, activationID: "req-2")
        #expect(again.outcome == .succeeded)
        #expect(try back.store.activations(shadow: shadow.id).map(\.outcome) == [.rolledBack, .succeeded])
    }
}

@Suite("Actuator runtime: scale-in")
struct RuntimeScaleInTests {
    @Test("an activated VM whose group's demand stays low for the window is decommissioned, one per window")
    func lowDemandRetiresActivatedVMs() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.scaleInUtilisation = 0.3
        f.configuration.scaleInWindow = 7200
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        var t = f.start
        func step(_ demand: Double) async -> CycleReport {
            await runtime.observe(group: "web", demand: demand, at: t)
            let r = await runtime.cycle()
            clock.advance(by: 3600)
            t += 3600
            return r
        }
        _ = await step(10)
        let spike = await step(30), higher = await step(40)
        let activated = (spike.activations + higher.activations).filter { $0.outcome == .succeeded }.count
        try #require(activated >= 2)
        // 5 units on 20 + 10·activated: far below 30 %. The first low cycle starts the window, the
        // next one (1 h later) is still inside it, the third (2 h) retires one VM, and the window restarts.
        let low1 = await step(5), low2 = await step(5), low3 = await step(5), low4 = await step(5), low5 = await step(5)
        #expect(low1.retired.isEmpty && low2.retired.isEmpty)
        #expect(low3.retired.count == 1)
        #expect(low4.retired.isEmpty && low5.retired.count == 1)
        let retired = try #require(low3.retired.first)
        #expect(try runtime.store.shadow(id: retired)?.state == .gone)
        #expect(try await f.hypervisor.list().allSatisfy { $0.metadata?.shadowID != retired })
        #expect(await runtime.runningCapacity("web") == 20 + 10 * Double(activated - 2))
    }
}
