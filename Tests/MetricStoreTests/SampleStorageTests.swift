import Foundation
import GRDB
import MetricStore
import Testing
import TimeSeries

@Suite struct SampleStorageTests {
    @Test func timeSeriesRoundTripsWithGapsAsNaN() throws {
        let store = try MetricStore.inMemory()
        let values: [Double] = [1.5, .nan, .nan, 4.25, -3, .nan, 7]
        let grid = TimeGrid(axis: .time, start: 1_700_000_100, step: 60, count: values.count)
        let written = try store.insert([Series(id: "web-1/cpu", grid: grid, values: values, metric: "cpu", group: "web")])
        #expect(written == 4)

        let back = try #require(try store.series(key: "web-1/cpu"))
        #expect(back.grid == grid)
        #expect(sameValues(back.values, values))
        #expect(back.metric == "cpu")
        #expect(back.group == "web")
    }

    @Test func longSeriesWithScatteredGapsRoundTripsAcrossMultiRowStatements() throws {
        let store = try MetricStore.inMemory()
        // 1037 points: not a multiple of the rows bound per statement, gaps on both sides of chunk edges.
        let values: [Double] = (0..<1037).map { (i: Int) -> Double in
            let missing = i % 7 == 3 || (195..<205).contains(i)
            return missing ? .nan : Double(i) * 0.5 - 100
        }
        let grid = TimeGrid(axis: .time, start: -3_000, step: 15, count: values.count)
        let expectedWritten = values.filter { !$0.isNaN }.count
        #expect(try store.insert([Series(id: "long", grid: grid, values: values)]) == expectedWritten)
        let back = try #require(try store.series(key: "long"))
        #expect(back.grid == grid)
        #expect(sameValues(back.values, values))
        // Re-ingesting the same series replaces every row and leaves the count unchanged.
        #expect(try store.insert([Series(id: "long", grid: grid, values: values.map { $0 + 1 })]) == expectedWritten)
        #expect(sameValues(try store.series(key: "long")?.values ?? [], values.map { $0 + 1 }))
        #expect(try store.listSeries().first?.sampleCount == expectedWritten)
    }

    @Test func leadingAndTrailingGapsAreNotStoredSoTheGridShrinksToStoredSamples() throws {
        let store = try MetricStore.inMemory()
        let grid = TimeGrid(axis: .time, start: 1000, step: 10, count: 5)
        try store.insert([Series(id: "a", grid: grid, values: [.nan, 2, .nan, 4, .nan])])
        let back = try #require(try store.series(key: "a"))
        #expect(back.grid == TimeGrid(axis: .time, start: 1010, step: 10, count: 3))
        #expect(sameValues(back.values, [2, .nan, 4]))
    }

