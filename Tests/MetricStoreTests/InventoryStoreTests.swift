import Foundation
import GRDB
import MetricStore
import Testing

/// A host of 8 vCPUs, 16 GiB and 100 units with nothing running.
func testHost(_ name: String = "h1", units: Int64 = 100, vcpus: Int64 = 8, memoryMiB: Int64 = 16_384,
              enabled: Bool = true) -> HostRecord {
    HostRecord(name: name, uri: "test:///default", capacity: CapacityAmount(vcpus: vcpus, memoryMiB: memoryMiB, units: units),
               labels: ["rack": "r1"], enabled: enabled, updatedAt: 1_000)
}

/// A ready shadow of group `web` whose full size is `vcpus`, `memoryMiB` and `units`.
func testShadow(_ id: String, host: String = "h1", vcpus: Int64 = 2, memoryMiB: Int64 = 2_048, units: Int64 = 10,
                state: ShadowState = .ready) -> ShadowRecord {
    ShadowRecord(id: id, group: "web", host: host, domainName: "dom-\(id)", state: state, baselineVCPUs: vcpus,
                 baselineMemoryMiB: memoryMiB / 4, fullVCPUs: vcpus, fullMemoryMiB: memoryMiB, reservedUnits: units,
                 createdAt: 1_000, updatedAt: 1_000)
}

