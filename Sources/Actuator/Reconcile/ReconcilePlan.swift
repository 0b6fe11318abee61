import MetricStore

/// What one reconcile pass sets out to do: the difference between the pool sizes decided and the
/// shadows the store lists, computed without touching the store or a hypervisor.
///
/// The rate limit is not part of the plan: the `Reconciler` spends its action budget while it
/// carries the plan out, because a grow that finds no room stops early and leaves its budget to
/// the groups after it.
public struct ReconcilePlan: Sendable, Hashable {
    /// One group's difference, in the order the pass handles them (by group name).
    public enum Change: Sendable, Hashable {
        /// Place and provision `count` new shadows from `template`.
        case grow(group: String, count: Int, template: ShadowTemplate)
        /// The pool should grow by `count` but the group has no shadow template.
        case missingTemplate(group: String, count: Int)
        /// Remove these ready shadows (newest first); shadows still being defined finish first.
        case shrink(group: String, surplus: [ShadowRecord])
    }

    /// Shadows left planned, defining or decommissioning, in listing order: finished (driven on
    /// or removed) before anything else, because they already hold capacity.
    public var unfinished: [ShadowRecord]
    /// Groups whose pool differs from its decided size; groups that match are left out.
    public var changes: [Change]

    /// States that count towards a group's pool (activating and active shadows serve instead).
    package static let poolStates: Set<ShadowState> = [.planned, .defining, .ready]

    /// The plan for `desired` (group → pool size; groups without an entry are left alone) against
    /// `shadows`, the store's shadows in the states a pass acts on.
    public init(shadows: [ShadowRecord], desired: [String: Int], templates: [String: ShadowTemplate]) {
        unfinished = shadows.filter { $0.state == .planned || $0.state == .defining || $0.state == .decommissioning }
        var pools: [String: [ShadowRecord]] = [:]
        for s in shadows where Self.poolStates.contains(s.state) { pools[s.group, default: []].append(s) }
        // Collected in any order and sorted by group afterwards: only the groups that differ
        // (a few hundred of 10,000 in a cycle) need sorting, not every group decided.
        var found: [(group: String, change: Change)] = []
        for (group, want) in desired {
            let pool = pools[group] ?? []
            if pool.count < want {
                if let template = templates[group] {
                    found.append((group, .grow(group: group, count: want - pool.count, template: template)))
                } else {
                    found.append((group, .missingTemplate(group: group, count: want - pool.count)))
                }
            } else if pool.count > want {
                let surplus = pool.filter { $0.state == .ready }
                    .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
                    .prefix(pool.count - want)
                found.append((group, .shrink(group: group, surplus: Array(surplus))))
            }
        }
        changes = found.sorted { $0.group < $1.group }.map(\.change)
    }
}
