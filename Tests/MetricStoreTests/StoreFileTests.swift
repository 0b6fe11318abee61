import Synchronization
import Foundation
import GRDB
import MetricStore
import Testing
import TimeSeries

@Suite struct StoreFileTests {
    @Test func aFileBackedStoreRunsInWALMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("wal.sqlite"))
        #expect(try store.journalMode() == "wal")
        // Another connection reads the mode from the file itself, not from our settings.
        let probe = try DatabaseQueue(path: dir.path("wal.sqlite"))
        #expect(try probe.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try probe.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") } == true)
    }

    @Test func durabilityChoosesSynchronousNormalOrFull() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        #expect(try MetricStore(path: dir.path("default.sqlite")).synchronousLevel() == 2)
        #expect(try MetricStore(path: dir.path("normal.sqlite"), durability: .process).synchronousLevel() == 1)
        #expect(try MetricStore(path: dir.path("full.sqlite"), durability: .powerLoss).synchronousLevel() == 2)
    }

    @Test func reopeningAnExistingFileKeepsDataAndAppliesMigrationsOnce() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("reopen.sqlite")
        let grid = TimeGrid(axis: .time, start: 60, step: 60, count: 3)
        do {
            let store = try MetricStore(path: path)
            try store.insert([Series(id: "k", grid: grid, values: [1, .nan, 3])])
            try store.insert(events: [Event(name: "sale", kind: .promotion, start: 0, end: 10)], createdAt: 5)
        }
        var migrations: [[String]] = []
        for _ in 0..<2 {
            let store = try MetricStore(path: path)
            migrations.append(try store.appliedMigrations())
            #expect(try store.listSeries().map(\.key) == ["k"])
            #expect(sameValues(try store.series(key: "k")?.values ?? [], [1, .nan, 3]))
            #expect(try store.events().count == 1)
        }
        #expect(migrations[0] == migrations[1])
        #expect(migrations[0] == ["v1-series-samples-events", "v2-actuator-inventory", "v3-actuator-decisions",
                                  "v4-shadows-state-group-indexes", "v5-actuator-state", "v6-routing-state", "v7-activation-size",
                                  "v8-leases", "v9-host-status"])
        let probe = try DatabaseQueue(path: path)
        let tables = try probe.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'grdb%' ORDER BY name")
        }
        #expect(tables == ["activations", "actuator_state", "decisions", "events", "hosts", "leases", "reservations", "routes", "samples", "series", "shadows"])
    }

    @Test func openingInAMissingDirectoryFailsWithCodeAndPath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("no/such/dir/store.sqlite")
        let error = #expect(throws: MetricStoreError.self) { try MetricStore(path: path) }
        #expect(error?.code == .cannotOpen)
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect(error?.message.contains("does not exist") == true)
    }

    @Test func openingAFileThatIsNotADatabaseFailsWithCodeAndPath() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("garbage.sqlite")
        var bytes = [UInt8](repeating: 0, count: 8192)
        for i in bytes.indices { bytes[i] = UInt8((i * 131 + 7) % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: MetricStoreError.self) { try MetricStore(path: path) }
        #expect(error?.code == .notADatabase)
        #expect(error?.path == path)
        #expect(error?.description.contains(path) == true)
        #expect((error?.cause as? DatabaseError)?.resultCode == .SQLITE_NOTADB)
    }

    @Test func readersSeeOnlyCommittedDataWhileAnotherConnectionHoldsAWriteTransaction() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("concurrent.sqlite")
        let store = try MetricStore(path: path)
        try store.insert([Series(id: "c", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 3), values: [1, 2, 3])])
        let writer = try DatabaseQueue(path: path)
        try writer.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "INSERT INTO samples (series, ts, value) SELECT id, 3, 4 FROM series WHERE key = 'c'")
            // The write lock is held and the row is uncommitted: reads neither block nor see it.
            #expect(try store.series(key: "c")?.values == [1, 2, 3])
            #expect(try store.latest(key: "c") == Sample(ts: 2, value: 3))
            try db.execute(sql: "COMMIT")
        }
        #expect(try store.series(key: "c")?.values == [1, 2, 3, 4])
    }

    @Test func concurrentReadsDuringABulkInsertSeeAllOrNothing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let store = try MetricStore(path: dir.path("bulk.sqlite"))
        let batch = (0..<100).map { syntheticSeries($0, points: 5_000) }
        let total = 100 * 5_000
        // A plain thread, not a Task: the reader below spins, and on a 2-thread cooperative pool
        // shared with other suites a Task might never get to run.
        let written = Mutex<Result<Int, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let result = Result { try store.insert(batch) }
            written.withLock { $0 = result }
            done.signal()
        }
        var observed: Set<Int> = []
        var readsDuringInsert = 0
        // Bounded so a failed insert ends the test instead of hanging it.
        let deadline = ContinuousClock.now + .seconds(120)
        repeat {
            let count = try store.listSeries().reduce(0) { $0 + $1.sampleCount }
            observed.insert(count)
            readsDuringInsert += 1
        } while !observed.contains(total) && ContinuousClock.now < deadline
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(try written.withLock { try $0?.get() } == total)
        #expect(observed.contains(total))
        // Every snapshot a reader saw was before or after the single commit, never in between.
        #expect(observed.isSubset(of: [0, total]))
        #expect(readsDuringInsert >= 1)
    }
}
