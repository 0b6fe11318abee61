import Calibration
import Foundation
import MetricStore
import Scaling

/// The cost loop's window: when it started, what it has accumulated, and the maxima it moved.
public struct CostLoopState: Sendable, Hashable, Codable {
    /// When the current evaluation window started (Unix seconds).
    public var windowStart: Int64
    /// Each group's reserve cost and avoided-miss value in the window, sorted by group.
    public var entries: [GroupCostReport]
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
public enum StateRestore: Sendable, Hashable {
    /// No stored state (a new store, or one written before the state was kept).
    case none
    /// Restored for `groups` configured groups, as stored at `time`.
    case restored(groups: Int, time: Int64)
    /// The stored state was not used (unknown version, unreadable, from a later time); the runtime started fresh.
    case discarded(reason: String)
}

extension ActuatorRuntime {
    /// The stored state read back for `configuration`: unknown versions, documents that do not
    /// decode and states stamped after `now` are discarded with a reason; groups no longer
    /// configured are dropped; a group's ACI state is restarted when τ or γ changed; a maximum the
    /// cost loop moved is kept within the group's configured bounds.
    static func restoredSizing(_ store: any ActuatorStore, configuration: ActuatorConfiguration, fresh: Sizer, now: Int64)
        -> (states: [String: GroupSizingState], costLoop: CostLoopState?, outcome: StateRestore) {
        func discard(_ reason: String) -> ([String: GroupSizingState], CostLoopState?, StateRestore) {
            ([:], nil, .discarded(reason: "stored sizing state (\(store.location)): \(reason); starting fresh"))
        }
        let stored: StoredState?
        do { stored = try store.state(named: SizingStateDocument.name) } catch { return discard("cannot be read: \(error)") }
        guard let stored else { return ([:], nil, .none) }
        guard stored.version == SizingStateDocument.version else {
            return discard("format version \(stored.version) is unknown to this build, which reads version \(SizingStateDocument.version)")
        }
        guard stored.time <= now else {
            return discard("written at \(stored.time), after the clock's \(now) (a replay of an earlier period on this store?)")
        }
        let document: SizingStateDocument
        do {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = DecisionLog.decodedFloats
            document = try decoder.decode(SizingStateDocument.self, from: Data(stored.json.utf8))
        } catch {
            return discard("cannot be decoded (\(error))")
        }
        let configured = Set(configuration.groups.map(\.name))
        var states: [String: GroupSizingState] = [:]
        for (group, state) in document.groups where configured.contains(group) {
            var s = state
            let start = fresh.state(of: group).aci
            if s.aci.targetMiscoverage != start.targetMiscoverage || s.aci.learningRate != start.learningRate {
                // The costs or γ changed: the level learned for the old target says nothing of the new one.
                s.aci = start
                s.lastSized = nil
            }
            states[group] = s
        }
        var loop = document.costLoop
        loop.entries = loop.entries.filter { configured.contains($0.group) }
        var bounds: [String: GroupBounds] = [:]
        for (group, b) in loop.bounds where configured.contains(group) {
            let c = configuration.sizing.bounds(for: group)
            let maximum = min(max(b.maximum, c.minimum), c.maximum)
            if maximum != c.maximum, let kept = try? GroupBounds(minimum: c.minimum, maximum: maximum) { bounds[group] = kept }
        }
        loop.bounds = bounds
        loop.windowStart = min(loop.windowStart, now)
        return (states, loop, .restored(groups: states.count, time: stored.time))
    }

    /// The cost loop's current window (what a restart restores).
    public func costLoopState() -> CostLoopState {
        var moved: [String: GroupBounds] = [:]
        for (group, b) in policy.bounds where b != configuration.sizing.bounds(for: group) { moved[group] = b }
        return CostLoopState(windowStart: costWindowStart, entries: ledger.costReport(), bounds: moved)
    }

    /// The sizing state document of now, for the cycle's decision transaction; nil (and a
    /// problem) when it cannot be encoded.
    func sizingStateDocument(now: Int64, problems: inout [String]) -> StoredState? {
        let document = SizingStateDocument(groups: sizer.states, costLoop: costLoopState())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = DecisionLog.floats
        do {
            let data = try encoder.encode(document)
            return StoredState(name: SizingStateDocument.name, version: SizingStateDocument.version, time: now,
                               json: String(decoding: data, as: UTF8.self))
        } catch {
            problems.append("cannot encode the sizing state: \(error)")
            return nil
        }
    }
}
