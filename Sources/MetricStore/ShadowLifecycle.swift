/// The shadow lifecycle as one table: every state change either store writes (`transition`, the
/// activation's claim and outcome, a lost host) is checked here first, so `MetricStore` and
/// `PostgresStore` cannot drift apart and a caller's mistake (an active shadow sent back to
/// `defining`, a `gone` one revived) is refused with both states named instead of written.
/// Recording a shadow (`reserve`, `adopt`) writes the state it is given: adoption records what the
/// hypervisor shows, which no table can predict.
///
///     planned ─→ defining ─→ ready ─→ activating ─→ active ─→ decommissioning ─→ gone
///        └──────────────────→ ↑ ↑ ←── (rolled back) │          ↑      ↑
///                              └─→ active (resumed outside psm)      │
///     ready, activating (failed) ─→ decommissioning; every state but gone ─→ gone
package enum ShadowLifecycle {
    /// The states each state may move to (docs/actuator.md, "The shadow lifecycle").
    package static let successors: [ShadowState: Set<ShadowState>] = [
        // Defined by the reconciler; a parked domain found for it at adoption makes it ready.
        .planned: [.defining, .ready, .gone],
        .defining: [.ready, .gone],
        // Claimed by an activation; found running (resumed outside psm); shrunk away.
        .ready: [.activating, .active, .decommissioning, .gone],
        // The activation's outcome: succeeded, rolled back, failed; or its host was lost.
        .activating: [.active, .ready, .decommissioning, .gone],
        // Scaled in (its route drained first).
        .active: [.decommissioning, .gone],
        .decommissioning: [.gone],
        .gone: [],
    ]

    /// Whether a shadow in `from` may move to `to` (a state to itself is not a move).
    package static func allowed(from: ShadowState, to: ShadowState) -> Bool {
        successors[from]?.contains(to) ?? false
    }

    /// Refuses a compare-and-set from any of `states` to `to` when one of those moves is not in the
    /// table, naming the shadow and both states; the stores call it before they write anything.
    package static func check(shadow id: String, from states: Set<ShadowState>, to: ShadowState) throws(MetricStoreError) {
        for from in ShadowState.allCases where states.contains(from) && !allowed(from: from, to: to) {
            let next = ShadowState.allCases.filter { allowed(from: from, to: $0) }.map(\.rawValue)
            throw MetricStoreError(.illegalTransition, "shadow \(id): \(from.rawValue) → \(to.rawValue) is not a shadow state change ("
                                   + (next.isEmpty ? "\(from.rawValue) is final" : "\(from.rawValue) moves to \(next.joined(separator: ", "))") + ")")
        }
    }
}