@Suite struct InventoryStoreTests {
    @Test func freeCapacityIsCapacityMinusLoadMinusReservations() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        #expect(try store.setLoad(CapacityAmount(vcpus: 2, memoryMiB: 4_096, units: 20), ofHost: "h1", at: 1_100))
        #expect(try store.setLoad(.zero, ofHost: "nope", at: 1_100) == false)
        guard case .reserved(let a) = try store.reserve(shadow: testShadow("a", vcpus: 4, memoryMiB: 4_096, units: 30),
                                                         on: "h1", at: 1_200) else { Issue.record("a not reserved"); return }
        #expect(a == ReservationRecord(host: "h1", shadowID: "a", amount: CapacityAmount(vcpus: 4, memoryMiB: 4_096, units: 30),
                                       createdAt: 1_200))
        _ = try store.reserve(shadow: testShadow("b", vcpus: 1, memoryMiB: 1_024, units: 10), on: "h1", at: 1_200)
        // 8 − 2 − 4 − 1, 16384 − 4096 − 4096 − 1024, 100 − 20 − 30 − 10
        let after = try #require(try store.hostAvailability("h1"))
        #expect(after.free == CapacityAmount(vcpus: 1, memoryMiB: 7_168, units: 40))
        #expect(after.reserved == CapacityAmount(vcpus: 5, memoryMiB: 5_120, units: 40))
        #expect(after.host.labels == ["rack": "r1"] && after.host.load.units == 20)
        #expect(try store.release(shadow: "a"))
        #expect(try store.release(shadow: "a") == false)
        #expect(try store.hostAvailability("h1")?.free == CapacityAmount(vcpus: 5, memoryMiB: 11_264, units: 70))
        #expect(try store.shadow(id: "a")?.state == .ready) // release keeps the record
        #expect(try store.reservedCapacity() == [HostReservations(host: "h1", reserved: CapacityAmount(vcpus: 1, memoryMiB: 1_024, units: 10),
                                                                  shadowIDs: ["b"])])
    }

    @Test func overReservationIsRefusedAndWritesNothing() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost(units: 50))
        try store.upsertHost(testHost("off", enabled: false))
        _ = try store.reserve(shadow: testShadow("a", units: 30), on: "h1", at: 1_000)
        let refused = try store.reserve(shadow: testShadow("b", units: 30), on: "h1", at: 1_000)
        #expect(refused == .insufficientCapacity(free: CapacityAmount(vcpus: 6, memoryMiB: 14_336, units: 20)))
        // Memory alone is short: 16384 − 2048 = 14336 MiB free < 15000.
        let memoryShort = try store.reserve(shadow: testShadow("c", memoryMiB: 15_000, units: 1), on: "h1", at: 1_000)
        #expect(memoryShort == .insufficientCapacity(free: CapacityAmount(vcpus: 6, memoryMiB: 14_336, units: 20)))
        #expect(try store.reserve(shadow: testShadow("d"), on: "missing", at: 1_000) == .unknownHost)
        #expect(try store.reserve(shadow: testShadow("e"), on: "off", at: 1_000) == .hostDisabled)
        #expect(try store.shadows().map(\.id) == ["a"])
        #expect(try store.reservations().map(\.shadowID) == ["a"])
        // Exactly filling the host is allowed (free reaches zero, not below).
        guard case .reserved = try store.reserve(shadow: testShadow("f", units: 20), on: "h1", at: 1_000) else {
            Issue.record("an exact fit was refused"); return
        }
        #expect(try store.hostAvailability("h1")?.free.units == 0)
    }

    @Test func transitionsAreCompareAndSetAndActiveOrGoneReleases() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        _ = try store.reserve(shadow: testShadow("a"), on: "h1", at: 1_000)
        _ = try store.reserve(shadow: testShadow("b"), on: "h1", at: 1_000)
        #expect(try store.transition(shadow: "a", from: .ready, to: .activating, at: 1_100))
        #expect(try store.transition(shadow: "a", from: .ready, to: .activating, at: 1_100) == false)
        #expect(try store.transition(shadow: "a", from: .planned, to: .gone, at: 1_100) == false)
        #expect(try store.transition(shadow: "missing", from: .ready, to: .gone, at: 1_100) == false)
        #expect(try store.shadow(id: "a")?.state == .activating)
        #expect(try store.shadow(id: "a")?.updatedAt == 1_100)
        #expect(try store.reservations().count == 2) // activating still holds it
        #expect(try store.transition(shadow: "a", from: .activating, to: .active, at: 1_200))
        #expect(try store.transition(shadow: "b", fromAnyOf: [.ready, .activating], to: .gone, at: 1_200))
        #expect(try store.reservations().isEmpty)
        #expect(try store.shadows(states: [.active]).map(\.id) == ["a"])
    }

    @Test func beginActivationIsIdempotentOnItsIDAndClaimsOnlyReadyShadows() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        _ = try store.reserve(shadow: testShadow("a"), on: "h1", at: 1_000)
        _ = try store.reserve(shadow: testShadow("p", state: .planned), on: "h1", at: 1_000)
        let expected = ActivationRecord(id: "act-1", shadowID: "a", group: "web", requestedAt: 2_000)
        #expect(try store.beginActivation(id: "act-1", shadow: "a", at: 2_000) == .started(expected))
        #expect(try store.beginActivation(id: "act-1", shadow: "a", at: 2_005) == .existing(expected))
        #expect(try store.beginActivation(id: "act-2", shadow: "a", at: 2_005) == .refused(.activating))
        #expect(try store.beginActivation(id: "act-3", shadow: "p", at: 2_005) == .refused(.planned))
        #expect(try store.beginActivation(id: "act-4", shadow: "nope", at: 2_005) == .refused(nil))
        #expect(try store.activations(shadow: "a").map(\.id) == ["act-1"])
        #expect(try store.activation(id: "act-2") == nil)
        #expect(try store.shadow(id: "a")?.activationID == "act-1")

        #expect(try store.finishActivation(id: "act-1", outcome: .succeeded, stepLatencies: ["resume": 0.002], at: 2_010))
        #expect(try store.finishActivation(id: "act-1", outcome: .failed, at: 2_020) == false) // recorded once
        let done = try #require(try store.activation(id: "act-1"))
        #expect(done.outcome == .succeeded && done.completedAt == 2_010 && done.stepLatencies == ["resume": 0.002])
        #expect(try store.shadow(id: "a")?.state == .active)
        #expect(try store.reservations().map(\.shadowID) == ["p"])
        // A retried request after completion still sees the one record, now completed.
        #expect(try store.beginActivation(id: "act-1", shadow: "a", at: 2_030) == .existing(done))
    }

    @Test func rolledBackActivationLeavesTheShadowReadyForAnotherAttempt() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        _ = try store.reserve(shadow: testShadow("a"), on: "h1", at: 1_000)
        _ = try store.beginActivation(id: "x1", shadow: "a", at: 2_000)
        #expect(try store.finishActivation(id: "x1", outcome: .rolledBack, at: 2_001))
        let shadow = try #require(try store.shadow(id: "a"))
        #expect(shadow.state == .ready && shadow.activationID == nil)
        #expect(try store.reservations().count == 1)
        guard case .started = try store.beginActivation(id: "x2", shadow: "a", at: 2_002) else {
            Issue.record("a rolled-back shadow could not be activated again"); return
        }
        #expect(try store.activations(shadow: "a").map(\.id) == ["x1", "x2"])
    }

    @Test func theSchemaRefusesASecondOpenActivationOfOneShadow() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("once.sqlite")
        let store = try MetricStore(path: path)
        try store.upsertHost(testHost())
        _ = try store.reserve(shadow: testShadow("a"), on: "h1", at: 1_000)
        _ = try store.beginActivation(id: "x1", shadow: "a", at: 2_000)
        // Bypassing the API: the partial unique index still keeps one open activation per shadow.
        let raw = try DatabaseQueue(path: path)
        #expect(throws: DatabaseError.self) {
            try raw.write { try $0.execute(sql: "INSERT INTO activations (id, shadow_id, grp, requested_at) VALUES ('x2', 'a', 'web', 1)") }
        }
    }

    @Test func twoStoresOnOneFileRacingToReserveNeverExceedCapacity() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("race.sqlite")
        let capacity: Int64 = 50
        let stores = [try MetricStore(path: path, durability: .process), try MetricStore(path: path, durability: .process)]
        try stores[0].upsertHost(testHost(units: capacity, vcpus: 1_000, memoryMiB: 1_000_000))
        let attemptsPerThread = 40
        let results = ResultBox()
        let done = DispatchGroup()
        for (index, store) in stores.enumerated() {
            done.enter()
            let thread = Thread {
                var reserved = 0
                var refused = 0
                var errors: [String] = []
                for attempt in 0..<attemptsPerThread {
                    do {
                        switch try store.reserve(shadow: testShadow("t\(index)-\(attempt)", vcpus: 1, memoryMiB: 1, units: 1),
                                                 on: "h1", at: 1_000) {
                        case .reserved: reserved += 1
                        case .insufficientCapacity: refused += 1
                        default: errors.append("unexpected outcome")
                        }
                    } catch {
                        errors.append("\(error)")
                    }
                }
                results.add(reserved: reserved, refused: refused, errors: errors)
                done.leave()
            }
            thread.start()
        }
        #expect(done.wait(timeout: .now() + 60) == .success)
        let (reserved, refused, errors) = results.totals()
        #expect(errors.isEmpty, "\(errors.prefix(3))")
        #expect(reserved == Int(capacity))
        #expect(refused == 2 * attemptsPerThread - Int(capacity))
        #expect(try stores[1].reservations().count == Int(capacity))
        #expect(try stores[1].hostAvailability("h1")?.free.units == 0)
    }
}

