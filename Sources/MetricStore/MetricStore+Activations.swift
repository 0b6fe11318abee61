import Foundation
import GRDB

extension MetricStore {
    /// Claims a ready shadow for activation `id` (the caller's idempotency key), in one transaction:
    /// the shadow moves ready → activating and the activation is recorded.
    ///
    /// The same `id` again returns the existing record and writes nothing (a retried request never
    /// makes a second row); a shadow that is not `ready` is refused, so a shadow is claimed once. An id
    /// reused for another shadow also returns the existing record: callers compare its `shadowID`.
    public func beginActivation(id: String, shadow shadowID: String, at now: Int64,
                                fence: LeaseFence?) throws(MetricStoreError) -> ActivationClaim {
        let what = "cannot begin activation \(id) of shadow \(shadowID)"
        return try write(what, immediate: true) { db in
            try Self.check(fence, shadow: shadowID, what, path: path, db)
            if let existing = try Row.fetchOne(db, sql: "SELECT * FROM activations WHERE id = ?", arguments: [id]) {
                return .existing(try Self.decodeActivation(existing))
            }
            guard let row = try Row.fetchOne(db, sql: "SELECT grp, state FROM shadows WHERE id = ?", arguments: [shadowID]) else {
                return .refused(nil)
            }
            let group: String = row["grp"]
            let stateText: String = row["state"]
            guard try Self.compareAndSet(shadowID, from: [.ready], to: .activating, at: now, db, activationID: .some(id)) else {
                return .refused(ShadowState(rawValue: stateText))
            }
            let record = ActivationRecord(id: id, shadowID: shadowID, group: group, requestedAt: now)
            try db.execute(sql: """
                INSERT INTO activations (id, shadow_id, grp, requested_at, step_latencies) VALUES (?, ?, ?, ?, '{}')
                """, arguments: [id, shadowID, group, now])
            return .started(record)
        }
    }

    /// Records how activation `id` ended — once: returns false (and writes nothing) when it is unknown
    /// or already has an outcome. In the same transaction the shadow leaves `activating`:
    /// succeeded → active (reservation released: it is now running load), rolled back → ready
    /// (activation id cleared, reservation kept), failed → decommissioning (reservation kept until
    /// the domain is gone).
    @discardableResult
    public func finishActivation(id: String, outcome: ActivationRecord.Outcome, stepLatencies: [String: Double],
                                 at now: Int64, fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        let latencies = try Self.encodeJSON(stepLatencies.filter { $0.value.isFinite }, "step latencies")
        let what = "cannot finish activation \(id)"
        return try write(what, immediate: true) { db in
            if let fence {
                let shadowID = try String.fetchOne(db, sql: "SELECT shadow_id FROM activations WHERE id = ?", arguments: [id])
                if let shadowID { try Self.check(fence, shadow: shadowID, what, path: path, db) } else { try Self.check([fence], what, path: path, db) }
            }
            try db.execute(sql: """
                UPDATE activations SET completed_at = ?, outcome = ?, step_latencies = ? WHERE id = ? AND outcome IS NULL
                """, arguments: [now, outcome.rawValue, latencies, id])
            guard db.changesCount > 0,
                  let shadowID = try String.fetchOne(db, sql: "SELECT shadow_id FROM activations WHERE id = ?", arguments: [id])
            else { return false }
            switch outcome {
            case .succeeded:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .active, at: now, db)
            case .rolledBack:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .ready, at: now, db, activationID: .some(nil))
            case .failed:
                _ = try Self.compareAndSet(shadowID, from: [.activating], to: .decommissioning, at: now, db)
            }
            return true
        }
    }

    /// The activation with this id, if recorded.
    public func activation(id: String) throws(MetricStoreError) -> ActivationRecord? {
        try read("cannot read activation \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM activations WHERE id = ?", arguments: [id]).map(Self.decodeActivation)
        }
    }

    /// Every activation of a shadow, in request order.
    public func activations(shadow shadowID: String) throws(MetricStoreError) -> [ActivationRecord] {
        try read("cannot read the activations of shadow \(shadowID)") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM activations WHERE shadow_id = ? ORDER BY requested_at, id",
                             arguments: [shadowID]).map(Self.decodeActivation)
        }
    }

    static func decodeActivation(_ row: Row) throws -> ActivationRecord {
        let outcomeText: String? = row["outcome"]
        let latenciesText: String = row["step_latencies"]
        guard let latencies = try? JSONDecoder().decode([String: Double].self, from: Data(latenciesText.utf8)) else {
            throw MetricStoreError(.corruptData, "activation \(row["id"] as String? ?? "?") has unreadable step latencies")
        }
        return ActivationRecord(id: row["id"], shadowID: row["shadow_id"], group: row["grp"],
                                requestedAt: row["requested_at"], completedAt: row["completed_at"],
                                outcome: outcomeText.flatMap(ActivationRecord.Outcome.init(rawValue:)),
                                stepLatencies: latencies,
                                predicted: size(row, "predicted_vcpus", "predicted_memory_mib"),
                                applied: size(row, "applied_vcpus", "applied_memory_mib"))
    }
}
