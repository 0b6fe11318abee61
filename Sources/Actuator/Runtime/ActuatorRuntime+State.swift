import Calibration
import Foundation
import MetricStore
import Scaling

/// The cost loop's window: when it started, what it has accumulated, and the maxima it moved.
package struct CostLoopState: Sendable, Hashable, Codable {
    /// When the current evaluation window started (Unix seconds).
    package var windowStart: Int64
    /// Each group's reserve cost and avoided-miss value in the window, sorted by group.
    package var entries: [GroupCostReport]
    /// The bounds the cost loop moved away from the configured ones (other groups have theirs).
    public var bounds: [String: GroupBounds]

    enum CodingKeys: String, CodingKey {
        case entries, bounds
        case windowStart = "window_start"
    }
}

/// What the runtime learns online and must not forget over a restart: each group's sizing state
/// (ACI level, hysteresis stretch, the quantile last sized at) and the cost loop's window. Stored
/// as one JSON document (`actuator_state` row `sizing`, format `version`) in the transaction that
/// stores the cycle's decisions (docs/actuator.md, "Restarts and crashes").
struct SizingStateDocument: Codable {
    static let name = "sizing"
    static let version = 1
    var groups: [String: GroupSizingState]
    var costLoop: CostLoopState

    enum CodingKeys: String, CodingKey {
        case groups
        case costLoop = "cost_loop"
    }
}

/// What the runtime found of its stored sizing state at start.
package enum StateRestore: Sendable, Hashable {
    /// No stored state (a new store, or one written before the state was kept).
    case none
    /// Restored for `groups` configured groups, as stored at `time`.
    case restored(groups: Int, time: Int64)
    /// The stored state was not used (unknown version, unreadable, from a later time); the runtime started fresh.
    case discarded(reason: String)
}

extension ActuatorRuntime {
    /// The document this actuator writes: `sizing`, one per store, without leases; with leases
    /// `sizing@<id>`, holding only the groups this actuator holds, so actuators sharing a store
    /// never overwrite each other's groups and a group taken over continues from its last holder's
    /// state (`restoreSizing(of:)`).
    var sizingStateName: String {
        leaseKeeper == nil ? SizingStateDocument.name : SizingStateDocument.name + "@" + configuration.actuatorID
    }

