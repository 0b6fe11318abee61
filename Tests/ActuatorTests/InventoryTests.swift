import Actuator
import Foundation
import Hypervisor
import MetricStore
import Scaling
import Testing

@Suite struct InventoryTests {
    func host(_ name: String, free units: Int64, memoryMiB: Int64 = 8_192, enabled: Bool = true) -> HostAvailability {
        let capacity = CapacityAmount(vcpus: 16, memoryMiB: memoryMiB, units: units)
        return HostAvailability(host: HostRecord(name: name, uri: "test:///default", capacity: capacity, enabled: enabled,
                                                 updatedAt: 0),
                                reserved: .zero, free: capacity)
    }

    @Test func bestFitPicksTheTightestEnabledHostThatFitsWithTiesByName() {
        let hosts = [host("a", free: 30), host("c", free: 20), host("b", free: 20), host("d", free: 10),
                     host("e", free: 16, enabled: false)]
        let request = CapacityAmount(vcpus: 2, memoryMiB: 1_024, units: 15)
        #expect(Placement.bestFit(request, hosts: hosts)?.host.name == "b")
        // b and c cannot hold the memory: the next tightest that fits every dimension is a.
        let hungry = CapacityAmount(vcpus: 2, memoryMiB: 4_096, units: 15)
        let shortOnMemory = [host("a", free: 30), host("b", free: 20, memoryMiB: 2_048), host("c", free: 20, memoryMiB: 2_048)]
        #expect(Placement.bestFit(hungry, hosts: shortOnMemory)?.host.name == "a")
        #expect(Placement.bestFit(CapacityAmount(units: 31), hosts: hosts) == nil)
        #expect(Placement.bestFit(request, hosts: []) == nil)
    }

    @Test func placementHonoursReservationsAndLoad() throws {
        let store = try MetricStore.inMemory()
        let inventory = Inventory(store: store, clock: ManualWallClock(1_000))
        try inventory.register([
            HostConfig(name: "h1", uri: "test:///default", capacity: CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 100)),
            HostConfig(name: "h2", uri: "test:///default", capacity: CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 60)),
        ])
        let request = CapacityAmount(vcpus: 4, memoryMiB: 4_096, units: 40)
        // Empty hosts: h2 (60 free) is tighter than h1 (100).
        #expect(try inventory.place(request) == "h2")
        // Load on h2 leaves 60 − 30 = 30 < 40: h1 now.
        #expect(try inventory.updateLoad(CapacityAmount(units: 30), ofHost: "h2"))
        #expect(try inventory.place(request) == "h1")
        // Two reservations on h1 leave 100 − 80 = 20: nothing fits.
        let first = try #require(try inventory.placeAndReserve(shadow("s1", units: 40)))
        let second = try #require(try inventory.placeAndReserve(shadow("s2", units: 40)))
        #expect(first.host == "h1" && second.host == "h1")
        #expect(try inventory.freeCapacity("h1") == CapacityAmount(vcpus: 12, memoryMiB: 28_672, units: 20)) // 16 − 2·2, 32768 − 2·2048, 100 − 2·40
        #expect(try inventory.place(request) == nil)
        #expect(try inventory.placeAndReserve(shadow("s3", units: 40)) == nil)
        #expect(try store.shadow(id: "s3") == nil)
        // A 20-unit shadow of another group fits h1 exactly (20) and h2 (30): best fit takes h1.
        var other = shadow("s4", units: 20)
        other.group = "db"
        #expect(try inventory.placeAndReserve(other)?.host == "h1")
        // One more of web's goes to h2, which holds none of web's pool (anti-affinity before fit).
        #expect(try inventory.placeAndReserve(shadow("s5", units: 20))?.host == "h2")
    }

    @Test func reregisteringKeepsLoadAndDisablesHostsNoLongerConfigured() throws {
        let store = try MetricStore.inMemory()
        let clock = ManualWallClock(1_000)
        let inventory = Inventory(store: store, clock: clock)
        let h1 = HostConfig(name: "h1", uri: "qemu+ssh://h1/system", capacity: CapacityAmount(vcpus: 8, memoryMiB: 8_192, units: 50),
                            labels: ["zone": "a"])
        let h2 = HostConfig(name: "h2", uri: "qemu+ssh://h2/system", capacity: CapacityAmount(vcpus: 8, memoryMiB: 8_192, units: 50))
        try inventory.register([h1, h2])
        try inventory.updateLoad(CapacityAmount(vcpus: 1, memoryMiB: 512, units: 5), ofHost: "h1")
        clock.advance(by: 60)
        var bigger = h1
        bigger.capacity.units = 80
        try inventory.register([bigger])
        let hosts = Dictionary(uniqueKeysWithValues: try store.hosts().map { ($0.name, $0) })
        #expect(hosts["h1"]?.capacity.units == 80 && hosts["h1"]?.load.units == 5 && hosts["h1"]?.labels == ["zone": "a"])
        #expect(hosts["h1"]?.updatedAt == 1_060)
        #expect(hosts["h2"]?.enabled == false)
        #expect(try inventory.place(CapacityAmount(units: 1)) == "h1")
    }

    @Test func reservedCapacityListsHostsShadowsAndTotalsAsJSON() throws {
        let store = try MetricStore.inMemory()
        let inventory = Inventory(store: store, clock: ManualWallClock(1_000))
        try inventory.register([
            HostConfig(name: "h1", uri: "u1", capacity: CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 100)),
            HostConfig(name: "h2", uri: "u2", capacity: CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 100)),
            HostConfig(name: "h3", uri: "u3", capacity: CapacityAmount(vcpus: 16, memoryMiB: 32_768, units: 100)),
        ])
        _ = try store.reserve(shadow: shadow("b", units: 10), on: "h1", at: 1)
        _ = try store.reserve(shadow: shadow("a", units: 30), on: "h1", at: 1)
        _ = try store.reserve(shadow: shadow("c", units: 5), on: "h2", at: 1)
        let reserved = try inventory.reservedCapacity()
        #expect(reserved.hosts == [
            HostReservations(host: "h1", reserved: CapacityAmount(vcpus: 4, memoryMiB: 4_096, units: 40), shadowIDs: ["a", "b"]),
            HostReservations(host: "h2", reserved: CapacityAmount(vcpus: 2, memoryMiB: 2_048, units: 5), shadowIDs: ["c"]),
        ])
        #expect(reserved.total == CapacityAmount(vcpus: 6, memoryMiB: 6_144, units: 45))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(reserved), as: UTF8.self)
        #expect(json.hasPrefix(#"{"hosts":[{"host":"h1","reserved":{"memoryMiB":4096,"units":40,"vcpus":4},"shadowIDs":["a","b"]}"#))
        #expect(try JSONDecoder().decode(ReservedCapacity.self, from: Data(json.utf8)) == reserved)
    }

    func shadow(_ id: String, units: Int64) -> ShadowRecord {
        // Ready: part of the group's pool (what anti-affinity spreads).
        ShadowRecord(id: id, group: "web", host: "", domainName: "dom-\(id)", state: .ready, baselineVCPUs: 2,
                     baselineMemoryMiB: 512, fullVCPUs: 2, fullMemoryMiB: 2_048, reservedUnits: units, createdAt: 1, updatedAt: 1)
    }
}
