import GRDB

/// A stored sizing decision: the group, its time and the decision as JSON (the actuator owns the
/// format; the store never parses it).
public struct StoredDecision: Sendable, Hashable {
    public var id: Int64
    public var group: String
    /// Unix seconds of the decision.
    public var time: Int64
    public var json: String

    public init(id: Int64, group: String, time: Int64, json: String) {
        self.id = id
        self.group = group
        self.time = time
        self.json = json
    }
}

extension MetricStore {
    /// Stores decisions, and replaces the state documents `states` (MetricStore+State), in one
    /// transaction; returns the decisions' ids in order.
    @discardableResult
    public func insert(decisions: [(group: String, time: Int64, json: String)], states: [StoredState],
                       fences: [LeaseFence]) throws(MetricStoreError) -> [Int64] {
        try write("cannot insert decisions", immediate: !fences.isEmpty) { db in
            try Self.check(fences, "cannot insert decisions", path: path, db)
            var ids: [Int64] = []
            ids.reserveCapacity(decisions.count)
            let statement = try db.cachedStatement(sql: "INSERT INTO decisions (grp, ts, json) VALUES (?, ?, ?)")
            for d in decisions {
                try statement.execute(arguments: [d.group, d.time, d.json])
                ids.append(db.lastInsertedRowID)
            }
            try Self.upsert(states, db)
            return ids
        }
    }

    /// The latest `limit` decisions of `group`, newest first (ties by insertion order, newest first).
    public func decisions(group: String, limit: Int) throws(MetricStoreError) -> [StoredDecision] {
        guard limit > 0 else { return [] }
        return try read("cannot read decisions") { db in
            try Row.fetchAll(db, sql: "SELECT id, grp, ts, json FROM decisions WHERE grp = ? ORDER BY ts DESC, id DESC LIMIT ?",
                             arguments: [group, limit]).map { row in
                StoredDecision(id: row["id"], group: row["grp"], time: row["ts"], json: row["json"])
            }
        }
    }

    /// Deletes decisions older than `time` (Unix seconds); returns how many went.
    @discardableResult
    public func deleteDecisions(before time: Int64) throws(MetricStoreError) -> Int {
        try write("cannot delete decisions") { db in
            try db.execute(sql: "DELETE FROM decisions WHERE ts < ?", arguments: [time])
            return db.changesCount
        }
    }
}
