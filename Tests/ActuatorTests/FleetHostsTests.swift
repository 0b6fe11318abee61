@testable import Actuator
import Scaling
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import MetricsTestKit
import Testing

/// Hosts measured from libvirt, shadows spread over hosts, and a host that is lost and comes back
/// (issue 15, item 2), on several libvirt test-driver hosts with node files of their own sizes.
@Suite struct FleetHostsTests {
    /// The shadow size of `RuntimeFixture`'s group: 4 vCPUs, 1 GiB.
    static let shadow = CapacityAmount(vcpus: 4, memoryMiB: 1024, units: 10)

    @Test func capacityIsMeasuredAndTheConfiguredFigureCapsIt() async throws {
        var f = try FleetFixture(hosts: [("h1", 16, 32_768), ("h2", 8, 16_384)], pool: 2)
        defer { f.cleanUp() }
        f.base.configuration.hosts[1].capVCPUs = 4
        // A regular VM on h1 (2 vCPUs, 2 GiB) before the actuator starts.
        let h1 = f.hypervisors["h1"]!
        _ = try await h1.define(DomainSpec(name: "regular-vm", maximum: ResourceSize(vcpus: 2, memoryKiB: 2_097_152),
                                           current: ResourceSize(vcpus: 2, memoryKiB: 2_097_152)))
        try await h1.start("regular-vm")
        let clock = ManualWallClock(f.base.start)
        let runtime = try await f.runtime(clock: clock)
        let before = Dictionary(uniqueKeysWithValues: try await runtime.hosts().map { ($0.name, $0) })
        #expect(before["h1"]?.measured?.vcpus == 16 && before["h1"]?.measured?.memoryMiB == 32_768)
        #expect(before["h1"]?.capacity == CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 1000))
        #expect(before["h1"]?.cap.vcpus == nil && before["h1"]?.cap.memoryMiB == nil)
        #expect(before["h1"]?.used == CapacityAmount(vcpus: 2, memoryMiB: 2048, units: 0))
        #expect(before["h2"]?.measured?.vcpus == 8)
        #expect(before["h2"]?.capacity == CapacityAmount(vcpus: 4, memoryMiB: 16_384, units: 1000), "min(measured 8, cap 4)")
        #expect(before["h2"]?.cap.vcpus == 4)
        #expect(before["h1"]?.state == "up" && before["h2"]?.state == "up")

        let report = await runtime.cycle()
        #expect(report.reconcile.created.count == 2, "\(report.problems)")
        let after = Dictionary(uniqueKeysWithValues: try await runtime.hosts().map { ($0.name, $0) })
        // Each host holds one shadow (anti-affinity); its reservation is not counted as load again.
        #expect(after["h1"]?.reserved == Self.shadow)
        #expect(after["h1"]?.used == CapacityAmount(vcpus: 2, memoryMiB: 2048, units: 0))
        #expect(after["h1"]?.free == CapacityAmount(vcpus: 10, memoryMiB: 32_768 - 2048 - 1024, units: 990))
        #expect(after["h2"]?.reserved == Self.shadow)
        #expect(after["h2"]?.free.vcpus == 0)
    }

