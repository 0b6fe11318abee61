import Foundation
import MetricStore
import PostgresNIO

extension PostgresStore {
    public func beginActivation(id: String, shadow shadowID: String, at now: Int64,
                                fence: LeaseFence?) throws(MetricStoreError) -> ActivationClaim {
        let what = "cannot begin activation \(id) of shadow \(shadowID)"
        return try connector.run(what) { s in
            try Self.check(fence, shadow: shadowID, what, location, s)
            if let existing = try s.query("SELECT \(unescaped: Self.activationColumns) FROM activations WHERE id = \(id)").first {
                return .existing(try Self.decodeActivation(existing))
            }
            // Locked: a concurrent claim of the same shadow waits, then finds it no longer ready.
            guard let row = try s.query("SELECT grp, state FROM shadows WHERE id = \(shadowID) FOR UPDATE").first else {
                return .refused(nil)
            }
            let (group, stateText) = try row.decode((String, String).self)
            guard try Self.compareAndSet(shadowID, from: [.ready], to: .activating, at: now, s, activationID: .some(id)) else {
                return .refused(ShadowState(rawValue: stateText))
            }
            try s.query("""
                INSERT INTO activations (id, shadow_id, grp, requested_at, step_latencies) VALUES (\(id), \(shadowID), \(group), \(now), '{}')
                """)
            return .started(ActivationRecord(id: id, shadowID: shadowID, group: group, requestedAt: now))
        }
    }

    @discardableResult
    public func finishActivation(id: String, outcome: ActivationRecord.Outcome, stepLatencies: [String: Double], at now: Int64,
                                 fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        let latencies = try Self.json(stepLatencies.filter { $0.value.isFinite }, "step latencies")
        let what = "cannot finish activation \(id)"
        return try connector.run(what) { s in
            if let fence {
                if let row = try s.query("SELECT shadow_id FROM activations WHERE id = \(id)").first {
                    try Self.check(fence, shadow: try row.decode(String.self), what, location, s)
                } else {
                    try Self.check([fence], what, location, s)
                }
            }
            guard let row = try s.query("""
                UPDATE activations SET completed_at = \(now), outcome = \(outcome.rawValue), step_latencies = \(latencies)
                WHERE id = \(id) AND outcome IS NULL RETURNING shadow_id
                """).first else { return false }
            let shadowID = try row.decode(String.self)
            switch outcome {
            case .succeeded:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .active, at: now, s)
            case .rolledBack:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .ready, at: now, s, activationID: .some(nil))
            case .failed:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .decommissioning, at: now, s)
            }
            return true
        }
    }

    public func activation(id: String) throws(MetricStoreError) -> ActivationRecord? {
        try connector.run("cannot read activation \(id)", transaction: false) { s in
            try s.query("SELECT \(unescaped: Self.activationColumns) FROM activations WHERE id = \(id)").first.map(Self.decodeActivation)
        }
    }

    public func activations(shadow shadowID: String) throws(MetricStoreError) -> [ActivationRecord] {
        try connector.run("cannot read the activations of shadow \(shadowID)", transaction: false) { s in
            try s.query("""
                SELECT \(unescaped: Self.activationColumns) FROM activations WHERE shadow_id = \(shadowID)
                ORDER BY requested_at, id COLLATE "C"
                """).map(Self.decodeActivation)
        }
    }

    public func activations(group: String, limit: Int) throws(MetricStoreError) -> [ActivationRecord] {
        try connector.run("cannot read the activations of group \(group)", transaction: false) { s in
            try s.query("""
                SELECT \(unescaped: Self.activationColumns) FROM activations WHERE grp = \(group)
                ORDER BY requested_at DESC, id COLLATE "C" DESC LIMIT \(max(limit, 0))
                """).map(Self.decodeActivation)
        }
    }

    @discardableResult
    public func recordActivationSize(id: String, predicted: ActivationSize?, applied: ActivationSize) throws(MetricStoreError) -> Bool {
        try connector.run("cannot record the size of activation \(id)") { s in
            try s.changes("""
                UPDATE activations SET predicted_vcpus = \(predicted?.vcpus), predicted_memory_mib = \(predicted?.memoryMiB),
                    applied_vcpus = \(applied.vcpus), applied_memory_mib = \(applied.memoryMiB)
                WHERE id = \(id)
                """) > 0
        }
    }

    public func appliedVCPUsOfActiveShadows() throws(MetricStoreError) -> [String: Int64] {
        try connector.run("cannot read the sizes of the active shadows", transaction: false) { s in
            var sizes: [String: Int64] = [:]
            for row in try s.query("""
                SELECT a.shadow_id, a.applied_vcpus FROM activations a
                JOIN shadows s ON s.id = a.shadow_id AND s.activation_id = a.id
                WHERE s.state IN ('activating', 'active') AND a.applied_vcpus IS NOT NULL
                """) {
                let (shadow, vcpus) = try row.decode((String, Int64).self)
                sizes[shadow] = vcpus
            }
            return sizes
        }
    }

    public func recentSucceededActivations(limit: Int) throws(MetricStoreError) -> [ActivationRecord] {
        try connector.run("cannot read the recent activations", transaction: false) { s in
            try s.query("""
                SELECT \(unescaped: Self.activationColumns) FROM activations WHERE outcome = 'succeeded'
                ORDER BY requested_at DESC, id COLLATE "C" DESC LIMIT \(max(limit, 0))
                """).map(Self.decodeActivation)
        }
    }

    static let activationColumns = """
        id, shadow_id, grp, requested_at, completed_at, outcome, step_latencies, predicted_vcpus, predicted_memory_mib,
        applied_vcpus, applied_memory_mib
        """

    static func decodeActivation(_ row: PostgresRow) throws -> ActivationRecord {
        let (id, shadow, group, requested, completed, outcomeText, latenciesText, pv, pm, av, am) = try row.decode(
            (String, String, String, Int64, Int64?, String?, String, Int64?, Int64?, Int64?, Int64?).self)
        guard let latencies = try? JSONDecoder().decode([String: Double].self, from: Data(latenciesText.utf8)) else {
            throw MetricStoreError(.corruptData, "activation \(id) has unreadable step latencies")
        }
        func size(_ v: Int64?, _ m: Int64?) -> ActivationSize? {
            guard let v, let m else { return nil }
            return ActivationSize(vcpus: v, memoryMiB: m)
        }
        return ActivationRecord(id: id, shadowID: shadow, group: group, requestedAt: requested, completedAt: completed,
                                outcome: outcomeText.flatMap(ActivationRecord.Outcome.init(rawValue:)),
                                stepLatencies: latencies, predicted: size(pv, pm), applied: size(av, am))
    }
}