/// Totals gathered from the racing threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var reserved = 0, refused = 0
    private var errors: [String] = []

    func add(reserved: Int, refused: Int, errors: [String]) {
        lock.withLock {
            self.reserved += reserved
            self.refused += refused
            self.errors += errors
        }
    }

    func totals() -> (Int, Int, [String]) { lock.withLock { (reserved, refused, errors) } }
}

@Suite struct InventoryInputTests {
    @Test func capacityArithmeticSaturatesInsteadOfTrapping() {
        let huge = CapacityAmount(vcpus: .max, memoryMiB: .max, units: .max)
        #expect(huge + CapacityAmount(vcpus: 1, memoryMiB: 1, units: 1) == huge)
        let tiny = CapacityAmount(vcpus: .min, memoryMiB: .min, units: .min)
        #expect(tiny - CapacityAmount(vcpus: 1, memoryMiB: 1, units: 1) == tiny)
        #expect(CapacityAmount(vcpus: 3, memoryMiB: 5, units: 7) - CapacityAmount(vcpus: 1, memoryMiB: 2, units: 3)
                == CapacityAmount(vcpus: 2, memoryMiB: 3, units: 4))
    }

    @Test func negativeSizesAreRefusedByTheStoreWithoutWriting() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        // A negative full size "fits" arithmetically; the schema's checks refuse it.
        #expect(throws: MetricStoreError.self) { try store.reserve(shadow: testShadow("n", units: -5), on: "h1", at: 1) }
        #expect(try store.shadows().isEmpty && store.reservations().isEmpty)
        #expect(throws: MetricStoreError.self) { try store.upsertHost(testHost("bad", units: -1)) }
        #expect(try store.hosts().map(\.name) == ["h1"])
    }

    @Test func reservingAnExistingShadowIDFailsAndCountsOnce() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost())
        _ = try store.reserve(shadow: testShadow("a", units: 10), on: "h1", at: 1)
        #expect(throws: MetricStoreError.self) { try store.reserve(shadow: testShadow("a", units: 10), on: "h1", at: 2) }
        #expect(try store.hostAvailability("h1")?.reserved.units == 10)
        #expect(try store.shadow(id: "a")?.updatedAt == 1)
    }

    @Test func theInventorySurvivesReopeningTheFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("restart.sqlite")
        do {
            let store = try MetricStore(path: path)
            try store.upsertHost(testHost())
            _ = try store.reserve(shadow: testShadow("a"), on: "h1", at: 1_000)
            _ = try store.beginActivation(id: "x", shadow: "a", at: 1_100)
        }
        let reopened = try MetricStore(path: path)
        #expect(try reopened.shadow(id: "a")?.state == .activating)
        #expect(try reopened.reservations().map(\.shadowID) == ["a"])
        #expect(try reopened.activation(id: "x")?.outcome == nil)
        #expect(try reopened.hostAvailability("h1")?.free.units == 90)
    }
}

