import GRDB
@testable import MetricStore
import Testing

@Suite struct DecisionStorageTests {
    @Test func decisionsAreReadNewestFirstPerGroup() throws {
        let store = try MetricStore.inMemory()
        let ids = try store.insert(decisions: [("a", 100, "{\"n\":1}"), ("b", 150, "{}"), ("a", 200, "{\"n\":2}"),
                                               ("a", 200, "{\"n\":3}")])
        #expect(ids.count == 4)
        let latest = try store.decisions(group: "a", limit: 2)
        #expect(latest.map(\.json) == ["{\"n\":3}", "{\"n\":2}"] && latest.allSatisfy { $0.group == "a" })
        #expect(try store.decisions(group: "a", limit: 10).map(\.time) == [200, 200, 100])
        #expect(try store.decisions(group: "a", limit: 0).isEmpty)
        #expect(try store.deleteDecisions(before: 200) == 2)
        #expect(try store.decisions(group: "b").isEmpty)
    }

    @Test func decisionsMigrationAppliesAfterTheInventoryOnAnExistingFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("v2.sqlite")
        do {
            // A file as the schema stood before the decisions table.
            let v2 = try DatabaseQueue(path: path)
            try MetricStore.migrator.migrate(v2, upTo: "v2-actuator-inventory")
            try v2.write { db in
                try db.execute(sql: "INSERT INTO series (id, key, metric, grp, axis, step) VALUES (1, 'web/cpu', 'cpu', 'web', 'time', 60)")
            }
        }
        let store = try MetricStore(path: path)
        #expect(try store.appliedMigrations().suffix(8) == ["v2-actuator-inventory", "v3-actuator-decisions", "v4-shadows-state-group-indexes",
                                                            "v5-actuator-state", "v6-routing-state", "v7-activation-size", "v8-leases", "v9-host-status"])
        #expect(try store.series(key: "web/cpu") != nil)
        try store.insert(decisions: [("web", 60, "{}")])
        #expect(try store.decisions(group: "web").map(\.time) == [60])
    }

    @Test("state documents are stored with the decisions in one transaction, replaced by name; a file from before gains the table")
    func stateDocuments() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("v4.sqlite")
        do {
            let v4 = try DatabaseQueue(path: path)
            try MetricStore.migrator.migrate(v4, upTo: "v4-shadows-state-group-indexes")
        }
        let store = try MetricStore(path: path)
        #expect(try store.state(named: "sizing") == nil)
        try store.insert(decisions: [("web", 60, "{}")], states: [StoredState(name: "sizing", version: 1, time: 60, json: "{\"a\":1}")])
        try store.insert(decisions: [("web", 120, "{}")], states: [StoredState(name: "sizing", version: 2, time: 120, json: "{}")])
        #expect(try store.state(named: "sizing") == StoredState(name: "sizing", version: 2, time: 120, json: "{}"))
        // One transaction: a failing decision row (NULL group) leaves the state as it was.
        #expect(throws: MetricStoreError.self) {
            try store.write("test") { db in
                try db.execute(sql: "CREATE TEMP TRIGGER refuse BEFORE INSERT ON decisions WHEN NEW.ts = 180 BEGIN SELECT RAISE(ABORT, 'refused'); END")
            }
            try store.insert(decisions: [("web", 180, "{}")], states: [StoredState(name: "sizing", version: 3, time: 180, json: "{}")])
        }
        #expect(try store.state(named: "sizing")?.time == 120)
        try store.save(states: [StoredState(name: "other", version: 1, time: 5, json: "[]")])
        #expect(try store.state(named: "other")?.json == "[]" && store.decisions(group: "web", limit: 10).count == 2)
    }
}
