import TimeSeries

/// The layout of an input CSV file.
package enum InputFormat: String, Sendable, Hashable, CaseIterable {
    /// Decide from the header: `series_id` present → long; exactly `timestamp,value` → NAB; else wide.
    case auto
    /// `series_id,timestamp,value[,metric][,group][,regressor…]`, one sample per row.
    case long
    /// One column per series, an optional `timestamp`/`time`/`date` column.
    case wide
    /// Numenta Anomaly Benchmark: `timestamp,value`, one series per file named by the file stem.
    case nab
}

/// How several samples that land in one grid step become one value.
package enum Aggregation: String, Sendable, Hashable, CaseIterable {
    /// Arithmetic mean of the samples.
    case mean
    /// Largest sample (a conservative choice for capacity planning).
    case max
    /// The sample with the latest timestamp; among equal timestamps, the one on the later line.
    case last
}

/// What to do with missing grid steps after resampling.
package enum GapFill: Sendable, Hashable {
    /// Leave every missing step as NaN.
    case none
    /// Interpolate linearly across runs of at most `maxSteps` missing steps; longer runs stay NaN.
    case linear(maxSteps: Int)
    /// Repeat the last value across runs of at most `maxSteps` missing steps; longer runs stay NaN.
    case forward(maxSteps: Int)

    /// Reads the policy as the command line and psm.toml write it: `none`, `linear:N` or
    /// `forward:N` with N ≥ 1; nil for anything else.
    package init?(policy text: String) {
        if text == "none" { self = .none; return }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let n = Int(parts[1]), n >= 1 else { return nil }
        switch parts[0] {
        case "linear": self = .linear(maxSteps: n)
        case "forward": self = .forward(maxSteps: n)
        default: return nil
        }
    }
}

/// What to do with long-CSV extra columns that hold text rather than numbers.
package enum UnknownTextColumnPolicy: String, Sendable, Hashable {
    /// Throw `IngestError.Code.unknownTextColumns` naming every such column.
    case reject
    /// Drop those columns with one `unknownColumnSkipped` diagnostic each.
    case skip
}

/// Everything a caller can choose about reading and regularising a file.
package struct IngestOptions: Sendable, Hashable {
    /// The file layout; `.auto` detects it from the header.
    package var format: InputFormat
    /// Grid step in axis units (seconds on a time axis, steps on an index axis); nil infers it
    /// per file as the most common positive difference between consecutive distinct timestamps
    /// of a series, pooled over the file's series (ties go to the smaller difference).
    package var step: Int64?
    /// How samples sharing a grid step are combined (duplicates included).
    package var aggregation: Aggregation
    /// How missing grid steps are filled, if at all.
    package var fill: GapFill
    /// The axis of integer timestamps: `.index` (step indices, the default) or `.time` (Unix seconds).
    package var integerTimestamps: TimeAxis
    /// Long CSV: what to do with extra columns that hold only text.
    package var unknownTextColumns: UnknownTextColumnPolicy
    /// At most this many diagnostics of one code are kept per file; the rest are counted.
    package var maxDiagnosticsPerCode: Int
    /// A series whose grid would be longer than this is skipped (a stray timestamp years away
    /// would otherwise allocate a grid of millions of NaNs).
    package var maxGridLength: Int

    package init(format: InputFormat = .auto, step: Int64? = nil, aggregation: Aggregation = .mean,
                fill: GapFill = .none, integerTimestamps: TimeAxis = .index,
                unknownTextColumns: UnknownTextColumnPolicy = .reject,
                maxDiagnosticsPerCode: Int = 1000, maxGridLength: Int = 10_000_000) {
        self.format = format
        self.step = step
        self.aggregation = aggregation
        self.fill = fill
        self.integerTimestamps = integerTimestamps
        self.unknownTextColumns = unknownTextColumns
        self.maxDiagnosticsPerCode = maxDiagnosticsPerCode
        self.maxGridLength = maxGridLength
    }
}