/// `shadows(host:group:states:)` filters in SQL; the answer is the full listing filtered in Swift.
@Suite struct ShadowListingTests {
    @Test("listing by host, group and state equals filtering every shadow, sorted by id, gone ones included on request")
    func filtersMatchTheFullListing() throws {
        let store = try MetricStore.inMemory()
        try store.upsertHost(testHost("h1", units: 10_000, vcpus: 1_000, memoryMiB: 1_000_000))
        try store.upsertHost(testHost("h2", units: 10_000, vcpus: 1_000, memoryMiB: 1_000_000))
        let states: [ShadowState] = [.planned, .defining, .ready, .activating, .active, .decommissioning, .gone]
        for i in 0..<60 {
            var s = testShadow(String(format: "s%02d", 59 - i), host: i % 3 == 0 ? "h2" : "h1", units: 1)
            s.group = ["web", "api", "db"][i % 3 == 1 ? 1 : (i % 5 == 0 ? 2 : 0)]
            s.state = .planned
            _ = try store.reserve(shadow: s, on: s.host, at: 1_000)
            let target = states[i % states.count]
            // Along the lifecycle's moves (ShadowLifecycle) from planned to the target.
            let path: [ShadowState] = switch target {
            case .planned: []
            case .defining: [.defining]
            case .ready: [.defining, .ready]
            case .activating: [.defining, .ready, .activating]
            case .active: [.defining, .ready, .activating, .active]
            case .decommissioning: [.defining, .ready, .decommissioning]
            case .gone: [.gone]
            }
            var at = ShadowState.planned
            for next in path {
                #expect(try store.transition(shadow: s.id, from: at, to: next, at: 1_001))
                at = next
            }
        }
        let all = try store.shadows()
        #expect(all.count == 60 && all.map(\.id) == all.map(\.id).sorted())
        #expect(Set(all.map(\.state)) == Set(states))
        for host in [nil, "h1", "h2", "nope"] as [String?] {
            for group in [nil, "web", "api", "db", "nope"] as [String?] {
                for wanted in [nil, [], [.ready], [.planned, .defining, .ready, .activating, .active], Set(states)] as [Set<ShadowState>?] {
                    let expected = all.filter {
                        (host == nil || $0.host == host) && (group == nil || $0.group == group) && (wanted?.contains($0.state) ?? true)
                    }
                    #expect(try store.shadows(host: host, group: group, states: wanted) == expected,
                            "host \(host ?? "any"), group \(group ?? "any"), states \(wanted.map { "\($0)" } ?? "any")")
                }
            }
        }
    }
}
