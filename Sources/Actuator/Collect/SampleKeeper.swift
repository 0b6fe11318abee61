import Dispatch
import MetricStore
import TimeSeries

/// What the collector and the scraper keep of their samples: each series averaged to the model
/// interval (`Downsampler`), written once an interval closes, and expired after `retention`
/// seconds — at most every max(interval, 600 s), since expiring scans every kept series.
struct SampleKeeper {
    let store: any ActuatorStore
    let retention: Int64
    private var downsampler: Downsampler
    private var closed: [Series] = []
    private var keys: Set<String> = []
    private var lastExpiry: Int64?

    init(store: any ActuatorStore, modelInterval: Int64, retention: Int64) {
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

    /// What one write stores: the intervals closed since the last one and, when due, the keys
    /// whose old samples expire.
    struct Pending: Sendable {
        var series: [Series]
        var expire: (keys: [String], before: Int64)?
    }

    /// Takes the intervals closed since the last call (and decides whether retention is due);
    /// nil when there is nothing to write. What it takes is no longer kept here, so a failed write
    /// loses those samples rather than writing them twice.
    mutating func take(now: Int64) -> Pending? {
        guard !closed.isEmpty else { return nil }
        let series = closed
        closed = []
        keys.formUnion(series.map(\.id))
        guard lastExpiry.map({ now - $0 >= max(downsampler.interval, 600) }) ?? true else { return Pending(series: series) }
        lastExpiry = now
        return Pending(series: series, expire: (keys.sorted(), now - retention))
    }

    /// Writes `pending` (one transaction, then the expiry) on a thread of its own: the SQLite
    /// write of a collection (≈ 30–50 ms for 7,080 samples) never holds a thread of Swift's
    /// cooperative pool, which on a one-core host is the decision loop's only one
    /// (docs/benchmarks.md, "The decision cycle's start delay under collection").
    static func write(_ pending: Pending?, to store: any ActuatorStore) async throws(MetricStoreError) -> (written: Int, expired: Int) {
        guard let pending else { return (0, 0) }
        let result: Result<(written: Int, expired: Int), MetricStoreError> = await withCheckedContinuation { done in
            writer.async {
                do {
                    let written = try store.insert(pending.series)
                    let expired = try pending.expire.map { try store.deleteSamples(keys: $0.keys, before: $0.before) } ?? 0
                    done.resume(returning: .success((written, expired)))
                } catch let error as MetricStoreError {
                    done.resume(returning: .failure(error))
                } catch {
                    done.resume(returning: .failure(MetricStoreError(.sqlite, "\(error)")))
                }
            }
        }
        return try result.get()
    }

    /// The thread the collectors' and scrapers' writes run on (one at a time: SQLite has one writer anyway).
    private static let writer = DispatchQueue(label: "psm.sample-keeper.writer")
}
