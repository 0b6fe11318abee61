import Foundation
import GRDB
import GRDBSQLite
import TimeSeries

/// What the store knows about one series, without its samples.
public struct SeriesInfo: Sendable, Hashable {
    public var key: String
    public var metric: String?
    public var group: String?
    public var axis: TimeAxis
    public var step: Int64
    /// Stored (non-missing) samples.
    public var sampleCount: Int
    /// Position of the first stored sample, nil when there is none.
    public var first: Int64?
    /// Position of the last stored sample, nil when there is none.
    public var last: Int64?
}

/// One stored observation at a grid position.
public struct Sample: Sendable, Hashable {
    public var ts: Int64
    public var value: Double

    public init(ts: Int64, value: Double) {
        self.ts = ts
        self.value = value
    }
}

extension MetricStore {
    /// The most grid positions one read rebuilds (8 bytes each): guards against a sparse range
    /// (two samples years apart at one-second steps) allocating without bound.
    package static let maximumReadPositions = 200_000_000

    /// Writes the series and their samples in ONE transaction: on any failure nothing is written.
    ///
    /// Re-ingesting a (series, ts) that is already stored REPLACES its value (later series in
    /// the array win within one call). NaN values are missing and are skipped, so they never
    /// overwrite a stored value. A series already stored must keep its axis, step and grid
    /// alignment; a non-nil metric or group updates the stored one.
    /// - Returns: the number of samples written.
    @discardableResult
    public func insert(_ series: [Series]) throws(MetricStoreError) -> Int {
        for s in series { try Self.validate(s) }
        var learnt: (entries: [String: SeriesIDCache.Entry], generation: Int) = ([:], 0)
        let written = try writeWithoutForeignKeyChecks("cannot insert series") { db in
            var known = try seriesIDs.snapshot(db)
            let written = try Self.writeSeries(series, db, known: &known.entries)
            learnt = known
            return written
        }
        seriesIDs.adopt(learnt.entries, generation: learnt.generation)
        return written
    }

    /// Writes series and events together in ONE transaction (what `psm ingest` loads from its
    /// files): on any failure neither is written. Same rules as `insert(_:)` and `insert(events:)`.
    /// - Returns: the number of samples written.
    @discardableResult
    package func ingest(_ series: [Series], events: [Event],
                       createdAt: Int64 = Int64(Date().timeIntervalSince1970)) throws(MetricStoreError) -> Int {
        for s in series { try Self.validate(s) }
        for event in events { try Self.validate(event) }
        let encoded = try Self.encode(events)
        // It may relabel series the cache knows.
        defer { seriesIDs.clear() }
        return try writeWithoutForeignKeyChecks("cannot ingest series and events") { db in
            var known: [String: SeriesIDCache.Entry] = [:]
            let written = try Self.writeSeries(series, db, known: &known)
            _ = try Self.writeEvents(events, encoded, createdAt: createdAt, db)
            return written
        }
    }