    @Test func aGroupsShadowsAreSpreadOverHosts() async throws {
        // Best fit alone would fill the smallest host that fits first; the pool must not sit on one host.
        let f = try FleetFixture(hosts: [("h1", 64, 65_536), ("h2", 32, 32_768), ("h3", 16, 16_384)], pool: 6)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.base.start))
        let report = await runtime.cycle()
        #expect(report.reconcile.created.count == 6, "\(report.problems)")
        let shadows = try runtime.store.shadows(group: "web", states: [.ready])
        var perHost: [String: Int] = [:]
        for s in shadows { perHost[s.host, default: 0] += 1 }
        #expect(perHost == ["h1": 2, "h2": 2, "h3": 2])
        // libvirt agrees: each host runs two of the group's parked shadows.
        for (name, hypervisor) in f.hypervisors {
            let parked = try await hypervisor.list().filter { $0.metadata?.group == "web" && $0.state == .paused }
            #expect(parked.count == 2, "\(name)")
        }
    }

    @Test func aLostHostsShadowsAreReplacedAndItIsReconciledWhenItReturns() async throws {
        let f = try FleetFixture(hosts: [("h1", 16, 32_768), ("h2", 16, 32_768), ("h3", 16, 32_768)], pool: 6, grace: 90)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.base.start)
        let metrics = TestMetrics()
        let runtime = try await f.runtime(clock: clock, metrics: ActuatorMetrics(factory: metrics))
        var report = await runtime.cycle()
        #expect(report.reconcile.created.count == 6, "\(report.problems)")
        let store = runtime.store
        let onH3 = try store.shadows(host: "h3", states: [.ready])
        #expect(onH3.count == 2)
        // One of h3's shadows is activated before the host goes down: it serves, without a reservation.
        let activated = try #require(onH3.first)
        let parked = try #require(onH3.last)
        _ = try await runtime.activate(shadowID: activated.id, requestID: "before-outage")
        #expect(try store.shadow(id: activated.id)?.state == .active)

        try await f.takeDown("h3")
        clock.advance(by: 60)
        report = await runtime.cycle()
        // Within the grace period: unreachable, its parked shadow and reservation stay, nothing new goes there.
        #expect(report.hosts["h3"] == .unreachable)
        #expect(report.problems.contains { $0.hasPrefix("host h3: unreachable for 0 s") }, "\(report.problems)")
        var hosts = Dictionary(uniqueKeysWithValues: try await runtime.hosts().map { ($0.name, $0) })
        #expect(hosts["h3"]?.state == "unreachable" && hosts["h3"]?.unreachableSince == f.base.start + 60)
        #expect(hosts["h3"]?.reserved == Self.shadow)
        #expect(try store.shadow(id: parked.id)?.state == .ready)
        // The activated shadow left the pool: it is refilled, but not on h3.
        #expect(report.reconcile.created.count == 1)
        #expect(try report.reconcile.created.allSatisfy { try store.shadow(id: $0)?.host != "h3" })
        #expect(await runtime.health().checks["host h3"]?.hasPrefix("unreachable since") == true)

        clock.advance(by: 100)
        report = await runtime.cycle()
        // Past the grace period: lost. Both of its shadows are gone (marked lost), the reservation
        // is released, and the parked one is replaced on the hosts that answer.
        #expect(report.hosts["h3"] == .lost)
        #expect(report.problems.contains { $0.contains("host h3: lost after 100 s unreachable; 2 shadow(s) marked lost") },
                "\(report.problems)")
        for id in [activated.id, parked.id] {
            let record = try store.shadow(id: id)
            #expect(record?.state == .gone && record?.lostAt == f.base.start + 160)
        }
        #expect(report.reconcile.created.count == 1, "the pool of 5 parked shadows is refilled to 6")
        hosts = Dictionary(uniqueKeysWithValues: try await runtime.hosts().map { ($0.name, $0) })
        #expect(hosts["h3"]?.state == "lost" && hosts["h3"]?.reserved == .zero && hosts["h3"]?.lostAt == f.base.start + 160)
        let pool = try store.shadows(group: "web", states: [.ready])
        #expect(pool.count == 6 && pool.allSatisfy { $0.host != "h3" })
        #expect(Set(pool.map(\.host)) == ["h1", "h2"])
        // The gauges say the same: h3 lost (once), holding nothing; h1 and h2 hold the pool of 6.
        #expect(try metrics.expectCounter(ActuatorMetrics.hostsLost, [("host", "h3")]).totalValue == 1)
        #expect(try metrics.expectGauge(ActuatorMetrics.hostState, [("host", "h3"), ("state", "lost")]).lastValue == 1)
        #expect(try metrics.expectGauge(ActuatorMetrics.hostState, [("host", "h3"), ("state", "up")]).lastValue == 0)
        #expect(try metrics.expectGauge(ActuatorMetrics.hostReservedUnits, [("host", "h3")]).lastValue == 0)
        let reservedUnits = try ["h1", "h2"].map { try metrics.expectGauge(ActuatorMetrics.hostReservedUnits, [("host", $0)]).lastValue ?? 0 }
        #expect(reservedUnits.reduce(0, +) == 6 * 10)
        #expect(try metrics.expectGauge(ActuatorMetrics.hostFreeUnits, [("host", "h1")]).lastValue == Double(1000 - Int(reservedUnits[0])))

        // h3 answers again, still running both domains (the activated one serving, the parked one paused).
        try f.bringBack("h3", cpus: 16, memoryMiB: 32_768,
                        domains: [shadowDomainXML(activated, running: true), shadowDomainXML(parked, running: false)])
        clock.advance(by: 60)
        report = await runtime.cycle()
        #expect(report.hosts["h3"] == .up)
        #expect(report.notes.contains("host h3 answers again after it was lost: 1 domain(s) re-adopted, 1 removed"), "\(report.notes) \(report.problems)")
        // The parked one was replaced, so it is removed; the serving one is a member again.
        let listed = try await f.hypervisors["h3"]!.list()
        #expect(listed.map(\.name) == [activated.domainName])
        #expect(try store.shadow(id: activated.id)?.state == .active)
        #expect(try store.shadow(id: parked.id)?.state == .gone)
        // Nothing counted twice: 6 reservations over h1 and h2, none on h3, whose load is the serving VM.
        hosts = Dictionary(uniqueKeysWithValues: try await runtime.hosts().map { ($0.name, $0) })
        #expect(hosts["h3"]?.state == "up" && hosts["h3"]?.reserved == .zero)
        #expect(hosts["h3"]?.used == CapacityAmount(vcpus: 4, memoryMiB: 1024, units: 0))
        #expect(try store.reservations().count == 6)
        #expect((hosts["h1"]?.reserved.vcpus ?? 0) + (hosts["h2"]?.reserved.vcpus ?? 0) == 6 * 4)
        #expect(try store.shadows(group: "web", states: [.ready]).count == 6)
    }
}

