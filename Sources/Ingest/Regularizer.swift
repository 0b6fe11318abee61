import TimeSeries

/// Puts raw samples onto regular `TimeGrid`s.
///
/// Policy (documented in docs/ingest.md):
/// - Samples are sorted by (timestamp, line); each row that is earlier than a row above it of
///   the same series counts as out of order, with one `outOfOrder` warning per file.
/// - Step: `IngestOptions.step`, else the file's most common positive difference between
///   consecutive distinct timestamps of a series, pooled over all its series (ties → the smaller
///   one); for wide files, of the rows' timestamps (1 without a time column). One step per file keeps a wide file's columns, or a long file's series, on compatible
///   grids, and a series missing every other sample still gets the file's step. A series whose
///   own most common difference is not a multiple of the file's, or that ends up mostly gaps,
///   gets a `stepDiffers` warning (pass `IngestOptions.step` or split such files).
/// - Grid: from the first timestamp, every step, through the last; sample `t` falls in step
///   `floor((t - start) / step)`.
/// - Several samples in one step are combined by `IngestOptions.aggregation`. Equal timestamps
///   are duplicates (`duplicateTimestamp` warning per extra row); different timestamps in one
///   step are resampling (one `resampled` note per series).
/// - Steps without a sample are NaN and counted as gaps, then `IngestOptions.fill` may fill runs
///   up to its length (`gapsFilled` note per series). Regressors share the grid, aggregation and fill.
/// - A series with fewer than two distinct timestamps is skipped (`singlePoint` warning), as is
///   one whose grid would exceed `IngestOptions.maxGridLength` (`gridTooLong`).
struct Regularizer {
    let options: IngestOptions
    let axis: TimeAxis

    struct Output {
        var series: [Series] = []
        /// One array per regressor, parallel to `series`.
        var regressors: [[Series]] = []
        var duplicates = 0
        var outOfOrder = 0
        var resampled = 0
        var gaps = 0
        var filled = 0
        var skipped = 0
    }

    func run(_ input: [RawSeries], regressorCount: Int, rowPositions: [Int64]? = nil, log: inout DiagnosticLog) -> Output {
        var out = Output()
        out.regressors = Array(repeating: [], count: regressorCount)
        var firstOutOfOrderLine = Int.max
        var sorted: [RawSeries] = []
        var ownSteps: [Int64?] = []
        var pooled: [Int64: Int] = [:]
        for var raw in input where raw.count > 0 { // a column with no valid cell contributes nothing
            let (late, firstLate) = Regularizer.sort(&raw)
            out.outOfOrder += late
            if late > 0 { firstOutOfOrderLine = min(firstOutOfOrderLine, firstLate) }
            let histogram = Regularizer.differences(raw.positions)
            pooled.merge(histogram, uniquingKeysWith: +)
            ownSteps.append(Regularizer.mode(histogram))
            sorted.append(raw)
        }
        let fileStep = options.step ?? Regularizer.mode(rowPositions.map(Regularizer.differences) ?? pooled)
        for (raw, ownStep) in zip(sorted, ownSteps) {
            guard let step = fileStep, raw.positions.last != raw.positions.first else {
                out.skipped += 1
                let n = raw.count
                log.add(.singlePoint, .warning, line: Int(raw.lines[0]),
                        "series \(raw.id) has a single distinct timestamp (\(n) row\(n == 1 ? "" : "s")); skipped", series: raw.id)
                continue
            }
            let start = raw.positions[0]
            let span = raw.positions[raw.count - 1] - start
            let length = span / step + 1
            guard length <= Int64(options.maxGridLength) else {
                out.skipped += 1
                log.add(.gridTooLong, .error, line: Int(raw.lines[0]),
                        "series \(raw.id) would need \(length) steps of \(step) (limit \(options.maxGridLength)); skipped", series: raw.id)
                continue
            }
            let grid = TimeGrid(axis: axis, start: start, step: step, count: Int(length))
            var values = [Double](repeating: .nan, count: grid.count)
            var regressors = [[Double]](repeating: values, count: regressorCount)
            var duplicates = 0, resampled = 0
            var i = 0
            while i < raw.count {
                let bucket = Int((raw.positions[i] - start) / step)
                var j = i + 1
                while j < raw.count, (raw.positions[j] - start) / step == Int64(bucket) { j += 1 }
                for k in (i + 1)..<max(j, i + 1) {
                    if raw.positions[k] == raw.positions[k - 1] {
                        duplicates += 1
                        var first = k - 1
                        while first > i, raw.positions[first - 1] == raw.positions[k] { first -= 1 }
                        log.add(.duplicateTimestamp, .warning, line: Int(raw.lines[k]),
                                "duplicate timestamp for series \(raw.id) (first at line \(raw.lines[first])); combined by \(options.aggregation.rawValue)",
                                series: raw.id)
                    } else {
                        resampled += 1
                    }
                }
                values[bucket] = combine(raw.values, i..<j)
                for r in 0..<regressorCount { regressors[r][bucket] = combine(raw.regressors[r], i..<j) }
                i = j
            }
            if resampled > 0 {
                log.add(.resampled, .info, line: Int(raw.lines[0]),
                        "\(resampled) samples of series \(raw.id) shared a \(step)-unit step with another timestamp; combined by \(options.aggregation.rawValue)",
                        series: raw.id)
            }
            let gaps = values.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
            // Missing cells make a series' own interval a multiple of the file's: that is just gaps.
            // Warn when the intervals disagree in phase, or when the series is mostly gaps.
            if options.step == nil, let ownStep, ownStep != step, ownStep % step != 0 || 2 * gaps > values.count {
                log.add(.stepDiffers, .warning, line: Int(raw.lines[0]),
                        "series \(raw.id) is mostly sampled every \(ownStep), the file every \(step); it is put on the file's step (\(gaps) of \(values.count) steps empty)",
                        series: raw.id)
            }
            let filled = GapFiller.fill(&values, options.fill)
            for r in 0..<regressorCount { _ = GapFiller.fill(&regressors[r], options.fill) }
            if filled > 0 {
                log.add(.gapsFilled, .warning, line: Int(raw.lines[0]),
                        "\(filled) of \(gaps) missing steps of series \(raw.id) filled by \(options.fill)", series: raw.id)
            }
            out.duplicates += duplicates
            out.resampled += resampled
            out.gaps += gaps
            out.filled += filled
            out.series.append(Series(id: raw.id, grid: grid, values: values, metric: raw.metric, group: raw.group))
            for r in 0..<regressorCount {
                out.regressors[r].append(Series(id: raw.id, grid: grid, values: regressors[r], metric: nil, group: raw.group))
            }
        }
        if out.outOfOrder > 0 {
            log.add(.outOfOrder, .warning, line: firstOutOfOrderLine,
                    "\(out.outOfOrder) rows were earlier than a row above them of the same series; sorted by timestamp")
        }
        return out
    }

