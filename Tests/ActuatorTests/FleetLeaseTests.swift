@testable import Actuator
import Scaling
import Foundation
import Hypervisor
import MetricStore
import MetricsTestKit
import Testing
import LibvirtHypervisor

/// Several actuators, one fleet (issue 15, item 3): runtimes in one process sharing one store —
/// an SQLite file, and the test PostgreSQL under scripts/pg-test.sh — and the same test-driver hosts.
@Suite struct FleetLeaseTests {
    /// Runs a cycle of each runtime, `rounds` times, the clock moving `step` seconds after each round.
    static func rounds(_ runtimes: [ActuatorRuntime], _ clock: ManualWallClock, _ rounds: Int, step: Int64 = 5) async -> [CycleReport] {
        var reports: [CycleReport] = []
        for _ in 0..<rounds {
            for r in runtimes { reports.append(await r.cycle()) }
            clock.advance(by: step)
        }
        return reports
    }

    static func held(_ runtime: ActuatorRuntime, at now: Int64) -> Set<String> {
        Set(runtime.leaseBook.leases.values.filter { $0.expiresAt > now }.map(\.group))
    }

    @Test(arguments: SharedStore.available)
    func groupsAreDividedAmongActuators(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 6)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let runtimes = [try await f.runtime("a", clock: clock), try await f.runtime("b", clock: clock),
                        try await f.runtime("c", clock: clock)]
        let reports = await Self.rounds(runtimes, clock, 3)
        let now = clock.now()
        let held = runtimes.map { Self.held($0, at: now) }
        #expect(held.map(\.count) == [2, 2, 2], "\(held) \(reports.flatMap(\.problems))")
        #expect(held[0].union(held[1]).union(held[2]) == Set((1...6).map { "g\($0)" }))
        #expect(held[0].isDisjoint(with: held[1]) && held[1].isDisjoint(with: held[2]) && held[0].isDisjoint(with: held[2]))
        // The store says the same.
        let owners = try f.owners(at: now)
        for (i, id) in ["a", "b", "c"].enumerated() {
            #expect(Set(owners.filter { $0.value == id }.keys) == held[i])
        }
        // Each group was provisioned once, by its holder: one shadow, one domain, nothing orphaned.
        let audit = try await f.audit()
        #expect(audit.pools == Dictionary(uniqueKeysWithValues: (1...6).map { ("g\($0)", 1) }), "\(reports.flatMap(\.problems))")
        #expect(audit.orphans.isEmpty && audit.doubles.isEmpty)
        let health = await runtimes[0].health()
        #expect(health.checks["leases"] == "ok")
        #expect(health.checks["leases held"]?.contains("2 of 6 group(s), share 2, 3 live actuator(s)") == true, "\(health.checks)")
    }

    @Test(arguments: SharedStore.available)
    func aDeadActuatorsGroupsAreTakenOverWithinTwoLeasePeriods(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 6, lease: 30)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let a = try await f.runtime("a", clock: clock), b = try await f.runtime("b", clock: clock)
        let c = try await f.runtime("c", clock: clock)
        _ = await Self.rounds([a, b, c], clock, 3)
        let before = try await f.audit()
        let shadowsBefore = try Set(f.openStore().shadows(states: [.ready]).map(\.id))
        // c stops renewing (killed) right after its last cycle.
        let orphaned = Self.held(c, at: clock.now())
        #expect(orphaned.count == 2)
        let died = clock.now() - 5
        var takenAt: Int64?
        for _ in 0..<20 {
            _ = await Self.rounds([a, b], clock, 1)
            let owners = try f.owners(at: clock.now())
            if orphaned.allSatisfy({ owners[$0] == "a" || owners[$0] == "b" }) {
                takenAt = clock.now()
                break
            }
        }
        let taken = try #require(takenAt, "c's groups were never taken over")
        #expect(taken - died <= 2 * f.lease, "taken over \(taken - died) s after the last renewal (lease \(f.lease) s)")
        #expect(Self.held(a, at: clock.now()).count + Self.held(b, at: clock.now()).count == 6)
        // Adopted, not re-created: the same shadows, one each, no orphan, no double.
        let after = try await f.audit()
        #expect(after.pools == before.pools)
        #expect(after.orphans.isEmpty && after.doubles.isEmpty)
        #expect(try Set(f.openStore().shadows(states: [.ready]).map(\.id)) == shadowsBefore)
    }

    /// The groups of a stored `sizing@<id>` document, and its cost window's shadow-intervals per group.
    static func sizingDocument(_ state: StoredState) throws -> (groups: Set<String>, window: [String: Double]) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(state.json.utf8)) as? [String: Any])
        let groups = Set((object["groups"] as? [String: Any] ?? [:]).keys)
        let entries = ((object["cost_loop"] as? [String: Any])?["entries"] as? [[String: Any]]) ?? []
        var window: [String: Double] = [:]
        for e in entries { if let g = e["group"] as? String { window[g] = e["shadowIntervals"] as? Double } }
        return (groups, window)
    }

    @Test(arguments: SharedStore.available)
    func eachActuatorStoresItsOwnGroupsSizingStateAndATakeoverContinuesIt(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 6, lease: 30)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let a = try await f.runtime("a", clock: clock), b = try await f.runtime("b", clock: clock)
        let c = try await f.runtime("c", clock: clock)
        let reports = await Self.rounds([a, b, c], clock, 3)
        let store = try f.openStore()
        let docs = try store.states(prefix: "sizing")
        #expect(docs.map(\.name) == ["sizing@a", "sizing@b", "sizing@c"], "one document per actuator, none shared")
        // Each holds its writer's groups only, its cost window too: nobody overwrites another's groups.
        let now = clock.now()
        for (doc, runtime) in zip(docs, [a, b, c]) {
            let parsed = try Self.sizingDocument(doc)
            #expect(parsed.groups == Self.held(runtime, at: now), "\(doc.name) \(reports.flatMap(\.problems))")
            #expect(Set(parsed.window.keys) == Self.held(runtime, at: now))
        }
        // c dies; the window it stored for its groups is continued by their new holders, not restarted.
        let orphaned = Self.held(c, at: now)
        let stored = try Self.sizingDocument(try #require(docs.last)).window
        #expect(orphaned.allSatisfy { (stored[$0] ?? 0) > 0 }, "\(stored)")
        var taken = false
        for _ in 0..<20 where !taken {
            _ = await Self.rounds([a, b], clock, 1)
            let owners = try f.owners(at: clock.now())
            taken = orphaned.allSatisfy { owners[$0] == "a" || owners[$0] == "b" }
        }
        #expect(taken, "c's groups were never taken over")
        _ = await Self.rounds([a, b], clock, 1)
        for group in orphaned {
            let holder = Self.held(a, at: clock.now()).contains(group) ? a : b
            let window = await holder.costLoopState().entries.first { $0.group == group }?.shadowIntervals ?? 0
            #expect(window > (stored[group] ?? .infinity), "group \(group): \(window) shadow-intervals after the takeover, c had stored \(stored[group] ?? 0)")
        }
    }

    @Test(arguments: SharedStore.available)
    func anActuatorThatJoinsGetsItsShare(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 6)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let a = try await f.runtime("a", clock: clock), b = try await f.runtime("b", clock: clock)
        _ = await Self.rounds([a, b], clock, 2)
        #expect(Self.held(a, at: clock.now()).count == 3 && Self.held(b, at: clock.now()).count == 3)
        let shadowsBefore = try Set(f.openStore().shadows(states: [.ready]).map(\.id))
        let c = try await f.runtime("c", clock: clock)
        let reports = await Self.rounds([c, a, b], clock, 2)
        let now = clock.now()
        #expect([a, b, c].map { Self.held($0, at: now).count } == [2, 2, 2], "\(reports.flatMap(\.notes))")
        #expect(reports.contains { $0.notes.contains { $0.hasPrefix("leases: released") } })
        // Handing a group over moves its lease, not its shadows.
        #expect(try Set(f.openStore().shadows(states: [.ready]).map(\.id)) == shadowsBefore)
        let audit = try await f.audit()
        #expect(audit.orphans.isEmpty && audit.doubles.isEmpty)
    }

    @Test(arguments: SharedStore.available)
    func aWriteUnderALostLeaseIsRefusedAndWorkOnTheGroupStops(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 2, lease: 30)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let metrics = TestMetrics()
        let a = try await f.runtime("a", clock: clock, metrics: ActuatorMetrics(factory: metrics))
        _ = await a.cycle()
        #expect(Self.held(a, at: clock.now()) == ["g1", "g2"])
        // a stalls (a long GC pause, a frozen VM) past its lease; b takes both groups.
        clock.advance(by: 31)
        let b = try await f.runtime("b", clock: clock)
        _ = await b.cycle()
        #expect(Self.held(b, at: clock.now()) == ["g1", "g2"])
        let store = try f.openStore()
        let ready = try #require(try store.shadows(group: "g1", states: [.ready]).first)
        // a wakes up still believing it holds g1: its claim is refused by the store, nothing is
        // written and the domain is untouched.
        await #expect(throws: ActivationError.self) {
            _ = try await a.activator.activate(shadowID: ready.id, activationID: "stale-claim")
        }
        #expect(try store.activation(id: "stale-claim") == nil)
        #expect(try store.shadow(id: ready.id)?.state == .ready)
        #expect(try await f.fleet.hypervisors[ready.host]!.info(ready.domainName).state == .paused)
        // Work on g1 stopped at once: a no longer holds it, reports it and counts it.
        #expect(!a.leaseBook.holds("g1", at: clock.now()))
        let report = await a.cycle()
        #expect(report.problems.contains { $0.contains("group g1") && $0.contains("lease lost") }, "\(report.problems)")
        #expect(try metrics.expectCounter(ActuatorMetrics.leasesLost, [("group", "g1")]).totalValue >= 1)
        #expect(report.activations.isEmpty && report.reconcile.created.isEmpty && report.reconcile.removed.isEmpty)
        // b decided g1 at this time; a's cycle at the same time decided nothing for it.
        #expect(try store.decisions(group: "g1", limit: 10).filter { $0.time == clock.now() }.count == 1)
        #expect(report.decisions.isEmpty, "\(report.decisions.map(\.group))")
        let audit = try await f.audit()
        #expect(audit.pools == ["g1": 1, "g2": 1] && audit.orphans.isEmpty && audit.doubles.isEmpty)
    }

    @Test(arguments: SharedStore.available)
    func differentConfigurationsOfOneGroupAreRefused(_ kind: SharedStore) async throws {
        let f = try LeaseFleet(kind: kind, groups: 2)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let a = try await f.runtime("a", clock: clock)
        _ = await a.cycle()
        clock.advance(by: 5)
        // b configures g2 with another shadow size.
        let b = try await f.runtime("b", clock: clock) { c in
            c.groups[1].template = ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 524_288), units: 5)
        }
        let reports = await Self.rounds([b, a, b, a], clock, 2)
        let now = clock.now()
        // a started first and keeps g2; b takes its share from the rest and refuses g2.
        #expect(Self.held(a, at: now) == ["g2"] || Self.held(a, at: now) == ["g1", "g2"])
        #expect(!Self.held(b, at: now).contains("g2"))
        let refused = reports.flatMap(\.problems).filter { $0.contains("group g2 is configured differently by actuator a") }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.contains("refused here") }, "\(reports.flatMap(\.problems))")
        let health = await b.health()
        #expect(health.status == "degraded")
        #expect(health.checks["lease g2"]?.contains("refused here, a started first") == true, "\(health.checks)")
        #expect(await a.health().checks["lease g2"]?.contains("kept here") == true)
        // Only g2's shadow of a's size exists.
        let g2 = try f.openStore().shadows(group: "g2")
        #expect(g2.count == 1 && g2.allSatisfy { $0.fullVCPUs == 4 })
    }

    @Test(.enabled(if: SharedStore.postgresURL != nil, "PSM_TEST_POSTGRES is unset: run through scripts/pg-test.sh"))
    func whilePostgreSQLIsAwayNoDomainChangesAndTheActuatorResumesAfter() async throws {
        let f = try LeaseFleet(kind: .postgres, groups: 2, lease: 30)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.fleet.base.start)
        let metrics = TestMetrics()
        let a = try await f.runtime("a", clock: clock, metrics: ActuatorMetrics(factory: metrics))
        _ = await a.cycle()
        let before = try await f.audit()
        #expect(before.pools == ["g1": 1, "g2": 1])
        let domains = try await f.fleet.hypervisors.values.asyncMap { try await $0.list().map { "\($0.name) \($0.state)" }.sorted() }
        // Demand far above what runs: the trigger wants an activation in g1.
        clock.advance(by: 5)
        await a.observe(group: "g1", demand: 1_000, at: clock.now())

        try f.setDatabase(available: false)
        let away = await a.cycle()
        #expect(away.problems.contains { $0.contains("does not answer: cycle skipped, no domain changed") }, "\(away.problems)")
        #expect(away.activations.isEmpty && away.reconcile.created.isEmpty && away.decisions.isEmpty)
        #expect(try await f.fleet.hypervisors.values.asyncMap { try await $0.list().map { "\($0.name) \($0.state)" }.sorted() } == domains)
        #expect(try metrics.expectGauge(ActuatorMetrics.storeAvailable).lastValue == 0)
        // Reads still answer, and say what is wrong.
        let health = await a.health()
        #expect(health.status == "failing" && health.checks["store"] == "failing")

        try f.setDatabase(available: true)
        clock.advance(by: 5)
        let back = await a.cycle()
        #expect(!back.problems.contains { $0.contains("does not answer") }, "\(back.problems)")
        #expect(try metrics.expectGauge(ActuatorMetrics.storeAvailable).lastValue == 1)
        #expect(back.activations.count == 1 && back.activations.first?.outcome == .succeeded, "\(back.problems)")
        #expect(await a.health().checks["store"] == "ok")
        // Nothing lost, nothing twice: the same leases (renewed), one activation, no orphan.
        #expect(Self.held(a, at: clock.now()) == ["g1", "g2"])
        let after = try await f.audit()
        #expect(after.orphans.isEmpty && after.doubles.isEmpty)
        #expect(try f.openStore().activations(group: "g1", limit: 10).count == 1)
    }

    @Test func singleActuatorOnSQLiteTakesNoLeases() async throws {
        let f = try FleetFixture(hosts: [("h1", 16, 32_768)], pool: 1)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.base.start))
        #expect(runtime.leaseKeeper == nil && !runtime.leaseBook.enabled)
        let report = await runtime.cycle()
        #expect(report.reconcile.created.count == 1, "\(report.problems)")
        #expect(try runtime.store.leases().isEmpty)
        #expect(await runtime.health().checks["leases"] == nil)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
