import MetricStore
import PostgresNIO

/// Sizing decisions and the named state documents (MetricStore+Decisions, +State).
extension PostgresStore {
    @discardableResult
    public func insert(decisions: [(group: String, time: Int64, json: String)], states: [StoredState],
                       fences: [LeaseFence]) throws(MetricStoreError) -> [Int64] {
        try connector.run("cannot insert decisions") { s in
            try Self.check(fences, "cannot insert decisions", location, s)
            var ids: [Int64] = []
            if !decisions.isEmpty {
                // One statement for the cycle's decisions; identity values follow the ordinality
                // order, so the sorted ids are the decisions' in order.
                ids = try s.query("""
                    INSERT INTO decisions (grp, ts, json)
                    SELECT g, t, j FROM unnest(\(decisions.map(\.group)), \(decisions.map(\.time)), \(decisions.map(\.json)))
                        WITH ORDINALITY AS d(g, t, j, n) ORDER BY n
                    RETURNING id
                    """).map { try $0.decode(Int64.self) }.sorted()
            }
            try Self.upsert(states, s)
            return ids
        }
    }

    public func decisions(group: String, limit: Int) throws(MetricStoreError) -> [StoredDecision] {
        guard limit > 0 else { return [] }
        return try connector.run("cannot read decisions", transaction: false) { s in
            try s.query("""
                SELECT id, grp, ts, json FROM decisions WHERE grp = \(group) ORDER BY ts DESC, id DESC LIMIT \(limit)
                """).map { row in
                let (id, group, ts, json) = try row.decode((Int64, String, Int64, String).self)
                return StoredDecision(id: id, group: group, time: ts, json: json)
            }
        }
    }

    @discardableResult
    public func deleteDecisions(before time: Int64) throws(MetricStoreError) -> Int {
        try connector.run("cannot delete decisions") { s in try s.changes("DELETE FROM decisions WHERE ts < \(time)") }
    }

    public func save(states: [StoredState]) throws(MetricStoreError) {
        try connector.run("cannot store state") { s in try Self.upsert(states, s) }
    }

    public func state(named name: String) throws(MetricStoreError) -> StoredState? {
        try connector.run("cannot read state \(name)", transaction: false) { s in
            try s.query("SELECT name, version, ts, json FROM actuator_state WHERE name = \(name)").first.map { row in
                let (name, version, ts, json) = try row.decode((String, Int64, Int64, String).self)
                return StoredState(name: name, version: Int(version), time: ts, json: json)
            }
        }
    }

    public func states(prefix: String) throws(MetricStoreError) -> [StoredState] {
        try connector.run("cannot read states \(prefix)*", transaction: false) { s in
            try s.query("SELECT name, version, ts, json FROM actuator_state WHERE starts_with(name, \(prefix)) ORDER BY name COLLATE \"C\"").map { row in
                let (name, version, ts, json) = try row.decode((String, Int64, Int64, String).self)
                return StoredState(name: name, version: Int(version), time: ts, json: json)
            }
        }
    }

    @discardableResult
    public func deleteStates(named names: [String]) throws(MetricStoreError) -> Int {
        guard !names.isEmpty else { return 0 }
        return try connector.run("cannot delete states") { s in
            var removed = 0
            for name in names { removed += try s.changes("DELETE FROM actuator_state WHERE name = \(name)") }
            return removed
        }
    }

    static func upsert(_ states: [StoredState], _ s: PostgresSession) throws {
        for state in states {
            try s.query("""
                INSERT INTO actuator_state (name, version, ts, json) VALUES (\(state.name), \(Int64(state.version)), \(state.time), \(state.json))
                ON CONFLICT (name) DO UPDATE SET version = excluded.version, ts = excluded.ts, json = excluded.json
                """)
        }
    }
}
