import Features
import TimeSeries

extension AutoARIMA {
    /// `fit`, then, when the origin guard treated observations as outliers, the search again with
    /// those observations missing: a spike in the fitted data inflates σ² (intervals ten times too
    /// wide on a steady series) and can change the orders chosen. The refitted model reports the
    /// first fit's outliers (its state never saw them). Costs a second search only for series
    /// with an outlier at the origin; a failed refit keeps the first model.
    public static func fitGuardingOrigin(_ series: Series, season: Int?, regressors: FeatureMatrix? = nil,
                                         options: AutoARIMAOptions = AutoARIMAOptions()) throws(ForecastError) -> ARIMAModel {
        let first = try fit(series, season: season, regressors: regressors, options: options)
        let outliers = first.originOutliers
        guard !outliers.isEmpty else { return first }
        var masked = series
        for p in outliers {
            let offset = p - series.grid.start
            guard offset >= 0, offset % series.grid.step == 0 else { continue }
            let i = Int(offset / series.grid.step)
            if i < masked.values.count { masked.values[i] = .nan }
        }
        do {
            var refit = try fit(masked, season: season, regressors: regressors, options: options)
            refit.originGuard?.markTreated(outliers)
            if refit.originGuard == nil { return first }
            refit.diagnostics.append("refitted without the \(outliers.count) outlying observation(s) at the origin")
            return refit
        } catch {
            return first
        }
    }
}
