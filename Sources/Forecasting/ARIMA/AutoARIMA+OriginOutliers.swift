import Features
import TimeSeries

extension AutoARIMA {
    /// `fit`, then the search again without the observations the origin guard treated as
    /// outliers (`OriginScreen.refitWithoutOutliers`); the refit notes it in its diagnostics.
    package static func fitGuardingOrigin(_ series: Series, season: Int?, regressors: FeatureMatrix? = nil,
                                         options: AutoARIMAOptions = AutoARIMAOptions()) throws(ForecastError) -> ARIMAModel {
        var calls = 0
        return try OriginScreen.refitWithoutOutliers(series) { (s) throws(ForecastError) -> ARIMAModel in
            calls += 1
            var model = try fit(s, season: season, regressors: regressors, options: options)
            if calls == 2 { model.diagnostics.append("refitted without the outlying observation(s) at the origin") }
            return model
        }
    }
}

/// ARIMA's filter for the origin guard: the integrated state's prediction of the scaled
/// regression error, and its Kalman step.
struct IntegratedFilter: OneStepFilter {
    /// The model's data scale (u = (y − x'β) / scale).
    let scale: Double

    func prediction(_ state: IntegratedState) -> (mean: Double, variance: Double)? { state.prediction }
    func step(_ state: inout IntegratedState, observing u: Double) { state.step(observing: u) }
    func replacement(for y: Double, observing u: Double, prediction mean: Double) -> Double { y - (u - mean) * scale }
}

extension ARIMAModel: OriginGuarded {
    package var originOutlierPoints: [OriginOutlier] { originGuard?.outliers ?? [] }

    package mutating func markOriginOutliers(_ points: [OriginOutlier]) -> Bool {
        guard originGuard != nil else { return false }
        originGuard?.markTreated(points)
        return true
    }
}