    @Test func indexAxisSeriesRoundTrips() throws {
        let store = try MetricStore.inMemory()
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 4)
        try store.insert([Series(id: "nab", grid: grid, values: [10, 11, .nan, 13])])
        let back = try #require(try store.series(key: "nab"))
        #expect(back.grid.axis == .index)
        #expect(back.grid == grid)
        #expect(sameValues(back.values, [10, 11, .nan, 13]))
        #expect(back.metric == nil && back.group == nil)
    }

    @Test func rangeReadIsHalfOpenAndRebuiltOnTheGrid() throws {
        let store = try MetricStore.inMemory()
        let grid = TimeGrid(axis: .time, start: 0, step: 100, count: 10)
        try store.insert([Series(id: "r", grid: grid, values: (0..<10).map(Double.init))])
        let part = try #require(try store.series(key: "r", from: 250, to: 700))
        // Positions 300, 400, 500, 600 lie in [250, 700).
        #expect(part.grid == TimeGrid(axis: .time, start: 300, step: 100, count: 4))
        #expect(part.values == [3, 4, 5, 6])
        let empty = try #require(try store.series(key: "r", from: 5000))
        #expect(empty.count == 0)
        #expect(try store.series(key: "unknown") == nil)
    }

    @Test func reingestingReplacesValuesAndNaNNeverOverwrites() throws {
        let store = try MetricStore.inMemory()
        let first = TimeGrid(axis: .time, start: 0, step: 10, count: 4)
        try store.insert([Series(id: "u", grid: first, values: [1, 2, 3, 4])])
        // Overlaps positions 20 and 30, extends to 40 and 50; NaN at 30 keeps the stored 4.
        let second = TimeGrid(axis: .time, start: 20, step: 10, count: 4)
        try store.insert([Series(id: "u", grid: second, values: [30, .nan, 50, 60], metric: "tps")])
        let back = try #require(try store.series(key: "u"))
        #expect(back.grid == TimeGrid(axis: .time, start: 0, step: 10, count: 6))
        #expect(back.values == [1, 2, 30, 4, 50, 60])
        #expect(back.metric == "tps")
        let info = try #require(try store.listSeries().first)
        #expect(info.sampleCount == 6)
    }

    @Test func listSeriesReportsCountsAndBounds() throws {
        let store = try MetricStore.inMemory()
        try store.insert([
            Series(id: "b", grid: TimeGrid(axis: .time, start: 600, step: 300, count: 3), values: [1, .nan, 3], group: "g"),
            Series(id: "a", grid: TimeGrid(axis: .index, start: 5, step: 2, count: 2), values: [.nan, .nan]),
        ])
        let infos = try store.listSeries()
        #expect(infos.map(\.key) == ["a", "b"])
        #expect(infos[0].sampleCount == 0 && infos[0].first == nil && infos[0].last == nil)
        #expect(infos[0].axis == .index && infos[0].step == 2)
        #expect(infos[1].sampleCount == 2 && infos[1].first == 600 && infos[1].last == 1200)
        #expect(infos[1].group == "g" && infos[1].axis == .time && infos[1].step == 300)
    }

    @Test func latestReturnsTheLastStoredSample() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Series(id: "l", grid: TimeGrid(axis: .time, start: 0, step: 5, count: 4), values: [1, 2, 3, .nan])])
        #expect(try store.latest(key: "l") == Sample(ts: 10, value: 3))
        #expect(try store.latest(key: "missing") == nil)
    }

    @Test func deletingASeriesCascadesToItsSamplesAfterABulkInsert() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("cascade.sqlite")
        let store = try MetricStore(path: path)
        let grid = TimeGrid(axis: .time, start: 0, step: 1, count: 3)
        try store.insert([Series(id: "gone", grid: grid, values: [1, 2, 3]), Series(id: "stays", grid: grid, values: [4, 5, 6])])
        // The bulk path suspends foreign-key checks for its transaction; the cascade proves they are back on.
        #expect(try store.deleteSeries(key: "gone"))
        #expect(try !store.deleteSeries(key: "gone"))
        #expect(try store.listSeries().map(\.key) == ["stays"])
        let probe = try DatabaseQueue(path: path)
        #expect(try probe.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM samples") } == 3)
    }

    @Test func aFailingNthSampleInsertRollsBackTheWholeBatch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let path = dir.path("atomic.sqlite")
        let store = try MetricStore(path: path)
        try store.insert([Series(id: "kept", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 2), values: [1, 2])])
        // A trigger that aborts one specific row: the failure happens deep inside the batch,
        // after the first series and part of the second were written in the same transaction.
        let other = try DatabaseQueue(path: path)
        try other.write { db in
            try db.execute(sql: """
                CREATE TRIGGER fail_nth BEFORE INSERT ON samples WHEN NEW.ts = 1500
                BEGIN SELECT RAISE(ABORT, 'injected failure'); END
                """)
        }
        try other.close()
        let batch = [
            Series(id: "kept", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 2), values: [100, 200]),
            Series(id: "x", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 1000), values: Array(repeating: 1, count: 1000)),
            Series(id: "y", grid: TimeGrid(axis: .time, start: 1000, step: 1, count: 1000), values: Array(repeating: 2, count: 1000)),
        ]
        let error = #expect(throws: MetricStoreError.self) { try store.insert(batch) }
        #expect(error?.code == .sqlite)
        #expect(error?.message.contains("injected failure") == true)
        #expect(try store.listSeries().map(\.key) == ["kept"])
        #expect(try store.series(key: "kept")?.values == [1, 2])
    }

    @Test func anIncompatibleSeriesRollsBackEarlierSeriesOfTheBatch() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Series(id: "s", grid: TimeGrid(axis: .time, start: 0, step: 60, count: 1), values: [1])])
        let error = #expect(throws: MetricStoreError.self) {
            try store.insert([
                Series(id: "new", grid: TimeGrid(axis: .time, start: 0, step: 60, count: 1), values: [5]),
                Series(id: "s", grid: TimeGrid(axis: .time, start: 0, step: 30, count: 1), values: [2]),
            ])
        }
        #expect(error?.code == .incompatibleSeries)
        #expect(try store.listSeries().map(\.key) == ["s"])

        let misaligned = #expect(throws: MetricStoreError.self) {
            try store.insert([Series(id: "s", grid: TimeGrid(axis: .time, start: 15, step: 60, count: 1), values: [2])])
        }
        #expect(misaligned?.code == .incompatibleSeries)
    }

    @Test func ingestWritesSeriesAndEventsTogetherOrNeither() throws {
        let store = try MetricStore.inMemory()
        let grid = TimeGrid(axis: .time, start: 0, step: 60, count: 2)
        let sale = Event(name: "sale", kind: .promotion, start: 0, end: 60, scope: .groups(["web"]))
        #expect(try store.ingest([Series(id: "w", grid: grid, values: [1, .nan], group: "web")], events: [sale], createdAt: 7) == 1)
        #expect(try store.events().map(\.event) == [sale])

        // The second series conflicts with the stored step: the batch's events must not land either.
        let error = #expect(throws: MetricStoreError.self) {
            try store.ingest([Series(id: "v", grid: grid, values: [3, 4]),
                              Series(id: "w", grid: TimeGrid(axis: .time, start: 0, step: 30, count: 1), values: [2])],
                             events: [Event(name: "late", kind: .notice, start: 0, end: 1)], createdAt: 8)
        }
        #expect(error?.code == .incompatibleSeries)
        #expect(try store.events().map(\.event.name) == ["sale"])
        #expect(try store.listSeries().map(\.key) == ["w"])
    }

    @Test func malformedSeriesAreRejectedWithoutCrashing() throws {
        let store = try MetricStore.inMemory()
        let empty = #expect(throws: MetricStoreError.self) {
            try store.insert([Series(id: "", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 1), values: [1])])
        }
        #expect(empty?.code == .invalidSeries)
        var mutated = Series(id: "m", grid: TimeGrid(axis: .time, start: 0, step: 1, count: 2), values: [1, 2])
        mutated.values.append(3)
        let mismatch = #expect(throws: MetricStoreError.self) { try store.insert([mutated]) }
        #expect(mismatch?.code == .invalidSeries)
        let overflowing = Series(id: "o", grid: TimeGrid(axis: .time, start: .max - 5, step: 10, count: 2), values: [1, 2])
        let overflow = #expect(throws: MetricStoreError.self) { try store.insert([overflowing]) }
        #expect(overflow?.code == .invalidSeries)
        #expect(try store.listSeries().isEmpty)
    }
}
