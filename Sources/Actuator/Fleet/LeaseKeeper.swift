import Foundation
import MetricStore

/// What one lease pass did.
public struct LeasePass: Sendable, Equatable {
    /// Groups newly taken (from nobody, an expired holder, or a released lease).
    package var acquired: [String] = []
    /// Groups given up to make room for other actuators (rebalance).
    package var released: [String] = []
    /// Groups whose renewal failed: another actuator holds them now, or the lease expired.
    public var lost: [String] = []
    /// Groups another live actuator configures differently, with what was done (refused or kept).
    package var conflicts: [String: String] = [:]
    /// Live actuators (this one included), sorted.
    public var live: [String] = []
    /// This actuator's fair share: ⌈groups / live actuators⌉.
    public var share = 0
    /// Groups held after the pass.
    public var held = 0
    /// The store could not be read or written: nothing changed (the leases held run out on their own).
    public var error: String?
}

/// Divides the configured groups among the actuators sharing one store (docs/actuator.md,
/// "Several actuators"). Each pass, by this actuator's clock:
///
/// 1. its membership row (`@actuator/<id>` in `leases`) is renewed: live actuators are the owners
///    of unexpired membership rows; its groups' configuration fingerprints are published once
///    (state document `fleet/actuator/<id>`);
/// 2. every group lease held is renewed; one that cannot be is lost (dropped from the book);
/// 3. when rebalancing (once per decision cycle), leases beyond the fair share ⌈groups / live⌉ are
///    released, so an actuator that joins finds free groups at its next pass;
/// 4. free and expired groups are acquired up to the fair share, in random order (fewer collisions
///    between actuators).
///
/// Two live actuators that configure a group differently (their published fingerprints differ):
/// the one that started first keeps the group, the later one refuses it — never acquires it, gives
/// it up if it holds it — and both report the conflict (cycle problems, `/healthz`, a gauge).
///
/// A group newly acquired is queued for adoption (`takeAdoptions`): the runtime reconciles what
/// the previous holder left — its shadows, an activation it did not finish — before deciding for it.
public final class LeaseKeeper: @unchecked Sendable {
    public static let memberPrefix = "@actuator/"
    package let book: LeaseBook
    public let owner: String
    public let seconds: Int64
    let store: any ActuatorStore
    let groups: [String]
    let fingerprints: [String: String]
    private let lock = NSLock()
    private var published = false
    private var adoptions: Set<String> = []
    private var lastPass = LeasePass()

    package init(store: any ActuatorStore, owner: String, seconds: Int64, groups: [String], fingerprints: [String: String],
                book: LeaseBook) {
        self.store = store
        self.owner = owner
        self.seconds = seconds
        self.groups = groups.sorted()
        self.fingerprints = fingerprints
        self.book = book
    }

    /// The last pass's outcome (health, metrics).
    public var last: LeasePass { lock.withLock { lastPass } }

    /// Groups acquired since the last call, to adopt before deciding for them.
    func takeAdoptions() -> Set<String> {
        lock.withLock {
            defer { adoptions = [] }
            return adoptions
        }
    }

    /// One pass at `now` (passes are serialised: the lease loop's and the cycle's).
    @discardableResult
    public func pass(at now: Int64, rebalance: Bool) -> LeasePass {
        lock.withLock {
            var report = LeasePass()
            do {
                try run(now, rebalance: rebalance, &report)
            } catch {
                report.error = "\(error)"
            }
            report.held = book.leases.count
            lastPass = report
            return report
        }
    }

