import Foundation
import MetricStore
import Testing

/// Measured hosts, unreachable and lost hosts in the store (migration `v9-host-status`).
@Suite struct HostStatusStoreTests {
    @Test func aMeasurementSetsCapacityLoadAndTheMeasuredFigures() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        try store.setCap(vcpus: 6, memoryMiB: nil, ofHost: "h1")
        let m = HostMeasurementRecord(capacity: CapacityAmount(vcpus: 6, memoryMiB: 65_536, units: 100),
                                      load: CapacityAmount(vcpus: 1, memoryMiB: 512), measuredVCPUs: 24,
                                      measuredMemoryMiB: 65_536, freeMemoryMiB: 60_000)
        #expect(try store.recordMeasurement(m, ofHost: "h1", at: 2_000) == .up)
        #expect(try store.recordMeasurement(m, ofHost: "nope", at: 2_000) == nil)
        let a = try #require(try store.hostAvailability("h1"))
        #expect(a.host.capacity == m.capacity && a.host.load == m.load)
        #expect(a.free == CapacityAmount(vcpus: 5, memoryMiB: 65_024, units: 100))
        #expect(a.host.status.capVCPUs == 6 && a.host.status.capMemoryMiB == nil)
        #expect(a.host.status.measuredVCPUs == 24 && a.host.status.measuredMemoryMiB == 65_536)
        #expect(a.host.status.freeMemoryMiB == 60_000 && a.host.status.measuredAt == 2_000)
        // upsertHost (re-registration) leaves the measured figures and the state alone.
        try store.upsertHost(testHost())
        #expect(try store.hostAvailability("h1")?.host.status.measuredVCPUs == 24)
    }

    @Test func anUnreachableHostIsLostOnceWithItsShadowsAndUpAgainOnAnswer() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost("h1"))
        try store.upsertHost(testHost("h2"))
        for (id, host) in [("a", "h1"), ("b", "h1"), ("c", "h2")] {
            guard case .reserved = try store.reserve(shadow: testShadow(id, host: host), on: host, at: 1_000) else {
                Issue.record("\(id) not reserved"); return
            }
        }
        // b is being activated when its host goes.
        guard case .started = try store.beginActivation(id: "act-b", shadow: "b", at: 1_050) else { Issue.record("no claim"); return }
        // Not unreachable yet: markHostLost does nothing.
        #expect(try store.markHostLost("h1", at: 1_100).isEmpty)
        let first = try #require(try store.recordUnreachable(host: "h1", error: "connection refused", at: 1_100))
        #expect(first.state == .unreachable && first.unreachableSince == 1_100 && first.lastError == "connection refused")
        // A later failure keeps the time the failures began.
        #expect(try store.recordUnreachable(host: "h1", error: "timeout", at: 1_160)?.unreachableSince == 1_100)
        // Unreachable hosts take no new reservation.
        #expect(try store.reserve(shadow: testShadow("d", host: "h1"), on: "h1", at: 1_170) == .hostDisabled)

        let lost = try store.markHostLost("h1", at: 1_200)
        #expect(lost.map(\.id) == ["a", "b"])
        for id in ["a", "b"] {
            let s = try store.shadow(id: id)
            #expect(s?.state == .gone && s?.lostAt == 1_200)
        }
        #expect(try store.activation(id: "act-b")?.outcome == .failed)
        #expect(try store.reservations().map(\.shadowID) == ["c"])
        #expect(try store.shadow(id: "c")?.lostAt == nil)
        // Twice is nothing more.
        #expect(try store.markHostLost("h1", at: 1_300).isEmpty)
        let status = try #require(try store.hostAvailability("h1")?.host.status)
        #expect(status.state == .lost && status.lostAt == 1_200 && status.unreachableSince == 1_100)

        let m = HostMeasurementRecord(capacity: CapacityAmount(vcpus: 8, memoryMiB: 16_384, units: 100), load: .zero,
                                      measuredVCPUs: 8, measuredMemoryMiB: 16_384, freeMemoryMiB: nil)
        #expect(try store.recordMeasurement(m, ofHost: "h1", at: 1_400) == .lost)
        let up = try #require(try store.hostAvailability("h1")?.host.status)
        #expect(up.state == .up && up.unreachableSince == nil && up.lostAt == nil && up.lastError == nil)
        // Adopting a lost shadow again clears its lost mark.
        var a = try #require(try store.shadow(id: "a"))
        a.state = .active
        try store.adopt(shadow: a, reserving: false, at: 1_400)
        #expect(try store.shadow(id: "a")?.lostAt == nil)
    }
}
