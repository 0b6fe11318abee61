import MetricStore
import Testing

/// Hosts measured each cycle, unreachable and lost hosts (migration `v9-host-status`).
extension Checks {
    static func hostMeasurementsRoundTrip(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        // Before any measurement: up, uncapped, unmeasured.
        #expect(try store.hostAvailability("h1")?.host.status == HostStatus())
        try store.setCap(vcpus: 6, memoryMiB: nil, ofHost: "h1")
        let m = HostMeasurementRecord(capacity: CapacityAmount(vcpus: 6, memoryMiB: 65_536, units: 100),
                                      load: CapacityAmount(vcpus: 1, memoryMiB: 512), measuredVCPUs: 24,
                                      measuredMemoryMiB: 65_536, freeMemoryMiB: 60_000)
        #expect(try store.recordMeasurement(m, ofHost: "h1", at: 2_000) == .up)
        #expect(try store.recordMeasurement(m, ofHost: "nope", at: 2_000) == nil)
        let a = try #require(try store.hostAvailability("h1"))
        #expect(a.host.capacity == m.capacity && a.host.load == m.load && a.host.updatedAt == 2_000)
        #expect(a.free == CapacityAmount(vcpus: 5, memoryMiB: 65_024, units: 100))
        #expect(a.host.status.capVCPUs == 6 && a.host.status.capMemoryMiB == nil)
        #expect(a.host.status.measuredVCPUs == 24 && a.host.status.measuredMemoryMiB == 65_536)
        #expect(a.host.status.freeMemoryMiB == 60_000 && a.host.status.measuredAt == 2_000)
        #expect(a.host.status.state == .up && a.host.status.lastError == nil)
        // A driver that cannot tell free memory: nil round-trips; the cap can be removed.
        var unknownFree = m
        unknownFree.freeMemoryMiB = nil
        try store.recordMeasurement(unknownFree, ofHost: "h1", at: 2_100)
        try store.setCap(vcpus: nil, memoryMiB: 4096, ofHost: "h1")
        let b = try #require(try store.hostAvailability("h1")?.host.status)
        #expect(b.freeMemoryMiB == nil && b.measuredAt == 2_100 && b.capVCPUs == nil && b.capMemoryMiB == 4096)
        // upsertHost (re-registration) leaves the measured figures and the state alone.
        try store.upsertHost(Fixture.host("h1"))
        #expect(try store.hostAvailability("h1")?.host.status.measuredVCPUs == 24)
        #expect(try store.hosts().first?.status.capMemoryMiB == 4096)
    }

    static func hostsGoUnreachableLostAndUpAgain(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        try store.upsertHost(Fixture.host("h2"))
        for (id, host) in [("a", "h1"), ("b", "h1"), ("c", "h2")] {
            #expect(try store.reserve(shadow: Fixture.shadow(id, host: host), on: host, at: 1_000).isReserved)
        }
        // b is being activated when its host goes.
        guard case .started = try store.beginActivation(id: "act-b", shadow: "b", at: 1_050) else {
            Issue.record("no claim of b")
            return
        }
        // Not unreachable yet: markHostLost does nothing.
        #expect(try store.markHostLost("h1", at: 1_100).isEmpty)
        #expect(try store.hostAvailability("h1")?.host.status.state == .up)
        let first = try #require(try store.recordUnreachable(host: "h1", error: "connection refused", at: 1_100))
        #expect(first.state == .unreachable && first.unreachableSince == 1_100 && first.lastError == "connection refused")
        #expect(try store.recordUnreachable(host: "nope", error: "x", at: 1_100) == nil)
        // A later failure keeps the time the failures began and records the newer error.
        let second = try #require(try store.recordUnreachable(host: "h1", error: "timeout", at: 1_160))
        #expect(second.unreachableSince == 1_100 && second.lastError == "timeout" && second.state == .unreachable)
        // Unreachable hosts take no new reservation, and nothing is written.
        #expect(try store.reserve(shadow: Fixture.shadow("d", host: "h1"), on: "h1", at: 1_170) == .hostDisabled)
        #expect(try store.shadow(id: "d") == nil)

        let lost = try store.markHostLost("h1", at: 1_200)
        #expect(lost.map(\.id) == ["a", "b"])
        for id in ["a", "b"] {
            let s = try store.shadow(id: id)
            #expect(s?.state == .gone && s?.lostAt == 1_200)
        }
        #expect(try store.activation(id: "act-b")?.outcome == .failed)
        #expect(try store.reservations().map(\.shadowID) == ["c"])
        #expect(try store.shadow(id: "c")?.lostAt == nil && store.shadow(id: "c")?.state == .ready)
        // Twice is nothing more; a lost host still takes nothing new.
        #expect(try store.markHostLost("h1", at: 1_300).isEmpty)
        #expect(try store.recordUnreachable(host: "h1", error: "still down", at: 1_300)?.state == .lost)
        #expect(try store.reserve(shadow: Fixture.shadow("e", host: "h1"), on: "h1", at: 1_310) == .hostDisabled)
        let status = try #require(try store.hostAvailability("h1")?.host.status)
        #expect(status.state == .lost && status.lostAt == 1_200 && status.unreachableSince == 1_100)
        #expect(try store.hostAvailability("h2")?.host.status.state == .up)

        // It answers again: up, the failure marks cleared, and it takes reservations again.
        let m = HostMeasurementRecord(capacity: CapacityAmount(vcpus: 8, memoryMiB: 16_384, units: 100), load: .zero,
                                      measuredVCPUs: 8, measuredMemoryMiB: 16_384, freeMemoryMiB: nil)
        #expect(try store.recordMeasurement(m, ofHost: "h1", at: 1_400) == .lost)
        let up = try #require(try store.hostAvailability("h1")?.host.status)
        #expect(up.state == .up && up.unreachableSince == nil && up.lostAt == nil && up.lastError == nil)
        #expect(try store.reserve(shadow: Fixture.shadow("f", host: "h1"), on: "h1", at: 1_410).isReserved)
        // Adopting a lost shadow again clears its lost mark.
        var a = try #require(try store.shadow(id: "a"))
        a.state = .active
        try store.adopt(shadow: a, reserving: false, at: 1_400)
        #expect(try store.shadow(id: "a")?.lostAt == nil)
        #expect(try store.shadow(id: "b")?.lostAt == 1_200)
        #expect(try store.shadows(states: [.gone]).map(\.id) == ["b"])
    }
}
