import TimeSeries

/// Averages collector samples (every few seconds) into one value per model interval per series,
/// handing back each interval once a later one starts: what the store keeps and training reads.
struct Downsampler: Sendable {
    struct Key: Hashable, Sendable {
        var id: String
        var metric: String
        var group: String?
    }
    private struct Bucket: Sendable {
        var start: Int64
        var sum: Double
        var count: Int
    }
    let interval: Int64
    private var open: [Key: Bucket] = [:]

    init(interval: Int64) { self.interval = interval }

    /// Adds one sample; returns the series of any interval of `key` that `time` closes.
    mutating func add(_ key: Key, value: Double, at time: Int64) -> Series? {
        let start = time - ((time % interval) + interval) % interval
        guard let bucket = open[key] else {
            open[key] = Bucket(start: start, sum: value, count: 1)
            return nil
        }
        if bucket.start == start {
            open[key]?.sum += value
            open[key]?.count += 1
            return nil
        }
        open[key] = Bucket(start: start, sum: value, count: 1)
        // A sample from an earlier interval than the open one (a clock step back) restarts the
        // bucket and writes nothing: the interval it would land in may already be stored.
        guard start > bucket.start else { return nil }
        return Series(id: key.id, grid: TimeGrid(axis: .time, start: bucket.start, step: interval, count: 1),
                      values: [bucket.sum / Double(bucket.count)], metric: key.metric, group: key.group)
    }
}
