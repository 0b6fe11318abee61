import MetricStore
import Testing

/// The shadow lifecycle's table as a value: what it allows, and what the stores' error says.
@Suite struct ShadowLifecycleTests {
    @Test func everyStateIsReachableFromPlannedAndReachesGone() {
        #expect(Set(ShadowLifecycle.successors.keys) == Set(ShadowState.allCases))
        var reached: Set<ShadowState> = [.planned], frontier: [ShadowState] = [.planned]
        while let s = frontier.popLast() {
            for next in ShadowLifecycle.successors[s] ?? [] where reached.insert(next).inserted { frontier.append(next) }
        }
        #expect(reached == Set(ShadowState.allCases))
        for s in ShadowState.allCases where s != .gone { #expect(ShadowLifecycle.allowed(from: s, to: .gone), "\(s)") }
        #expect(ShadowLifecycle.successors[.gone] == [])
        for s in ShadowState.allCases { #expect(!ShadowLifecycle.allowed(from: s, to: s), "\(s) → \(s) is not a move") }
    }

    @Test func theActuatorsMovesAreAllowedAndShortcutsAreNot() {
        // The reconciler, the activation and the adoption (docs/actuator.md).
        for (from, to) in [(ShadowState.planned, ShadowState.defining), (.defining, .ready), (.ready, .activating),
                           (.activating, .active), (.activating, .ready), (.activating, .decommissioning),
                           (.ready, .decommissioning), (.active, .decommissioning), (.decommissioning, .gone),
                           (.planned, .ready), (.ready, .active)] {
            #expect(ShadowLifecycle.allowed(from: from, to: to), "\(from) → \(to)")
        }
        for (from, to) in [(ShadowState.planned, ShadowState.active), (.defining, .activating), (.active, .ready),
                           (.decommissioning, .ready), (.gone, .ready), (.active, .activating)] {
            #expect(!ShadowLifecycle.allowed(from: from, to: to), "\(from) → \(to)")
        }
    }

    @Test func theErrorNamesTheShadowAndBothStates() throws {
        #expect(throws: Never.self) { try ShadowLifecycle.check(shadow: "s", from: [.ready, .activating], to: .decommissioning) }
        let error = #expect(throws: MetricStoreError.self) {
            try ShadowLifecycle.check(shadow: "web-7", from: [.defining, .decommissioning], to: .ready)
        }
        #expect(error?.code == .illegalTransition)
        #expect(error?.message == "shadow web-7: decommissioning → ready is not a shadow state change (decommissioning moves to gone)")
        let final = #expect(throws: MetricStoreError.self) { try ShadowLifecycle.check(shadow: "x", from: [.gone], to: .ready) }
        #expect(final?.message == "shadow x: gone → ready is not a shadow state change (gone is final)")
    }
}
