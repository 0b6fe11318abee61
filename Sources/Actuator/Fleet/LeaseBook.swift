import Foundation
import MetricStore

/// The groups this actuator holds and the fence each write carries (docs/actuator.md, "Several
/// actuators"). Shared by the runtime, the reconciler, the inventory and the activator; read from
/// the actor, the API's handlers and the lease loop, so behind a lock.
///
/// Disabled (one actuator on its own store, the SQLite default), every group is held and writes
/// carry no fence, as before leases existed.
public final class LeaseBook: @unchecked Sendable {
    /// Whether this actuator takes leases (a shared store, or `[actuator] lease` set).
    package let enabled: Bool
    private let lock = NSLock()
    private var held: [String: Lease] = [:]
    private var refusals: [String] = []

    package init(enabled: Bool) {
        self.enabled = enabled
    }

    /// The fence of a write to `group` at `now`: nil when leases are off; a fence no store accepts
    /// (token 0) when the group is not held, so the write is refused with `leaseLost` before it
    /// touches anything.
    package func fence(_ group: String, at now: Int64) -> LeaseFence? {
        guard enabled else { return nil }
        return lock.withLock { held[group] }?.fence(at: now) ?? LeaseFence(group: group, token: 0, at: now)
    }

    /// Whether the runtime may decide, provision and activate for `group` at `now` (a lease past
    /// its expiry by this host's clock is not held, whatever the store would say).
    public func holds(_ group: String, at now: Int64) -> Bool {
        guard enabled else { return true }
        return lock.withLock { held[group] }.map { $0.expiresAt > now } ?? false
    }

    /// Notes a write refused by the store: a `leaseLost` refusal drops the group at once (no
    /// further work on it until the lease pass acquires it again) and is counted. True when it was one.
    @discardableResult
    package func refused(_ error: any Error, group: String) -> Bool {
        guard enabled, (error as? MetricStoreError)?.code == .leaseLost else { return false }
        lock.withLock {
            if held.removeValue(forKey: group) != nil { refusals.append(group) }
        }
        return true
    }

    /// Groups dropped by refused writes since the last call (the runtime logs and counts them).
    func takeRefusals() -> [String] {
        lock.withLock {
            defer { refusals = [] }
            return refusals
        }
    }

    /// The leases held, by group.
    public var leases: [String: Lease] { lock.withLock { held } }

    func set(_ lease: Lease) { lock.withLock { held[lease.group] = lease } }

    /// Forgets `group` (lost, released or refused): its writes are refused from now on.
    @discardableResult
    func drop(_ group: String) -> Lease? { lock.withLock { held.removeValue(forKey: group) } }
}
