@testable import MetricStore
import Testing
import TimeSeries

/// `SeriesIDCache`: the collector's one-sample-per-series writes skip the per-series lookups, and
/// what the cache remembers never makes a write differ from one without it.
@Suite struct SeriesIDCacheTests {
    static func one(_ key: String, at time: Int64, _ value: Double, step: Int64 = 60, metric: String? = "cpu", group: String? = "web") -> Series {
        Series(id: key, grid: TimeGrid(axis: .time, start: time, step: step, count: 1), values: [value], metric: metric, group: group)
    }

    @Test func repeatedOneSampleWritesLandOnTheirSeries() throws {
        let store = try MetricStore.inMemory()
        for i in 0..<5 {
            try store.insert([Self.one("vm/a/cpu", at: Int64(i) * 60, Double(i)), Self.one("vm/b/cpu", at: Int64(i) * 60, Double(10 + i))])
        }
        #expect(try store.series(key: "vm/a/cpu")?.values == [0, 1, 2, 3, 4])
        #expect(try store.series(key: "vm/b/cpu")?.values == [10, 11, 12, 13, 14])
    }

    @Test func aCachedSeriesStillRefusesAnOffGridStartAndAnotherStep() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Self.one("k", at: 0, 1)])
        try store.insert([Self.one("k", at: 60, 2)])   // cached now
        #expect(throws: MetricStoreError.self) { try store.insert([Self.one("k", at: 90, 3)]) }
        #expect(throws: MetricStoreError.self) { try store.insert([Self.one("k", at: 120, 3, step: 30)]) }
        #expect(try store.series(key: "k")?.values == [1, 2])
    }

    @Test func aNewLabelIsStoredEvenWhenTheIdIsCached() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Self.one("k", at: 0, 1, group: "web")])
        try store.insert([Self.one("k", at: 60, 2, group: "api")])
        #expect(try store.listSeries().first { $0.key == "k" }?.group == "api")
    }

    @Test func aSeriesDeletedByAnotherConnectionIsCreatedAgainNotWrittenUnderItsOldId() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanup() }
        let collector = try MetricStore(path: dir.path("s.sqlite"))
        let other = try MetricStore(path: dir.path("s.sqlite"))
        try collector.insert([Self.one("k", at: 0, 1), Self.one("keep", at: 0, 5)])
        try collector.insert([Self.one("k", at: 60, 2)])             // "k" is cached
        #expect(try other.deleteSeries(key: "k"))
        try collector.insert([Self.one("k", at: 120, 3)])
        #expect(try collector.series(key: "k")?.values == [3])
        #expect(try other.series(key: "k")?.values == [3])
    }

    @Test func aDeleteThroughTheSameStoreForgetsTheIds() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Self.one("k", at: 0, 1)])
        try store.insert([Self.one("k", at: 60, 2)])
        #expect(try store.deleteSeries(key: "k"))
        try store.insert([Self.one("k", at: 90, 3)])                 // any origin is fine for a new series
        #expect(try store.series(key: "k")?.values == [3])
    }

    @Test func aFailedWriteTeachesTheCacheNothing() throws {
        let store = try MetricStore.inMemory()
        try store.insert([Self.one("old", at: 0, 1)])
        // "new" is created inside a transaction that then fails on "old"'s grid: rolled back.
        #expect(throws: MetricStoreError.self) { try store.insert([Self.one("new", at: 0, 1), Self.one("old", at: 30, 2)]) }
        #expect(try store.series(key: "new") == nil)
        try store.insert([Self.one("new", at: 0, 7)])
        #expect(try store.series(key: "new")?.values == [7])
    }
}
