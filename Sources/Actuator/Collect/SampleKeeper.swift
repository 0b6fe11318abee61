import MetricStore
import TimeSeries

/// What the collector and the scraper keep of their samples: each series averaged to the model
/// interval (`Downsampler`), written once an interval closes, and expired after `retention`
/// seconds — at most every max(interval, 600 s), since expiring scans every kept series.
struct SampleKeeper {
    let store: MetricStore
    let retention: Int64
    private var downsampler: Downsampler
    private var closed: [Series] = []
    private var keys: Set<String> = []
    private var lastExpiry: Int64?

    init(store: MetricStore, modelInterval: Int64, retention: Int64) {
        self.store = store
        self.retention = retention
        downsampler = Downsampler(interval: modelInterval)
    }

    /// Adds one sample of series `id`.
    mutating func add(_ id: String, metric: String, group: String?, value: Double, at time: Int64) {
        if let series = downsampler.add(.init(id: id, metric: metric, group: group), value: value, at: time) {
            closed.append(series)
        }
    }

    /// Writes the intervals closed since the last call (one transaction) and, when due, expires
    /// old samples. Returns samples written and removed; on a store error nothing closed is kept.
    mutating func flush(now: Int64) throws(MetricStoreError) -> (written: Int, expired: Int) {
        guard !closed.isEmpty else { return (0, 0) }
        let series = closed
        closed = []
        let written = try store.insert(series)
        keys.formUnion(series.map(\.id))
        guard lastExpiry.map({ now - $0 >= max(downsampler.interval, 600) }) ?? true else { return (written, 0) }
        lastExpiry = now
        return (written, try store.deleteSamples(keys: keys.sorted(), before: now - retention))
    }
}
