import MetricStore
import Testing

/// Hosts, shadows and reservations.
enum Checks {
    static func migrationsAreVersionedByName(_ store: any ActuatorStore) throws {
        #expect(try store.appliedMigrations() == ActuatorStoreConformance.migrationNames)
        try store.check()
    }

    static func hostsReportReservationsAndFreeCapacity(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h2"))
        try store.upsertHost(Fixture.host("h1"))
        #expect(try store.setLoad(CapacityAmount(vcpus: 2, memoryMiB: 4096, units: 5), ofHost: "h1", at: 20))
        #expect(try store.setLoad(CapacityAmount(vcpus: 1), ofHost: "nowhere", at: 20) == false)
        guard case .reserved(let r) = try store.reserve(shadow: Fixture.shadow("s1"), on: "h1", at: 30) else {
            Issue.record("reserve on h1 was refused")
            return
        }
        #expect(r == ReservationRecord(host: "h1", shadowID: "s1", amount: CapacityAmount(vcpus: 4, memoryMiB: 8192, units: 10),
                                       createdAt: 30))
        let all = try store.hostAvailability()
        #expect(all.map(\.host.name) == ["h1", "h2"])
        let h1 = try #require(try store.hostAvailability("h1"))
        #expect(h1.host.labels == ["rack": "r1"] && h1.host.uri == "test:///h1" && h1.host.enabled)
        #expect(h1.host.load == CapacityAmount(vcpus: 2, memoryMiB: 4096, units: 5) && h1.host.updatedAt == 20)
        #expect(h1.reserved == CapacityAmount(vcpus: 4, memoryMiB: 8192, units: 10))
        #expect(h1.free == CapacityAmount(vcpus: 10, memoryMiB: 65_536 - 4096 - 8192, units: 85))
        #expect(try store.hostAvailability("h2")?.reserved == .zero)
        #expect(try store.hostAvailability("h3") == nil)
        // Re-registering a host keeps its shadows and reservations.
        try store.upsertHost(Fixture.host("h1", vcpus: 32))
        #expect(try store.hostAvailability("h1")?.free.vcpus == 32 - 4)
        #expect(try store.reservedCapacity() == [HostReservations(host: "h1", reserved: r.amount, shadowIDs: ["s1"])])
        #expect(try store.hosts().map(\.name) == ["h1", "h2"])
    }

    static func reserveRefusesWithoutWriting(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1", vcpus: 6))
        try store.upsertHost(Fixture.host("off", enabled: false))
        #expect(try store.reserve(shadow: Fixture.shadow("s1"), on: "h1", at: 1).isReserved)
        #expect(try store.reserve(shadow: Fixture.shadow("s2"), on: "h1", at: 2)
                == .insufficientCapacity(free: CapacityAmount(vcpus: 2, memoryMiB: 65_536 - 8192, units: 90)))
        #expect(try store.reserve(shadow: Fixture.shadow("s3"), on: "nowhere", at: 3) == .unknownHost)
        #expect(try store.reserve(shadow: Fixture.shadow("s4", host: "off"), on: "off", at: 4) == .hostDisabled)
        #expect(try store.shadows().map(\.id) == ["s1"])
        #expect(try store.reservations().map(\.shadowID) == ["s1"])
        // The same id again violates the key: an error, and still one row.
        #expect(throws: MetricStoreError.self) { try store.reserve(shadow: Fixture.shadow("s1", vcpus: 1), on: "h1", at: 5) }
        #expect(try store.shadows().count == 1)
    }

    static func shadowListingsFilterAndSort(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        try store.upsertHost(Fixture.host("h2"))
        for (id, group, host, state) in [("b", "web", "h1", ShadowState.ready), ("a", "web", "h2", .active),
                                          ("c", "db", "h1", .ready), ("B", "db", "h2", .gone)] {
            try store.adopt(shadow: Fixture.shadow(id, group: group, host: host, state: state), reserving: false, at: 5)
        }
        // Byte order, as SQLite sorts text ("B" before "a").
        #expect(try store.shadows().map(\.id) == ["B", "a", "b", "c"])
        #expect(try store.shadows(host: "h1").map(\.id) == ["b", "c"])
        #expect(try store.shadows(group: "web").map(\.id) == ["a", "b"])
        #expect(try store.shadows(states: [.ready]).map(\.id) == ["b", "c"])
        #expect(try store.shadows(group: "db", states: [.ready, .gone]).map(\.id) == ["B", "c"])
        #expect(try store.shadows(host: "h2", group: "web", states: [.active]).map(\.id) == ["a"])
        #expect(try store.shadows(states: []).isEmpty)
        let b = try #require(try store.shadow(id: "b"))
        #expect(b == { var s = Fixture.shadow("b"); s.updatedAt = 5; return s }())
        #expect(try store.shadow(id: "zz") == nil)
    }

    static func transitionsCompareAndSetAndRelease(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        _ = try store.reserve(shadow: Fixture.shadow("s1", state: .planned), on: "h1", at: 1)
        #expect(try store.transition(shadow: "s1", from: .planned, to: .defining, at: 2))
        #expect(try store.transition(shadow: "s1", from: .planned, to: .ready, at: 3) == false)
        #expect(try store.shadow(id: "s1")?.state == .defining)
        #expect(try store.transition(shadow: "s1", fromAnyOf: [.planned, .defining], to: .ready, at: 4))
        #expect(try store.shadow(id: "s1")?.updatedAt == 4)
        #expect(try store.reservations().count == 1, "ready keeps its reservation")
        #expect(try store.transition(shadow: "s1", fromAnyOf: [], to: .gone, at: 5) == false)
        #expect(try store.transition(shadow: "s1", from: .ready, to: .gone, at: 6))
        #expect(try store.reservations().isEmpty, "gone releases the reservation in the same transaction")
        #expect(try store.transition(shadow: "missing", from: .ready, to: .gone, at: 7) == false)
        _ = try store.reserve(shadow: Fixture.shadow("s2"), on: "h1", at: 8)
        #expect(try store.release(shadow: "s2"))
        #expect(try store.release(shadow: "s2") == false)
        #expect(try store.shadow(id: "s2")?.state == .ready, "a release leaves the shadow")
    }

    /// Every pair of states against `ShadowLifecycle`'s table: a move it lists is made (and
    /// releases the reservation on entering active or gone), any other is refused with
    /// `illegalTransition` naming the shadow and both states, and nothing is written.
    static func illegalTransitionsAreRefused(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1", vcpus: 1_000, memoryMiB: 10_000_000, units: 10_000))
        var allowed = 0
        for from in ShadowState.allCases {
            for to in ShadowState.allCases {
                let id = "\(from.rawValue)-\(to.rawValue)"
                try store.adopt(shadow: Fixture.shadow(id, state: from), reserving: true, at: 1)
                if ShadowLifecycle.allowed(from: from, to: to) {
                    allowed += 1
                    #expect(try store.transition(shadow: id, from: from, to: to, at: 2), "\(id)")
                    let moved = try #require(try store.shadow(id: id))
                    #expect(moved.state == to && moved.updatedAt == 2, "\(id)")
                    let released = to == .active || to == .gone
                    #expect(try store.reservations().contains { $0.shadowID == id } == !released, "\(id)")
                } else {
                    let refused = #expect(throws: MetricStoreError.self, "\(id)") {
                        try store.transition(shadow: id, from: from, to: to, at: 2)
                    }
                    #expect(refused?.code == .illegalTransition, "\(id)")
                    let message = refused?.message ?? ""
                    #expect(message.contains("shadow \(id)") && message.contains("\(from.rawValue) → \(to.rawValue)"), "\(message)")
                    let kept = try #require(try store.shadow(id: id))
                    #expect(kept.state == from && kept.updatedAt == 1, "\(id): nothing written")
                    #expect(try store.reservations().contains { $0.shadowID == id }, "\(id): the reservation stays")
                }
            }
        }
        #expect(allowed == 16, "the table's moves")
        // A set naming one illegal move is refused whole, though the shadow is in a legal one.
        try store.adopt(shadow: Fixture.shadow("x", state: .ready), reserving: true, at: 1)
        #expect(throws: MetricStoreError.self) { try store.transition(shadow: "x", fromAnyOf: [.ready, .gone], to: .activating, at: 3) }
        #expect(try store.shadow(id: "x")?.state == .ready)
    }

    static func adoptionReplacesTheRecord(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        _ = try store.reserve(shadow: Fixture.shadow("s1"), on: "h1", at: 1)
        var found = Fixture.shadow("s1", state: .active, vcpus: 8)
        found.activationID = "act-9"
        try store.adopt(shadow: found, reserving: false, at: 50)
        let stored = try #require(try store.shadow(id: "s1"))
        #expect(stored.state == .active && stored.fullVCPUs == 8 && stored.activationID == "act-9" && stored.updatedAt == 50)
        #expect(try store.reservations().isEmpty)
        try store.adopt(shadow: Fixture.shadow("s1", state: .ready, vcpus: 2), reserving: true, at: 60)
        #expect(try store.reservations().map(\.amount.vcpus) == [2])
        // An unknown host is refused: the host must be registered first.
        #expect(throws: MetricStoreError.self) {
            try store.adopt(shadow: Fixture.shadow("s9", host: "nowhere"), reserving: true, at: 70)
        }
        #expect(try store.shadow(id: "s9") == nil)
    }
}

extension ReservationOutcome {
    var isReserved: Bool {
        if case .reserved = self { return true }
        return false
    }
}
