import TimeSeries

/// What `psm inspect` reports about one series.
package struct SeriesProfile: Codable, Sendable, Equatable {
    package var file: String
    package var series: String
    package var metric: String?
    package var group: String?
    package var axis: TimeAxis
    package var points: Int
    package var step: Int64
    package var first: Int64
    package var last: Int64
    package var missing: Int
    /// Runs of consecutive missing steps.
    package var gapRuns: Int
    package var longestGap: Int
    package var min: Double?
    package var mean: Double?
    package var max: Double?
    /// The strongest seasonal period in steps, when one is detected.
    package var seasonSteps: Int?
    package var seasonAutocorrelation: Double?

    package init(file: String, series s: Series) {
        self.file = file
        series = s.id
        metric = s.metric
        group = s.group
        axis = s.grid.axis
        points = s.count
        step = s.grid.step
        first = s.grid.start
        last = s.grid.end ?? s.grid.start
        var missing = 0, runs = 0, longest = 0, current = 0
        var lo = Double.infinity, hi = -Double.infinity, sum = 0.0
        for v in s.values {
            if v.isNaN {
                missing += 1
                current += 1
                if current == 1 { runs += 1 }
                longest = Swift.max(longest, current)
            } else {
                current = 0
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
                sum += v
            }
        }
        self.missing = missing
        gapRuns = runs
        longestGap = longest
        let observed = s.count - missing
        min = observed > 0 ? lo : nil
        max = observed > 0 ? hi : nil
        mean = observed > 0 ? sum / Double(observed) : nil
        if let period = Seasonality.dominantPeriod(s.values) {
            seasonSteps = period.steps
            seasonAutocorrelation = period.autocorrelation
        }
    }

    /// The detected season in readable form: `288 (1d) r=0.83`, or `-`.
    package var seasonText: String {
        guard let steps = seasonSteps, let r = seasonAutocorrelation else { return "-" }
        let length = axis == .time ? " (\(Formatting.duration(seconds: Int64(steps) * step)))" : ""
        return "\(steps)\(length) r=\(Formatting.number(r).prefix(4))"
    }
}
