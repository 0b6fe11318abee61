import MetricStore
import PostgresNIO
import TimeSeries

/// Collected samples (MetricStore+Samples' rules: one transaction per call, NaN skipped, a stored
/// (series, ts) replaced, axis, step and grid alignment checked against the stored series).
extension PostgresStore {
    @discardableResult
    public func insert(_ series: [Series]) throws(MetricStoreError) -> Int {
        for s in series { try MetricStore.validate(s) }
        guard !series.isEmpty else { return 0 }
        return try connector.run("cannot insert series") { s in
            // What is stored of these keys, in one round trip: id, axis, step, labels, one sample's ts.
            var known: [String: Entry] = [:]
            let keys = Array(Set(series.map(\.id)))
            for row in try s.query("""
                SELECT k.id, k.key, k.axis, k.step, k.metric, k.grp,
                       (SELECT ts FROM samples WHERE series = k.id LIMIT 1)
                FROM series k WHERE k.key = ANY(\(keys))
                """) {
                let (id, key, axis, step, metric, group, anchor) = try row.decode(
                    (Int64, String, String, Int64, String?, String?, Int64?).self)
                known[key] = Entry(id: id, axis: axis, step: step, metric: metric, group: group, anchor: anchor)
            }
            // Rows to write, keyed by (series, ts): a later series of the call wins.
            var rows: [SampleKey: Double] = [:]
            for one in series {
                let id = try Self.resolve(one, &known, s)
                var ts = one.grid.start
                for (i, value) in one.values.enumerated() {
                    if i > 0 { ts &+= one.grid.step }
                    if value.isNaN { continue }
                    rows[SampleKey(series: id, ts: ts)] = value
                }
            }
            guard !rows.isEmpty else { return 0 }
            let ordered = rows.sorted { ($0.key.series, $0.key.ts) < ($1.key.series, $1.key.ts) }
            try s.query("""
                INSERT INTO samples (series, ts, value)
                SELECT * FROM unnest(\(ordered.map(\.key.series)), \(ordered.map(\.key.ts)), \(ordered.map(\.value)))
                ON CONFLICT (series, ts) DO UPDATE SET value = excluded.value
                """)
            return ordered.count
        }
    }

    public func series(key: String, from: Int64?, to: Int64?) throws(MetricStoreError) -> Series? {
        try connector.run("cannot read series \(key)", transaction: false) { s -> Series? in
            guard let meta = try s.query("SELECT id, metric, grp, axis, step FROM series WHERE key = \(key)").first else { return nil }
            let (id, metric, group, axisText, step) = try meta.decode((Int64, String?, String?, String, Int64).self)
            guard let axis = TimeAxis(rawValue: axisText) else {
                throw MetricStoreError(.corruptData, "series \(key) has an unknown axis '\(axisText)'")
            }
            let rows = try s.query("""
                SELECT ts, value FROM samples WHERE series = \(id) AND ts >= \(from ?? Int64.min) AND ts < \(to ?? Int64.max) ORDER BY ts
                """)
            guard let firstRow = rows.rows.first, let lastRow = rows.rows.last else {
                return Series(id: key, grid: TimeGrid(axis: axis, start: from ?? 0, step: step, count: 0), values: [],
                              metric: metric, group: group)
            }
            let first = try firstRow.decode((Int64, Double).self).0
            let last = try lastRow.decode((Int64, Double).self).0
            let span = (last - first) / step
            guard span < MetricStore.maximumReadPositions else {
                throw MetricStoreError(.rangeTooLarge, "series \(key) spans \(span + 1) grid positions from \(first) to \(last); read a narrower range")
            }
            var grid = [Double](repeating: .nan, count: Int(span) + 1)
            for row in rows {
                let (ts, value) = try row.decode((Int64, Double).self)
                let offset = ts - first
                guard offset % step == 0 else {
                    throw MetricStoreError(.corruptData, "series \(key) has a sample at \(ts), off its grid of step \(step) from \(first)")
                }
                grid[Int(offset / step)] = value
            }
            return Series(id: key, grid: TimeGrid(axis: axis, start: first, step: step, count: grid.count), values: grid,
                          metric: metric, group: group)
        }
    }

    public func latest(key: String) throws(MetricStoreError) -> Sample? {
        try connector.run("cannot read the latest sample of \(key)", transaction: false) { s in
            try s.query("""
                SELECT ts, value FROM samples WHERE series = (SELECT id FROM series WHERE key = \(key)) ORDER BY ts DESC LIMIT 1
                """).first.map { row in
                let (ts, value) = try row.decode((Int64, Double).self)
                return Sample(ts: ts, value: value)
            }
        }
    }

    @discardableResult
    public func deleteSamples(keys: [String], before: Int64) throws(MetricStoreError) -> Int {
        guard !keys.isEmpty else { return 0 }
        return try connector.run("cannot expire samples") { s in
            try s.changes("""
                DELETE FROM samples WHERE ts < \(before) AND series IN (SELECT id FROM series WHERE key = ANY(\(keys)))
                """)
        }
    }

    struct Entry {
        var id: Int64
        var axis: String
        var step: Int64
        var metric: String?
        var group: String?
        /// A stored (or, within this call, written) sample's time: the grid every write must meet.
        var anchor: Int64?
    }

    struct SampleKey: Hashable {
        var series: Int64
        var ts: Int64
    }

    /// The id of the stored series `one`, created when new; checks axis, step and grid alignment
    /// and updates a changed metric or group, as MetricStore's resolveID does.
    private static func resolve(_ one: Series, _ known: inout [String: Entry], _ s: PostgresSession) throws -> Int64 {
        let axisName = one.grid.axis.rawValue
        guard var entry = known[one.id] else {
            guard let row = try s.query("""
                INSERT INTO series (key, metric, grp, axis, step) VALUES (\(one.id), \(one.metric), \(one.group), \(axisName), \(one.grid.step))
                RETURNING id
                """).first else { throw MetricStoreError(.postgres, "inserting series \(one.id) returned no id") }
            let id = try row.decode(Int64.self)
            known[one.id] = Entry(id: id, axis: axisName, step: one.grid.step, metric: one.metric, group: one.group,
                                  anchor: one.grid.count > 0 ? one.grid.start : nil)
            return id
        }
        guard entry.axis == axisName, entry.step == one.grid.step else {
            throw MetricStoreError(.incompatibleSeries, "series \(one.id) is stored with axis \(entry.axis) and step \(entry.step); got axis \(axisName) and step \(one.grid.step)")
        }
        if one.grid.count > 0 {
            if let anchor = entry.anchor {
                let (d, overflow) = one.grid.start.subtractingReportingOverflow(anchor)
                guard !overflow, d % entry.step == 0 else {
                    throw MetricStoreError(.incompatibleSeries, "series \(one.id) starts at \(one.grid.start), off the stored grid (sample at \(anchor), step \(entry.step))")
                }
            } else {
                entry.anchor = one.grid.start
            }
        }
        if (one.metric != nil && one.metric != entry.metric) || (one.group != nil && one.group != entry.group) {
            try s.query("UPDATE series SET metric = coalesce(\(one.metric), metric), grp = coalesce(\(one.group), grp) WHERE id = \(entry.id)")
            entry.metric = one.metric ?? entry.metric
            entry.group = one.group ?? entry.group
        }
        known[one.id] = entry
        return entry.id
    }
}