    /// A stored document decoded, or why it is not used: an unknown version, a time after `now`,
    /// JSON that does not decode.
    static func decodedSizing(_ stored: StoredState, now: Int64) -> Result<SizingStateDocument, SizingStateProblem> {
        guard stored.version == SizingStateDocument.version else {
            return .failure(SizingStateProblem("format version \(stored.version) is unknown to this build, which reads version \(SizingStateDocument.version)"))
        }
        guard stored.time <= now else {
            return .failure(SizingStateProblem("written at \(stored.time), after the clock's \(now) (a replay of an earlier period on this store?)"))
        }
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = DecisionLog.decodedFloats
            return .success(try decoder.decode(SizingStateDocument.self, from: Data(stored.json.utf8)))
        } catch {
            return .failure(SizingStateProblem("cannot be decoded (\(error))"))
        }
    }

    /// A group's stored state as this configuration may use it: the ACI state restarts when τ or γ
    /// changed (the level learned for the old target says nothing of the new one).
    static func usable(_ state: GroupSizingState, of group: String, fresh: Sizer) -> GroupSizingState {
        var s = state
        let start = fresh.state(of: group).aci
        if s.aci.targetMiscoverage != start.targetMiscoverage || s.aci.learningRate != start.learningRate {
            s.aci = start
            s.lastSized = nil
        }
        return s
    }

    /// A maximum the cost loop moved, kept within the group's configured bounds; nil when it is the
    /// configured one.
    static func movedBounds(_ b: GroupBounds, of group: String, configuration: ActuatorConfiguration) -> GroupBounds? {
        let c = configuration.sizing.bounds(for: group)
        let maximum = min(max(b.maximum, c.minimum), c.maximum)
        guard maximum != c.maximum else { return nil }
        return try? GroupBounds(minimum: c.minimum, maximum: maximum)
    }

    /// The stored state read back for `configuration`: unknown versions, documents that do not
    /// decode and states stamped after `now` are discarded with a reason; groups no longer
    /// configured are dropped; a group's ACI state is restarted when τ or γ changed; a maximum the
    /// cost loop moved is kept within the group's configured bounds. Under leases nothing is read
    /// here: each group's state is restored when its lease is acquired.
    static func restoredSizing(_ store: any ActuatorStore, configuration: ActuatorConfiguration, fresh: Sizer, now: Int64)
        -> (states: [String: GroupSizingState], costLoop: CostLoopState?, outcome: StateRestore) {
        func discard(_ reason: String) -> ([String: GroupSizingState], CostLoopState?, StateRestore) {
            ([:], nil, .discarded(reason: "stored sizing state (\(store.location)): \(reason); starting fresh"))
        }
        let stored: StoredState?
        do { stored = try store.state(named: SizingStateDocument.name) } catch { return discard("cannot be read: \(error)") }
        guard let stored else { return ([:], nil, .none) }
        let document: SizingStateDocument
        switch decodedSizing(stored, now: now) {
        case .success(let d): document = d
        case .failure(let problem): return discard(problem.reason)
        }
        let configured = Set(configuration.groups.map(\.name))
        var states: [String: GroupSizingState] = [:]
        for (group, state) in document.groups where configured.contains(group) {
            states[group] = usable(state, of: group, fresh: fresh)
        }
        var loop = document.costLoop
        loop.entries = loop.entries.filter { configured.contains($0.group) }
        var bounds: [String: GroupBounds] = [:]
        for (group, b) in loop.bounds where configured.contains(group) {
            if let kept = movedBounds(b, of: group, configuration: configuration) { bounds[group] = kept }
        }
        loop.bounds = bounds
        loop.windowStart = min(loop.windowStart, now)
        return (states, loop, .restored(groups: states.count, time: stored.time))
    }

    /// How long a dead actuator's `sizing@<id>` document is kept for groups nobody took over.
    static let sizingStateRetention: Int64 = 7 * 86_400

    /// Under leases, when `groups` are acquired: each continues from the newest stored document
    /// that holds it — its last holder's (`sizing@<id>`, or the single-actuator `sizing` of a store
    /// that ran without leases) — its ACI and hysteresis state, its cost window and a maximum the
    /// cost loop moved. Documents of actuators no longer `live` older than a week are removed.
    func restoreSizing(of groups: Set<String>, live: Set<String>, now: Int64, problems: inout [String]) {
        guard !groups.isEmpty else { return }
        let stored: [StoredState]
        do { stored = try store.states(prefix: SizingStateDocument.name) } catch {
            problems.append("sizing state of groups taken over cannot be read (they start fresh): \(error)")
            return
        }
        let fresh = (try? Sizer(policy: configuration.sizing, clock: clock)) ?? sizer
        var newest: [String: (time: Int64, document: SizingStateDocument)] = [:]
        var expired: [String] = []
        let ownPrefix = SizingStateDocument.name + "@"
        for doc in stored where doc.name == SizingStateDocument.name || doc.name.hasPrefix(ownPrefix) {
            let owner = doc.name.hasPrefix(ownPrefix) ? String(doc.name.dropFirst(ownPrefix.count)) : nil
            if let owner, !live.contains(owner), doc.time < now - Self.sizingStateRetention {
                expired.append(doc.name)
                continue
            }
            guard case .success(let document) = Self.decodedSizing(doc, now: now) else { continue }
            for group in groups where document.groups[group] != nil && (newest[group]?.time ?? .min) < doc.time {
                newest[group] = (doc.time, document)
            }
        }
        for (group, found) in newest.sorted(by: { $0.key < $1.key }) {
            guard let state = found.document.groups[group] else { continue }
            sizer.restore(Self.usable(state, of: group, fresh: fresh), of: group)
            if let entry = found.document.costLoop.entries.first(where: { $0.group == group }) { ledger.restoreWindow(entry) }
            if let b = found.document.costLoop.bounds[group], let kept = Self.movedBounds(b, of: group, configuration: configuration) {
                policy.bounds[group] = kept
                sizer.policy = policy
            }
        }
        if !expired.isEmpty { _ = try? store.deleteStates(named: expired) }
    }

    /// The cost loop's current window (what a restart restores): under leases only the groups held.
    package func costLoopState(holding held: Set<String>? = nil) -> CostLoopState {
        var moved: [String: GroupBounds] = [:]
        for (group, b) in policy.bounds where b != configuration.sizing.bounds(for: group) && held.map({ $0.contains(group) }) ?? true {
            moved[group] = b
        }
        let entries = ledger.costReport().filter { entry in held.map { $0.contains(entry.group) } ?? true }
        return CostLoopState(windowStart: costWindowStart, entries: entries, bounds: moved)
    }

    /// The sizing state document of now, for the cycle's decision transaction (under leases only
    /// the groups held now), written by `DecisionJSON.encodeSizingState`.
    func sizingStateDocument(now: Int64) -> StoredState {
        let held: Set<String>? = leaseKeeper == nil ? nil : Set(configuration.groups.map(\.name).filter { leaseBook.holds($0, at: now) })
        let states = held.map { h in sizer.states.filter { entry in h.contains(entry.key) } } ?? sizer.states
        let costLoop = costLoopState(holding: held)
        let json = DecisionJSON.encodeSizingState(groups: states, windowStart: costLoop.windowStart,
                                                  entries: costLoop.entries, bounds: costLoop.bounds)
        return StoredState(name: sizingStateName, version: SizingStateDocument.version, time: now, json: json)
    }
}

/// Why a stored sizing document is not used.
struct SizingStateProblem: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