    private func run(_ now: Int64, rebalance: Bool, _ report: inout LeasePass) throws(MetricStoreError) {
        let member = Self.memberPrefix + owner
        if case .held(let other) = try store.acquireLease(group: member, owner: owner, at: now, seconds: seconds) {
            throw MetricStoreError(.leaseLost, "actuator id \(owner) is in use by another process until \(other.expiresAt): "
                                   + "give each actuator its own [actuator] id")
        }
        if !published {
            try store.save(states: [StoredState(name: Self.documentName(owner), version: 1, time: now,
                                                json: Self.encode(fingerprints))])
            published = true
        }
        let rows = try store.leases()
        var holder: [String: Lease] = [:]
        var live: Set<String> = [owner]
        for row in rows where row.expiresAt > now {
            if row.group.hasPrefix(Self.memberPrefix) { live.insert(row.owner) } else { holder[row.group] = row }
        }
        report.live = live.sorted()
        // Renew what is held, in one store call; a lease that cannot be renewed is gone at once.
        let heldLeases = book.leases.values.sorted { $0.group < $1.group }
        let renewed = try store.renewLeases(heldLeases, at: now, seconds: seconds)
        renewed.forEach(book.set)
        let stillHeld = Set(renewed.map(\.group))
        for lease in heldLeases where !stillHeld.contains(lease.group) {
            book.drop(lease.group)
            report.lost.append(lease.group)
        }
        // Another live actuator's configuration of a group this one runs too: the actuator that
        // started first keeps the group, the later one refuses it (and both say so).
        let mine = try store.state(named: Self.documentName(owner))
        let myStart = (mine?.time ?? now, owner)
        var refused: [String: String] = [:]
        var kept: Set<String> = []
        for other in live.sorted() where other != owner {
            guard let doc = try store.state(named: Self.documentName(other)) else { continue }
            let older = (doc.time, other) < myStart
            for (group, fingerprint) in Self.decode(doc.json) where fingerprints[group].map({ $0 != fingerprint }) ?? false {
                let text = "group \(group) is configured differently by actuator \(other) (configuration fingerprint "
                    + "\(fingerprint), here \(fingerprints[group] ?? "?")): "
                if older {
                    refused[group] = text + "refused here, \(other) started first; give both the same configuration"
                } else if refused[group] == nil {
                    kept.insert(group)
                    report.conflicts[group] = text + "kept here (started first); \(other) refuses it"
                }
            }
        }
        for (group, text) in refused {
            report.conflicts[group] = text
            kept.remove(group)
        }
        let share = groups.isEmpty ? 0 : (groups.count + live.count - 1) / live.count
        report.share = share
        var held = book.leases
        // A group refused here that is held (taken while the other was away, or at the same moment): given up.
        for group in held.keys.sorted() where refused[group] != nil {
            guard let lease = book.drop(group) else { continue }
            try store.releaseLease(lease)
            held[group] = nil
            report.released.append(group)
        }
        if rebalance, held.count > share {
            // The last groups by name go first (the same choice on every pass, so no churn); a group
            // kept against a conflicting actuator last of all.
            let order = held.keys.sorted { (kept.contains($0) ? 0 : 1, $0) < (kept.contains($1) ? 0 : 1, $1) }
            for group in order.suffix(held.count - share) {
                guard let lease = book.drop(group) else { continue }
                try store.releaseLease(lease)
                held[group] = nil
                report.released.append(group)
            }
        }
        guard held.count < share else { return }
        var candidates = groups.filter { group in
            held[group] == nil && refused[group] == nil && holder[group].map { $0.owner == owner } ?? true
        }
        candidates.shuffle()
        var need = share - held.count
        for group in candidates where need > 0 {
            guard case .acquired(let lease) = try store.acquireLease(group: group, owner: owner, at: now, seconds: seconds) else { continue }
            book.set(lease)
            adoptions.insert(group)
            report.acquired.append(group)
            need -= 1
        }
        report.acquired.sort()
    }

    /// Gives every lease up (a graceful stop): the groups and the membership row are free at once.
    package func releaseAll() {
        lock.withLock {
            for (group, lease) in book.leases {
                book.drop(group)
                _ = try? store.releaseLease(lease)
            }
            if let member = try? store.leases().first(where: { $0.group == Self.memberPrefix + owner && $0.owner == owner }) {
                _ = try? store.releaseLease(member)
            }
        }
    }

    static func documentName(_ owner: String) -> String { "fleet/actuator/\(owner)" }

    static func encode(_ fingerprints: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(fingerprints)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }

    /// A group's configuration fingerprint: FNV-1a (64 bits) of its configuration as this build
    /// prints it, so two actuators of one release agree exactly when the group is configured alike.
    package static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
