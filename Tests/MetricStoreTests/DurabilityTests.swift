import GRDB
@testable import MetricStore
import Testing
import TimeSeries

/// A store opened for process-crash durability still commits events as power-loss durable.
@Suite struct DurabilityTests {
    struct Abort: Error {}

    @Test func aWriteCanAskForMoreThanTheStoreAndTheConnectionIsSetBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("process.sqlite"), durability: .process)
        #expect(store.durability == .process)
        let inside = try store.write("probe", durability: .powerLoss) { db in
            try Int.fetchOne(db, sql: "PRAGMA synchronous")
        }
        #expect(inside == 2)
        #expect(try store.synchronousLevel() == 1)
        let plain = try store.write("probe") { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(plain == 1)
        // Again: SQLite applies PRAGMA synchronous when it prepares the statement, so a cached
        // (prepared once) statement would leave every later durable write at NORMAL.
        let again = try store.write("probe", durability: .powerLoss) { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(again == 2)
        #expect(try store.synchronousLevel() == 1)
    }

    @Test func aFailedDurableWriteRollsBackAndSetsTheConnectionBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("rollback.sqlite"), durability: .process)
        #expect(throws: MetricStoreError.self) {
            _ = try store.write("half", durability: .powerLoss) { db in
                try MetricStore.writeEvents([Event(name: "sale", kind: .promotion, start: 0, end: 10)],
                                            try MetricStore.encode([Event(name: "sale", kind: .promotion, start: 0, end: 10)]),
                                            createdAt: 1, db)
                throw Abort()
            }
        }
        #expect(try store.events().isEmpty)
        #expect(try store.synchronousLevel() == 1)
        // The store still writes afterwards, and events keep their power-loss commit.
        try store.insert(events: [Event(name: "notice", kind: .notice, start: 0, end: 10)], createdAt: 2)
        #expect(try store.events().map(\.event.name) == ["notice"])
    }
}
