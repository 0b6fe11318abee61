import MetricStore
import Testing

/// Group leases and fenced writes (issue 15, item 3's primitives).
extension Checks {
    static func leasesGoToOneOwnerAtATime(_ store: any ActuatorStore) throws {
        let a = try #require(try store.acquireLease(group: "web", owner: "actuator-a", at: 100, seconds: 30).lease)
        #expect(a == Lease(group: "web", owner: "actuator-a", token: 1, expiresAt: 130))
        // Held: the other owner is told who holds it until when.
        #expect(try store.acquireLease(group: "web", owner: "actuator-b", at: 110, seconds: 30) == .held(a))
        // The holder acquiring again renews with the same token.
        #expect(try store.acquireLease(group: "web", owner: "actuator-a", at: 120, seconds: 30)
                == .acquired(Lease(group: "web", owner: "actuator-a", token: 1, expiresAt: 150)))
        let renewed = try #require(try store.renewLeases([a], at: 140, seconds: 30).first)
        #expect(renewed.expiresAt == 170 && renewed.token == 1)
        // Another group is independent.
        #expect(try store.acquireLease(group: "db", owner: "actuator-b", at: 140, seconds: 30).lease?.token == 1)
        #expect(try store.leases().map(\.group) == ["db", "web"])
        // Expired: b takes over; a can no longer renew.
        let b = try #require(try store.acquireLease(group: "web", owner: "actuator-b", at: 170, seconds: 30).lease)
        #expect(b.token == 2 && b.owner == "actuator-b")
        #expect(try store.renewLeases([renewed], at: 171, seconds: 30).isEmpty)
        #expect(try store.releaseLease(renewed) == false)
        #expect(try store.acquireLease(group: "web", owner: "actuator-a", at: 180, seconds: 30) == .held(b))
        expectCode(.invalidEvent, "a lease without an owner") {
            _ = try store.acquireLease(group: "web", owner: "", at: 1, seconds: 30)
        }
    }

    /// The batch renew an actuator runs every cycle: exactly the leases still held are extended,
    /// the lost ones (taken after expiry, released, a stale token, another owner's) are left as
    /// they are, in one call.
    static func leasesRenewInOneBatch(_ store: any ActuatorStore) throws {
        #expect(try store.renewLeases([], at: 0, seconds: 30).isEmpty)
        var mine: [Lease] = []
        for group in ["g1", "g2", "g3", "g4", "g5"] {
            mine.append(try #require(try store.acquireLease(group: group, owner: "a", at: 100, seconds: 30).lease))
        }
        // g2 released; g3 expires early and b takes it; g4 is presented with a stale token.
        #expect(try store.releaseLease(mine[1]))
        #expect(try store.renewLeases([mine[2]], at: 100, seconds: 1).count == 1)
        let b = try #require(try store.acquireLease(group: "g3", owner: "b", at: 105, seconds: 30).lease)
        var stale = mine[3]
        stale.token += 7
        // b's own lease, presented as a's, is not a's to renew.
        let forged = Lease(group: "g3", owner: "a", token: b.token, expiresAt: b.expiresAt)
        let many = (0..<500).map { "m\($0)" }
        for group in many { _ = try store.acquireLease(group: group, owner: "a", at: 100, seconds: 30) }
        let asked = [mine[0], mine[1], mine[2], stale, mine[4], forged]
            + many.map { Lease(group: $0, owner: "a", token: 1, expiresAt: 130) }
        let renewed = try store.renewLeases(asked, at: 110, seconds: 60)
        #expect(renewed.map(\.group) == ["g1", "g5"] + many)
        #expect(renewed.allSatisfy { $0.expiresAt == 170 && $0.owner == "a" })
        let rows = Dictionary(uniqueKeysWithValues: try store.leases().map { ($0.group, $0) })
        #expect(rows["g1"]?.expiresAt == 170 && rows["g5"]?.expiresAt == 170 && rows["m499"]?.expiresAt == 170)
        #expect(rows["g2"]?.expiresAt == 0)
        #expect(rows["g3"] == b)
        #expect(rows["g4"] == mine[3])
    }

    static func leaseTokensGrowAcrossOwners(_ store: any ActuatorStore) throws {
        var tokens: [Int64] = []
        var now: Int64 = 0
        for owner in ["a", "b", "a", "a", "c"] {
            let lease = try #require(try store.acquireLease(group: "g", owner: owner, at: now, seconds: 10).lease)
            tokens.append(lease.token)
            #expect(try store.releaseLease(lease))
            now += 1
        }
        // A release ends the lease at once: every acquisition after one is a new token.
        #expect(tokens == [1, 2, 3, 4, 5])
        let held = try #require(try store.acquireLease(group: "g", owner: "d", at: now, seconds: 10).lease)
        #expect(held.token == 6)
        #expect(try store.leases() == [held])
    }

    static func staleTokenWritesAreRefused(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        let old = try #require(try store.acquireLease(group: "web", owner: "a", at: 0, seconds: 10).lease)
        // Fenced writes under a current lease go through.
        #expect(try store.reserve(shadow: Fixture.shadow("s1"), on: "h1", at: 1, fence: old.fence(at: 1)).isReserved)
        #expect(try store.reserve(shadow: Fixture.shadow("s2"), on: "h1", at: 1, fence: old.fence(at: 1)).isReserved)
        #expect(try store.insert(decisions: [("web", 2, "{}")], states: [], fences: [old.fence(at: 2)]).count == 1)
        // The lease expires and b takes the group.
        let new = try #require(try store.acquireLease(group: "web", owner: "b", at: 20, seconds: 10).lease)
        #expect(new.token == old.token + 1)
        let stale = old.fence(at: 21)
        expectCode(.leaseLost, "reserve with a stale token") {
            _ = try store.reserve(shadow: Fixture.shadow("s3"), on: "h1", at: 21, fence: stale)
        }
        expectCode(.leaseLost, "activate with a stale token") {
            _ = try store.beginActivation(id: "x1", shadow: "s1", at: 21, fence: stale)
        }
        expectCode(.leaseLost, "transition with a stale token") {
            _ = try store.transition(shadow: "s1", fromAnyOf: [.ready], to: .decommissioning, at: 21, fence: stale)
        }
        expectCode(.leaseLost, "release with a stale token") { _ = try store.release(shadow: "s2", fence: stale) }
        expectCode(.leaseLost, "adopt with a stale token") {
            try store.adopt(shadow: Fixture.shadow("s4"), reserving: true, at: 21, fence: stale)
        }
        expectCode(.leaseLost, "decide with a stale token") {
            _ = try store.insert(decisions: [("web", 21, "{\"stale\":true}")],
                                 states: [StoredState(name: "sizing", version: 1, time: 21, json: "{}")], fences: [stale])
        }
        // Several fences (a cycle's decision log carries one per group): one stale fence among
        // current ones, here the same group's old token beside its new one, refuses the whole write.
        let other = try #require(try store.acquireLease(group: "db", owner: "b", at: 20, seconds: 10).lease)
        expectCode(.leaseLost, "decide with one stale fence among current ones") {
            _ = try store.insert(decisions: [("db", 21, "{}"), ("web", 21, "{}")], states: [],
                                 fences: [other.fence(at: 21), new.fence(at: 21), stale])
        }
        #expect(try store.decisions(group: "db", limit: 10).isEmpty)
        #expect(try store.insert(decisions: [("db", 21, "{}"), ("web", 21, "{}")], states: [],
                                 fences: [other.fence(at: 21), new.fence(at: 21)]).count == 2)
        #expect(try store.decisions(group: "db", limit: 10).map(\.time) == [21])
        // Nothing of the refused writes is stored.
        #expect(try store.shadow(id: "s3") == nil)
        #expect(try store.shadow(id: "s4") == nil)
        #expect(try store.shadow(id: "s1")?.state == .ready)
        #expect(try store.activation(id: "x1") == nil)
        #expect(try store.reservations().map(\.shadowID) == ["s1", "s2"])
        #expect(try store.decisions(group: "web", limit: 10).map(\.time).sorted() == [2, 21])
        #expect(try store.state(named: "sizing") == nil)
        // The same lease, past its expiry with nobody taking over, is no longer current either.
        let lapsed = new.fence(at: 31)
        expectCode(.leaseLost, "a write after the lease expired") {
            _ = try store.beginActivation(id: "x2", shadow: "s1", at: 31, fence: lapsed)
        }
        // The new owner's writes go through, activation included.
        let fresh = new.fence(at: 22)
        #expect(try store.beginActivation(id: "y1", shadow: "s1", at: 22, fence: fresh)
                == .started(ActivationRecord(id: "y1", shadowID: "s1", group: "web", requestedAt: 22)))
        #expect(try store.finishActivation(id: "y1", outcome: .succeeded, stepLatencies: [:], at: 23, fence: new.fence(at: 23)))
        expectCode(.leaseLost, "finish with a stale token") {
            _ = try store.finishActivation(id: "y1", outcome: .failed, stepLatencies: [:], at: 24, fence: stale)
        }
        #expect(try store.activation(id: "y1")?.outcome == .succeeded)
        #expect(try store.release(shadow: "s2", fence: new.fence(at: 24)))
        try store.adopt(shadow: Fixture.shadow("s4"), reserving: false, at: 24, fence: new.fence(at: 24))
        #expect(try store.shadow(id: "s4")?.group == "web")
    }

    static func fenceMustNameTheShadowsGroup(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        _ = try store.reserve(shadow: Fixture.shadow("s1", group: "db"), on: "h1", at: 1)
        let web = try #require(try store.acquireLease(group: "web", owner: "a", at: 0, seconds: 100).lease)
        expectCode(.leaseLost, "a web lease activating a db shadow") {
            _ = try store.beginActivation(id: "x", shadow: "s1", at: 2, fence: web.fence(at: 2))
        }
        expectCode(.leaseLost, "a web lease reserving a db shadow") {
            _ = try store.reserve(shadow: Fixture.shadow("s2", group: "db"), on: "h1", at: 2, fence: web.fence(at: 2))
        }
        expectCode(.leaseLost, "a group never leased") {
            let never = Lease(group: "db", owner: "a", token: 1, expiresAt: 100)
            _ = try store.transition(shadow: "s1", fromAnyOf: [.ready], to: .gone, at: 2, fence: never.fence(at: 2))
        }
        #expect(try store.shadow(id: "s1")?.state == .ready)
        #expect(try store.shadow(id: "s2") == nil)
    }
}
