import TimeSeries

/// The seasonal naive baseline: each step repeats the value one season earlier.
///
/// ŷ_{T+h} = y_{T+h−m(k+1)} with k = ⌊(h−1)/m⌋; a missing value there is replaced by the same
/// season position one cycle earlier, then by the last observed value. Intervals are Gaussian
/// with σ_h = σ·√(k+1), σ the RMS of the in-sample seasonal differences (Hyndman & Athanasopoulos,
/// *Forecasting: Principles and Practice*, 5.5). Without a season (or with fewer than two
/// seasons of data) it is the naive forecast, m = 1.
///
/// Outliers near the origin are replaced first (`OriginScreen.clean`: an isolated extreme value
/// in the last 24 is replaced by the median of the same position one to three seasons earlier;
/// a shift that persists for three points is kept), so a one-hour spike is not repeated a
/// season later; they are listed in `SeriesForecast.originOutliers` and the diagnostics.
public struct SeasonalNaive: Forecaster {
    public let name = "seasonal-naive"
    public init() {}

    public func forecast(_ inputs: [ForecastInput], horizon: Int, levels: [Double]) throws(ForecastError) -> [SeriesForecast] {
        try Self.validate(inputs, horizon: horizon, levels: levels)
        return inputs.map { input in
            var diagnostics: [String] = []
            let y = input.series.values
            var m = input.season ?? 1
            if m > 1, y.count < 2 * m {
                diagnostics.append("fewer than two seasons of \(m) steps (\(y.count) points): used the naive forecast")
                m = 1
            }
            let model = m > 1 ? "seasonal-naive[\(m)]" : "naive"
            let (cleaned, found) = OriginScreen.clean(y, season: m)
            let outliers = OriginScreen.onGrid(found, input.series.grid)
            diagnostics += OriginScreen.note(outliers, axis: input.series.grid.axis)
            do throws(ForecastError) {
                let d = try Self.distribution(cleaned, season: m, grid: input.series.grid.future(horizon), levels: levels)
                return SeriesForecast(seriesID: input.series.id, result: .success(d), model: model, diagnostics: diagnostics,
                                      originOutliers: outliers.map(\.position))
            } catch {
                return SeriesForecast(seriesID: input.series.id, result: .failure(error), model: model, diagnostics: diagnostics)
            }
        }
    }

    static func distribution(_ y: [Double], season m: Int, grid: TimeGrid, levels: [Double]) throws(ForecastError) -> ForecastDistribution {
        guard let lastObserved = y.lastIndex(where: { $0.isFinite }) else {
            throw ForecastError(.insufficientData, "no observed values")
        }
        var sumSquares = 0.0, n = 0
        if y.count > m {
            for t in m..<y.count where y[t].isFinite && y[t - m].isFinite {
                let e = y[t] - y[t - m]
                sumSquares += e * e
                n += 1
            }
        }
        let sigma = n > 0 ? (sumSquares / Double(n)).squareRoot() : 0
        let z = levels.map(NormalDistribution.quantile)
        let count = y.count
        var mean = [Double](), quantiles = [[Double]]()
        for h in 1...grid.count {
            let k = (h - 1) / m
            var source = count + h - 1 - m * (k + 1)
            while source >= 0, !y[source].isFinite { source -= m }
            let point = source >= 0 ? y[source] : y[lastObserved]
            let sd = sigma * Double(k + 1).squareRoot()
            mean.append(point)
            quantiles.append(z.map { point + $0 * sd })
        }
        do {
            return try ForecastDistribution(grid: grid, levels: levels, mean: mean, quantiles: quantiles)
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }
}
