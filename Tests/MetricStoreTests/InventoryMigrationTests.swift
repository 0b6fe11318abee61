import Foundation
import GRDB
@testable import MetricStore
import Testing
import TimeSeries

@Suite struct InventoryMigrationTests {
    @Test func inventoryMigrationAppliesToAnExistingV1FileWithoutDataLoss() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("v1.sqlite")
        // A file as the schema stood before the inventory: only the first migration.
        do {
            let v1 = try DatabaseQueue(path: path)
            try MetricStore.migrator.migrate(v1, upTo: "v1-series-samples-events")
            try v1.write { db in
                try db.execute(sql: "INSERT INTO series (id, key, metric, grp, axis, step) VALUES (1, 'web/cpu', 'cpu', 'web', 'time', 60)")
                try db.execute(sql: "INSERT INTO samples (series, ts, value) VALUES (1, 60, 1.5), (1, 120, 2.5), (1, 180, 3.5)")
                try db.execute(sql: """
                    INSERT INTO events (kind, name, start, "end", scope, created_at) VALUES ('promotion', 'sale', 0, 10, '{"all":{}}', 5)
                    """)
            }
            #expect(try v1.read { try MetricStore.migrator.appliedMigrations($0) } == ["v1-series-samples-events"])
        }
        let store = try MetricStore(path: path)
        #expect(try store.appliedMigrations() == ["v1-series-samples-events", "v2-actuator-inventory", "v3-actuator-decisions",
                                                  "v4-shadows-state-group-indexes", "v5-actuator-state", "v6-routing-state", "v7-activation-size",
                                                  "v8-leases", "v9-host-status"])
        let series = try #require(try store.series(key: "web/cpu"))
        #expect(series.values == [1.5, 2.5, 3.5] && series.grid.start == 60 && series.group == "web")
        #expect(try store.events().map(\.event.name) == ["sale"])
        // The new tables work on the migrated file.
        try store.upsertHost(HostRecord(name: "h1", uri: "test:///default", capacity: CapacityAmount(vcpus: 4, memoryMiB: 4_096, units: 10),
                                        updatedAt: 1))
        #expect(try store.hostAvailability("h1")?.free == CapacityAmount(vcpus: 4, memoryMiB: 4_096, units: 10))
    }
}
