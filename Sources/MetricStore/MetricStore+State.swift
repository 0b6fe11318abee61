import GRDB

/// A named, versioned document of a program's online state (the actuator's sizing state, for one):
/// the owner encodes and versions the JSON, the store never parses it.
public struct StoredState: Sendable, Hashable {
    public var name: String
    /// The format version the writer used; a reader that does not know it starts fresh.
    public var version: Int
    /// Unix seconds of the state (the writer's clock).
    public var time: Int64
    public var json: String

    public init(name: String, version: Int, time: Int64, json: String) {
        self.name = name
        self.version = version
        self.time = time
        self.json = json
    }
}

extension MetricStore {
    /// Replaces the state documents `states` (by name) in one transaction.
    public func save(states: [StoredState]) throws(MetricStoreError) {
        try write("cannot store state") { db in try Self.upsert(states, db) }
    }

    /// The state document `name`, nil when none is stored.
    public func state(named name: String) throws(MetricStoreError) -> StoredState? {
        try read("cannot read state \(name)") { db in
            try Row.fetchOne(db, sql: "SELECT name, version, ts, json FROM actuator_state WHERE name = ?", arguments: [name])
                .map { StoredState(name: $0["name"], version: $0["version"], time: $0["ts"], json: $0["json"]) }
        }
    }

    public func states(prefix: String) throws(MetricStoreError) -> [StoredState] {
        try read("cannot read states \(prefix)*") { db in
            try Row.fetchAll(db, sql: "SELECT name, version, ts, json FROM actuator_state WHERE substr(name, 1, ?) = ? ORDER BY name",
                             arguments: [prefix.count, prefix])
                .map { StoredState(name: $0["name"], version: $0["version"], time: $0["ts"], json: $0["json"]) }
        }
    }

    @discardableResult
    public func deleteStates(named names: [String]) throws(MetricStoreError) -> Int {
        guard !names.isEmpty else { return 0 }
        return try write("cannot delete states") { db in
            var removed = 0
            for name in names {
                try db.execute(sql: "DELETE FROM actuator_state WHERE name = ?", arguments: [name])
                removed += db.changesCount
            }
            return removed
        }
    }

    static func upsert(_ states: [StoredState], _ db: Database) throws {
        guard !states.isEmpty else { return }
        let statement = try db.cachedStatement(sql: """
            INSERT INTO actuator_state (name, version, ts, json) VALUES (?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET version = excluded.version, ts = excluded.ts, json = excluded.json
            """)
        for s in states { try statement.execute(arguments: [s.name, s.version, s.time, s.json]) }
    }
}
