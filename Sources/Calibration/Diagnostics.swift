import TimeSeries

/// A histogram of PIT values on B equal bins of [0, 1]: flat when the forecasts are calibrated,
/// U-shaped when too narrow, hump-shaped when too wide.
package struct PITHistogram: Sendable, Hashable, Codable {
    /// Bin edges 0, 1/B, …, 1 (B + 1 of them).
    package var edges: [Double]
    /// Values per bin; bin b holds [edges[b], edges[b + 1]), the last bin also holds 1.
    package var counts: [Int]
    /// Values counted (NaN values are left out).
    package var total: Int

    /// Bins `values` into `bins` equal bins (at least 1); values outside [0, 1] go to the end bins.
    package init(_ values: [Double], bins: Int = 10) {
        let b = max(bins, 1)
        edges = (0...b).map { Double($0) / Double(b) }
        counts = [Int](repeating: 0, count: b)
        total = 0
        for v in values where !v.isNaN {
            counts[min(max(Int((v * Double(b)).rounded(.down)), 0), b - 1)] += 1
            total += 1
        }
    }
}

/// Nominal level against the observed frequency of y ≤ q̂_τ, for every level.
package struct ReliabilityDiagram: Sendable, Hashable, Codable {
    package var levels: [Double]
    /// Share of samples with actual ≤ quantile, per level (NaN when no sample was usable).
    package var observedFrequency: [Double]
    /// Samples behind each frequency.
    package var counts: [Int]

    /// From samples whose quantiles are at `levels`; samples of the wrong width or with a
    /// non-finite actual are left out, as is a non-finite quantile (for its level only).
    package init(levels: [Double], samples: [CalibrationSample]) {
        self.levels = levels
        var hits = [Int](repeating: 0, count: levels.count)
        var counts = [Int](repeating: 0, count: levels.count)
        for s in samples where s.actual.isFinite && s.quantiles.count == levels.count {
            for (k, q) in s.quantiles.enumerated() where !q.isNaN {
                counts[k] += 1
                if s.actual <= q { hits[k] += 1 }
            }
        }
        self.counts = counts
        observedFrequency = zip(hits, counts).map { $1 == 0 ? .nan : Double($0) / Double($1) }
    }

    /// Largest |observed − nominal| over the levels with samples; nil when none has any.
    package var maximumDeviation: Double? {
        zip(levels, observedFrequency).filter { !$0.1.isNaN }.map { abs($0.1 - $0.0) }.max()
    }
}

/// PIT values: the forecast CDF at the actual, F_t(y_t).
package enum PIT {
    /// One PIT value per sample (NaN for an unusable sample, so indices line up), reading the
    /// CDF off the interpolated quantile curve with Gaussian tails (see `ForecastDistribution.cdf`).
    package static func values(levels: [Double], samples: [CalibrationSample]) -> [Double] {
        samples.map { s in
            guard !levels.isEmpty, s.quantiles.count == levels.count, !s.actual.isNaN,
                  s.quantiles.allSatisfy(\.isFinite) else { return .nan }
            return QuantileCurve(levels: levels, quantiles: s.quantiles).cdf(s.actual)
        }
    }

    /// PIT values of `forecast` against `actuals` (`actuals[h]` for step h + 1; NaN where unknown).
    package static func values(_ forecast: ForecastDistribution, actuals: [Double]) -> [Double] {
        actuals.prefix(forecast.horizon).enumerated().map { h, y in forecast.cdf(y, step: h + 1) ?? .nan }
    }
}