extension FleetHostsTests {
    @Test func activationsTakeShadowsOnHostsThatAnswer() async throws {
        let f = try FleetFixture(hosts: [("h1", 16, 32_768), ("h2", 16, 32_768)], pool: 4)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.base.start)
        let runtime = try await f.runtime(clock: clock)
        _ = await runtime.cycle()
        #expect(try runtime.store.shadows(host: "h2", states: [.ready]).count == 2)
        try await f.takeDown("h2")
        clock.advance(by: 10)
        #expect(await runtime.cycle().hosts["h2"] == .unreachable)
        // h1's two parked shadows are activated; h2's are not tried.
        for i in 0..<2 {
            let record = try await runtime.activator.activate(group: "web", activationID: "a\(i)")
            #expect(record.outcome == .succeeded)
            #expect(try runtime.store.shadow(id: record.shadowID)?.host == "h1")
        }
        await #expect {
            try await runtime.activator.activate(group: "web", activationID: "a2")
        } throws: { error in
            (error as? ActivationError)?.kind == .noShadow && "\(error)".contains("2 on unreachable hosts")
        }
    }
}

/// Anti-affinity and the free-memory guard on hand-made availabilities.
@Suite struct PlacementSpreadTests {
    func host(_ name: String, freeUnits: Int64, state: HostState = .up, freeMemoryMiB: Int64? = nil) -> HostAvailability {
        var status = HostStatus()
        status.state = state
        status.freeMemoryMiB = freeMemoryMiB
        let capacity = CapacityAmount(vcpus: 64, memoryMiB: 65_536, units: freeUnits)
        return HostAvailability(host: HostRecord(name: name, uri: "test:///x", capacity: capacity, updatedAt: 0, status: status),
                                reserved: .zero, free: capacity)
    }

    var shadow: ShadowRecord {
        ShadowRecord(id: "s", group: "web", host: "", domainName: "d", state: .planned, baselineVCPUs: 2, baselineMemoryMiB: 512,
                     fullVCPUs: 4, fullMemoryMiB: 2048, reservedUnits: 10, createdAt: 0, updatedAt: 0)
    }

    @Test func fewestShadowsOfTheGroupFirstThenBestFit() {
        let hosts = [host("a", freeUnits: 100), host("b", freeUnits: 500), host("c", freeUnits: 300)]
        #expect(Placement.spread(shadow, hosts: hosts, groupShadows: [:])?.host.name == "a", "best fit among equals")
        #expect(Placement.spread(shadow, hosts: hosts, groupShadows: ["a": 1])?.host.name == "c")
        #expect(Placement.spread(shadow, hosts: hosts, groupShadows: ["a": 1, "c": 1])?.host.name == "b")
        #expect(Placement.spread(shadow, hosts: hosts, groupShadows: ["a": 2, "b": 1, "c": 1])?.host.name == "c")
    }

    @Test func unreachableLostAndShortOfMemoryHostsTakeNothing() {
        let hosts = [host("a", freeUnits: 100, state: .unreachable), host("b", freeUnits: 100, state: .lost),
                     host("c", freeUnits: 100, freeMemoryMiB: 511), host("d", freeUnits: 900, freeMemoryMiB: 512)]
        #expect(Placement.spread(shadow, hosts: hosts, groupShadows: [:])?.host.name == "d")
        #expect(Placement.spread(shadow, hosts: Array(hosts.prefix(3)), groupShadows: [:]) == nil)
    }
}
