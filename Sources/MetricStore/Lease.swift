/// A group's lease: which actuator owns the group until when, and the fencing token its writes carry.
///
/// Tokens only grow: every change of owner (and every acquisition after a release or an expiry)
/// takes the previous token + 1, so a write fenced with an older token is refused in its own
/// transaction (`LeaseFence`). docs/architecture.md, "Leases".
public struct Lease: Sendable, Hashable, Codable {
    public var group: String
    public var owner: String
    public var token: Int64
    /// Unix seconds; the lease is held while `now < expiresAt`.
    public var expiresAt: Int64

    package init(group: String, owner: String, token: Int64, expiresAt: Int64) {
        self.group = group
        self.owner = owner
        self.token = token
        self.expiresAt = expiresAt
    }

    /// The fence a write made at `now` under this lease carries.
    package func fence(at now: Int64) -> LeaseFence {
        LeaseFence(group: group, token: token, at: now)
    }
}

/// What a fenced write checks in its own transaction: the group's lease still has `token` and has
/// not expired at `now`; otherwise the write is refused with `MetricStoreError.Code.leaseLost`.
public struct LeaseFence: Sendable, Hashable {
    public var group: String
    public var token: Int64
    public var now: Int64

    package init(group: String, token: Int64, at now: Int64) {
        self.group = group
        self.token = token
        self.now = now
    }

    /// The error of a refused write.
    public func lost(_ what: String, path: String?) -> MetricStoreError {
        MetricStoreError(.leaseLost, "\(what): the lease of group \(group) is no longer held with token \(token) at \(now)",
                         path: path)
    }

    package func wrongGroup(_ shadowGroup: String, _ what: String, path: String?) -> MetricStoreError {
        MetricStoreError(.leaseLost, "\(what): the shadow belongs to group \(shadowGroup), not to the fenced group \(group)",
                         path: path)
    }
}

/// The result of `ActuatorStore.acquireLease`.
public enum LeaseOutcome: Sendable, Hashable {
    /// The caller holds the group (newly, or renewed with the same token).
    case acquired(Lease)
    /// Another owner holds it until its `expiresAt`.
    case held(Lease)

    /// The lease when acquired.
    public var lease: Lease? {
        if case .acquired(let lease) = self { return lease }
        return nil
    }
}