    /// Metadata of every stored series, sorted by key.
    public func listSeries() throws(MetricStoreError) -> [SeriesInfo] {
        try read("cannot list series") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.key, s.metric, s.grp, s.axis, s.step,
                       (SELECT count(*) FROM samples WHERE series = s.id) AS n,
                       (SELECT min(ts) FROM samples WHERE series = s.id) AS first,
                       (SELECT max(ts) FROM samples WHERE series = s.id) AS last
                FROM series s ORDER BY s.key
                """)
            return try rows.map { row in
                let key: String = row["key"]
                return SeriesInfo(key: key, metric: row["metric"], group: row["grp"],
                                  axis: try Self.axis(row["axis"], key: key), step: row["step"],
                                  sampleCount: row["n"], first: row["first"], last: row["last"])
            }
        }
    }

    /// The series `key` on its grid from the first to the last stored sample in `from..<to`
    /// (either bound may be nil = open), with NaN at missing positions; nil for an unknown key.
    ///
    /// A known series with no sample in the range comes back with an empty grid.
    public func series(key: String, from: Int64?, to: Int64?) throws(MetricStoreError) -> Series? {
        try read("cannot read series \(key)") { db -> Series? in
            guard let meta = try Row.fetchOne(db, sql: "SELECT id, metric, grp, axis, step FROM series WHERE key = ?",
                                              arguments: [key])
            else { return nil }
            let id: Int64 = meta["id"]
            let step: Int64 = meta["step"]
            let axis = try Self.axis(meta["axis"], key: key)
            let statement = try db.cachedStatement(sql: """
                SELECT ts, value FROM samples WHERE series = ? AND ts >= ? AND ts < ? ORDER BY ts
                """)
            let raw = statement.sqliteStatement
            defer { sqlite3_reset(raw) }
            sqlite3_bind_int64(raw, 1, id)
            sqlite3_bind_int64(raw, 2, from ?? Int64.min)
            sqlite3_bind_int64(raw, 3, to ?? Int64.max)
            var positions: [Int64] = []
            var values: [Double] = []
            while true {
                let rc = sqlite3_step(raw)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw Self.stepError(rc, db) }
                positions.append(sqlite3_column_int64(raw, 0))
                values.append(sqlite3_column_double(raw, 1))
            }
            guard let first = positions.first, let last = positions.last else {
                return Series(id: key, grid: TimeGrid(axis: axis, start: from ?? 0, step: step, count: 0), values: [],
                              metric: meta["metric"], group: meta["grp"])
            }
            let span = (last - first) / step
            guard span < Self.maximumReadPositions else {
                throw MetricStoreError(.rangeTooLarge, "series \(key) spans \(span + 1) grid positions from \(first) to \(last); read a narrower range")
            }
            var grid = [Double](repeating: .nan, count: Int(span) + 1)
            for (ts, value) in zip(positions, values) {
                let offset = ts - first
                guard offset % step == 0 else {
                    throw MetricStoreError(.corruptData, "series \(key) has a sample at \(ts), off its grid of step \(step) from \(first)")
                }
                grid[Int(offset / step)] = value
            }
            return Series(id: key, grid: TimeGrid(axis: axis, start: first, step: step, count: grid.count), values: grid,
                          metric: meta["metric"], group: meta["grp"])
        }
    }

    /// The last stored sample of series `key`, nil when the key is unknown or has no sample.
    public func latest(key: String) throws(MetricStoreError) -> Sample? {
        try read("cannot read the latest sample of \(key)") { db in
            try Row.fetchOne(db, sql: """
                SELECT ts, value FROM samples
                WHERE series = (SELECT id FROM series WHERE key = ?) ORDER BY ts DESC LIMIT 1
                """, arguments: [key]).map { Sample(ts: $0["ts"], value: $0["value"]) }
        }
    }

    /// Deletes series `key` and all its samples; returns whether it existed.
    @discardableResult
    package func deleteSeries(key: String) throws(MetricStoreError) -> Bool {
        defer { seriesIDs.clear() }
        return try write("cannot delete series \(key)") { db in
            // Samples go by ON DELETE CASCADE.
            try db.execute(sql: "DELETE FROM series WHERE key = ?", arguments: [key])
            return db.changesCount > 0
        }
    }

    /// Deletes the samples of series `keys` older than `before` (a retention policy); returns
    /// how many were removed. The series themselves stay.
    @discardableResult
    public func deleteSamples(keys: [String], before: Int64) throws(MetricStoreError) -> Int {
        guard !keys.isEmpty else { return 0 }
        // A series left without samples accepts any grid origin again: forget the anchors.
        defer { seriesIDs.clear() }
        return try write("cannot expire samples") { db in
            var removed = 0
            // One statement per 500 keys (SQLite's bound-parameter limit is far above; the
            // statement cache keeps the two shapes a run uses).
            var start = keys.startIndex
            while start < keys.endIndex {
                let chunk = keys[start..<min(start + 500, keys.endIndex)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                try db.execute(sql: "DELETE FROM samples WHERE ts < ? AND series IN (SELECT id FROM series WHERE key IN (\(marks)))",
                               arguments: StatementArguments([before] + chunk.map { $0 as any DatabaseValueConvertible }))
                removed += db.changesCount
                start = chunk.endIndex
            }
            return removed
        }
    }

    // MARK: - Insert internals

    /// Writes `series`; `known` holds what is known of stored series (from `SeriesIDCache`) and
    /// comes back with what this write learnt.
    static func writeSeries(_ series: [Series], _ db: Database, known: inout [String: SeriesIDCache.Entry]) throws -> Int {
        var ids: [Int64] = []
        ids.reserveCapacity(series.count)
        for s in series { ids.append(try resolveID(of: s, db, known: &known)) }
        // Key order of the WITHOUT ROWID table: each series' rows land contiguously.
        let order = ids.indices.sorted { (ids[$0], $0) < (ids[$1], $1) }
        var written = 0
        for i in order {
            written += try insertSamples(of: series[i], id: ids[i], db)
        }
        return written
    }

    /// Runs `body` in one transaction with foreign-key enforcement off, then turns it back on.
    ///
    /// Enforcement costs a parent lookup per sample row (measured ~40 % of bulk-insert time,
    /// docs/benchmarks.md). The bulk path only writes series ids it resolved or created in the
    /// same transaction, so the constraint holds by construction; every other write keeps it on.
    private func writeWithoutForeignKeyChecks<T>(_ what: String, _ body: (Database) throws -> T) throws(MetricStoreError) -> T {
        do {
            return try writer.writeWithoutTransaction { db in
                // The pragma is a no-op inside a transaction, so it is set around it.
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .commit
                }
                guard let result else { throw MetricStoreError(.sqlite, "\(what): the transaction produced no result") }
                return result
            }
        } catch {
            throw MetricStoreError.wrap(error, what, path: path)
        }
    }

    public static func validate(_ s: Series) throws(MetricStoreError) {
        guard !s.id.isEmpty else { throw MetricStoreError(.invalidSeries, "a series id cannot be empty") }
        guard s.values.count == s.grid.count else {
            throw MetricStoreError(.invalidSeries, "series \(s.id) has \(s.values.count) values for \(s.grid.count) grid positions")
        }
        // The last position must be representable: positions are computed by adding steps.
        let (span, spanOverflow) = s.grid.step.multipliedReportingOverflow(by: Int64(max(s.grid.count - 1, 0)))
        let (_, endOverflow) = s.grid.start.addingReportingOverflow(span)
        guard !spanOverflow, !endOverflow else {
            throw MetricStoreError(.invalidSeries, "series \(s.id) grid runs past the 64-bit range")
        }
    }

    /// The id of the stored series `s`, creating it or checking that it is compatible.
    private static func resolveID(of s: Series, _ db: Database, known: inout [String: SeriesIDCache.Entry]) throws -> Int64 {
        let axisName = s.grid.axis.rawValue
        // What a previous write learnt, when it says the same as the checks below would.
        if var entry = known[s.id], entry.axis == axisName, entry.step == s.grid.step,
           s.metric == nil || s.metric == entry.metric, s.group == nil || s.group == entry.group {
            if s.grid.count == 0 { return entry.id }
            if let anchor = entry.anchor {
                let (d, overflow) = s.grid.start.subtractingReportingOverflow(anchor)
                if !overflow, d % entry.step == 0 { return entry.id }
            } else {
                entry.anchor = s.grid.start
                known[s.id] = entry
                return entry.id
            }
        }
        // Cached statements: the collector writes thousands of one-sample series per interval.
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, axis, step, metric, grp FROM series WHERE key = ?"),
                                         arguments: [s.id]) else {
            try db.cachedStatement(sql: "INSERT INTO series (key, metric, grp, axis, step) VALUES (?, ?, ?, ?, ?)")
                .execute(arguments: [s.id, s.metric, s.group, axisName, s.grid.step])
            let id = db.lastInsertedRowID
            known[s.id] = .init(id: id, axis: axisName, step: s.grid.step, metric: s.metric, group: s.group,
                                anchor: s.grid.count > 0 ? s.grid.start : nil)
            return id
        }
        let id: Int64 = row["id"]
        let axis: String = row["axis"]
        let step: Int64 = row["step"]
        guard axis == s.grid.axis.rawValue, step == s.grid.step else {
            throw MetricStoreError(.incompatibleSeries, "series \(s.id) is stored with axis \(axis) and step \(step); got axis \(s.grid.axis.rawValue) and step \(s.grid.step)")
        }
        var anchor: Int64?
        if s.grid.count > 0 {
            if let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT ts FROM samples WHERE series = ? LIMIT 1"), arguments: [id]) {
                let (d, overflow) = s.grid.start.subtractingReportingOverflow(stored)
                guard !overflow, d % step == 0 else {
                    throw MetricStoreError(.incompatibleSeries, "series \(s.id) starts at \(s.grid.start), off the stored grid (sample at \(stored), step \(step))")
                }
                anchor = stored
            } else {
                anchor = s.grid.start
            }
        }
        var metric: String? = row["metric"], group: String? = row["grp"]
        if (s.metric != nil && s.metric != metric) || (s.group != nil && s.group != group) {
            try db.cachedStatement(sql: "UPDATE series SET metric = coalesce(?, metric), grp = coalesce(?, grp) WHERE id = ?")
                .execute(arguments: [s.metric, s.group, id])
            metric = s.metric ?? metric
            group = s.group ?? group
        }
        known[s.id] = .init(id: id, axis: axis, step: step, metric: metric, group: group, anchor: anchor)
        return id
    }

    /// Rows per multi-row INSERT: one `sqlite3_step` per 100 rows instead of per row measured
    /// about 2× faster; past ~64 rows the gain flattens (docs/benchmarks.md).
    static let rowsPerStatement = 100
    static let insertOneSQL = "INSERT OR REPLACE INTO samples (series, ts, value) VALUES (?, ?, ?)"
    static let insertManySQL = "INSERT OR REPLACE INTO samples (series, ts, value) VALUES "
        + Array(repeating: "(?, ?, ?)", count: rowsPerStatement).joined(separator: ", ")

    /// Binds and steps prepared statements through the C API: building GRDB `StatementArguments`
    /// per row measured 3× slower (docs/benchmarks.md).
    private static func insertSamples(of s: Series, id: Int64, _ db: Database) throws -> Int {
        let many = try db.cachedStatement(sql: insertManySQL).sqliteStatement
        let one = try db.cachedStatement(sql: insertOneSQL).sqliteStatement
        defer {
            sqlite3_reset(many)
            sqlite3_reset(one)
        }
        let k = rowsPerStatement
        var pendingTs = [Int64](repeating: 0, count: k)
        var pendingValues = [Double](repeating: 0, count: k)
        var pending = 0
        var written = 0
        let step = s.grid.step
        var ts = s.grid.start
        for (i, value) in s.values.enumerated() {
            if i > 0 { ts &+= step } // validated not to overflow
            if value.isNaN { continue }
            pendingTs[pending] = ts
            pendingValues[pending] = value
            pending += 1
            guard pending == k else { continue }
            for r in 0..<k {
                let p = Int32(3 * r)
                sqlite3_bind_int64(many, p + 1, id)
                sqlite3_bind_int64(many, p + 2, pendingTs[r])
                sqlite3_bind_double(many, p + 3, pendingValues[r])
            }
            let rc = sqlite3_step(many)
            guard rc == SQLITE_DONE else { throw stepError(rc, db) }
            sqlite3_reset(many)
            written += k
            pending = 0
        }
        for r in 0..<pending {
            sqlite3_bind_int64(one, 1, id)
            sqlite3_bind_int64(one, 2, pendingTs[r])
            sqlite3_bind_double(one, 3, pendingValues[r])
            let rc = sqlite3_step(one)
            guard rc == SQLITE_DONE else { throw stepError(rc, db) }
            sqlite3_reset(one)
            written += 1
        }
        return written
    }

    /// The error of a failed `sqlite3_step`, read before the statement is reset.
    static func stepError(_ rc: Int32, _ db: Database) -> DatabaseError {
        let code = db.sqliteConnection.map { sqlite3_extended_errcode($0) } ?? rc
        let message = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }

    static func axis(_ text: String, key: String) throws -> TimeAxis {
        guard let axis = TimeAxis(rawValue: text) else {
            throw MetricStoreError(.corruptData, "series \(key) has an unknown axis '\(text)'")
        }
        return axis
    }
}