    /// Aggregates the non-NaN values of a run; NaN when none.
    private func combine(_ v: [Double], _ range: Range<Int>) -> Double {
        switch options.aggregation {
        case .last:
            for k in range.reversed() where !v[k].isNaN { return v[k] }
            return .nan
        case .max:
            var m = -Double.infinity, any = false
            for k in range where !v[k].isNaN { m = Swift.max(m, v[k]); any = true }
            return any ? m : .nan
        case .mean:
            var sum = 0.0, n = 0
            for k in range where !v[k].isNaN { sum += v[k]; n += 1 }
            return n > 0 ? sum / Double(n) : .nan
        }
    }

    /// Sorts the samples by (timestamp, line); returns how many rows were out of order and the first one's line.
    static func sort(_ raw: inout RawSeries) -> (Int, Int) {
        var late = 0, firstLine = Int.max
        var maxSoFar = Int64.min
        for i in 0..<raw.count {
            if raw.positions[i] < maxSoFar {
                late += 1
                firstLine = min(firstLine, Int(raw.lines[i]))
            } else {
                maxSoFar = raw.positions[i]
            }
        }
        guard late > 0 else { return (0, 0) }
        let order = raw.positions.indices.sorted {
            raw.positions[$0] != raw.positions[$1] ? raw.positions[$0] < raw.positions[$1] : raw.lines[$0] < raw.lines[$1]
        }
        raw.positions = order.map { raw.positions[$0] }
        raw.values = order.map { raw.values[$0] }
        raw.lines = order.map { raw.lines[$0] }
        raw.kinds = order.map { raw.kinds[$0] }
        for r in raw.regressors.indices { raw.regressors[r] = order.map { [v = raw.regressors[r]] in v[$0] } }
        return (late, firstLine)
    }

    /// The most common positive difference between consecutive sorted timestamps (ties → smaller); nil if none.
    static func inferStep(_ positions: [Int64]) -> Int64? { mode(differences(positions)) }

    /// How often each positive difference occurs between consecutive sorted timestamps.
    static func differences(_ positions: [Int64]) -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        var i = 1
        while i < positions.count {
            let d = positions[i] - positions[i - 1]
            guard d > 0 else { i += 1; continue }
            var run = 1
            i += 1
            while i < positions.count, positions[i] - positions[i - 1] == d { run += 1; i += 1 }
            counts[d, default: 0] += run
        }
        return counts
    }

    /// The most frequent difference; ties go to the smaller one.
    static func mode(_ counts: [Int64: Int]) -> Int64? {
        counts.max { a, b in a.value != b.value ? a.value < b.value : a.key > b.key }?.key
    }
}

/// Fills runs of NaN according to a `GapFill` policy.
enum GapFiller {
    /// Fills qualifying runs in place and returns how many values were filled.
    static func fill(_ v: inout [Double], _ policy: GapFill) -> Int {
        let limit: Int
        switch policy {
        case .none: return 0
        case .linear(let n), .forward(let n): limit = n
        }
        guard limit > 0 else { return 0 }
        var filled = 0
        var i = 0
        while i < v.count {
            guard v[i].isNaN else { i += 1; continue }
            var j = i
            while j < v.count, v[j].isNaN { j += 1 }
            let length = j - i
            if i > 0, length <= limit {
                let before = v[i - 1]
                switch policy {
                case .forward:
                    for k in i..<j { v[k] = before }
                    filled += length
                case .linear where j < v.count:
                    let after = v[j]
                    for k in i..<j { v[k] = before + (after - before) * Double(k - i + 1) / Double(length + 1) }
                    filled += length
                default:
                    break
                }
            }
            i = j
        }
        return filled
    }
}
