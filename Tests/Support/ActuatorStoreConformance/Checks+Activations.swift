import MetricStore
import Testing

/// Activation claims, outcomes, sizes and history.
extension Checks {
    static func activationIsClaimedOnce(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        _ = try store.reserve(shadow: Fixture.shadow("s1"), on: "h1", at: 1)
        let started = ActivationRecord(id: "a1", shadowID: "s1", group: "web", requestedAt: 10)
        #expect(try store.beginActivation(id: "a1", shadow: "s1", at: 10) == .started(started))
        #expect(try store.shadow(id: "s1")?.state == .activating)
        #expect(try store.shadow(id: "s1")?.activationID == "a1")
        // A retried request: the same record, nothing written.
        #expect(try store.beginActivation(id: "a1", shadow: "s1", at: 11) == .existing(started))
        // Another id for a shadow no longer ready.
        #expect(try store.beginActivation(id: "a2", shadow: "s1", at: 12) == .refused(.activating))
        #expect(try store.beginActivation(id: "a3", shadow: "missing", at: 12) == .refused(nil))
        #expect(try store.activation(id: "a2") == nil)
        #expect(try store.activations(shadow: "s1") == [started])
    }

    static func activationOutcomesMoveTheShadow(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        for id in ["s1", "s2", "s3"] { _ = try store.reserve(shadow: Fixture.shadow(id), on: "h1", at: 1) }
        for (a, s) in [("a1", "s1"), ("a2", "s2"), ("a3", "s3")] { _ = try store.beginActivation(id: a, shadow: s, at: 2) }
        #expect(try store.finishActivation(id: "a1", outcome: .succeeded, stepLatencies: ["resume": 0.04, "bad": .nan], at: 3))
        #expect(try store.finishActivation(id: "a2", outcome: .rolledBack, at: 3))
        #expect(try store.finishActivation(id: "a3", outcome: .failed, at: 3))
        #expect(try store.finishActivation(id: "a1", outcome: .failed, at: 4) == false, "an outcome is recorded once")
        #expect(try store.finishActivation(id: "zz", outcome: .failed, at: 4) == false)
        #expect(try store.shadow(id: "s1")?.state == .active)
        #expect(try store.shadow(id: "s2")?.state == .ready)
        #expect(try store.shadow(id: "s2")?.activationID == nil)
        #expect(try store.shadow(id: "s3")?.state == .decommissioning)
        #expect(try store.reservations().map(\.shadowID) == ["s2", "s3"], "active runs load: its reservation is released")
        // …and its vCPUs and memory count as the host's load until the host is measured again:
        // the activation frees no room (16 − 3 × 4 vCPUs and 65,536 − 3 × 8,192 MiB free before and after).
        let h1 = try #require(try store.hostAvailability("h1"))
        #expect(h1.host.load == CapacityAmount(vcpus: 4, memoryMiB: 8_192, units: 0))
        #expect(h1.free == CapacityAmount(vcpus: 4, memoryMiB: 40_960, units: 80))
        let a1 = try #require(try store.activation(id: "a1"))
        #expect(a1.outcome == .succeeded && a1.completedAt == 3 && a1.stepLatencies == ["resume": 0.04])
        // The rolled-back shadow can be claimed again (the partial unique index allows it).
        if case .started = try store.beginActivation(id: "a4", shadow: "s2", at: 5) {} else {
            Issue.record("a rolled-back shadow could not be claimed again")
        }
        #expect(try store.activations(shadow: "s2").map(\.id) == ["a2", "a4"])
    }

    static func activationSizesAndHistory(_ store: any ActuatorStore) throws {
        try store.upsertHost(Fixture.host("h1"))
        for (i, id) in ["s1", "s2", "s3"].enumerated() {
            _ = try store.reserve(shadow: Fixture.shadow(id), on: "h1", at: 1)
            _ = try store.beginActivation(id: "a\(i + 1)", shadow: id, at: Int64(10 + i))
        }
        #expect(try store.recordActivationSize(id: "a1", predicted: ActivationSize(vcpus: 2, memoryMiB: 2048),
                                               applied: ActivationSize(vcpus: 3, memoryMiB: 4096)))
        #expect(try store.recordActivationSize(id: "a2", predicted: nil, applied: ActivationSize(vcpus: 4, memoryMiB: 8192)))
        #expect(try store.recordActivationSize(id: "zz", predicted: nil, applied: ActivationSize(vcpus: 1, memoryMiB: 1)) == false)
        _ = try store.finishActivation(id: "a1", outcome: .succeeded, at: 20)
        _ = try store.finishActivation(id: "a2", outcome: .succeeded, at: 21)
        _ = try store.finishActivation(id: "a3", outcome: .rolledBack, at: 22)
        let a1 = try #require(try store.activation(id: "a1"))
        #expect(a1.predicted == ActivationSize(vcpus: 2, memoryMiB: 2048) && a1.applied == ActivationSize(vcpus: 3, memoryMiB: 4096))
        #expect(try store.activation(id: "a2")?.predicted == nil)
        #expect(try store.appliedVCPUsOfActiveShadows() == ["s1": 3, "s2": 4])
        #expect(try store.activations(group: "web", limit: 2).map(\.id) == ["a3", "a2"])
        #expect(try store.activations(group: "web", limit: 0).isEmpty)
        #expect(try store.recentSucceededActivations(limit: 5).map(\.id) == ["a2", "a1"])
    }
}
