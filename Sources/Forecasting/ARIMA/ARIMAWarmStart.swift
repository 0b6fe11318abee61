import Features
import TimeSeries

/// Where the next refit of one specification starts: the last fit's coefficients. `psm simulate`
/// refits each group's specification daily on a window that moved by a day, which moves the
/// likelihood's optimum only a little; started here, exact ML skips the Hannan–Rissanen start
/// and the CSS pass of a cold fit and needs fewer BFGS iterations (docs/benchmarks.md,
/// "`psm simulate`"). The optimiser's final curvature is not carried over: on near-redundant
/// orders (e.g. ARIMA(3,1,2)) a carried inverse Hessian sent BFGS along the likelihood's ridge
/// for its 100 iterations to a worse optimum, where the identity converged in 15–30.
package struct ARIMAWarmStart: Sendable {
    package let specification: ARIMASpecification
    /// The optimiser's unconstrained coefficient vector.
    var point: [Double]
    /// Warm refits done, and those that fell back to a cold fit.
    package private(set) var refits = 0
    package private(set) var coldFallbacks = 0

    /// Starts from a fitted model's coefficients.
    package init(from model: ARIMAModel) {
        specification = model.specification
        point = model.parameters.unconstrained()
    }

    /// Refits `specification` on `series` by exact ML from here and moves here to the new
    /// optimum. When the warm start fails (the likelihood is not finite from here), it is a cold
    /// `ARIMAModel.fit`, which then becomes the start.
    package mutating func refit(_ series: Series, regressors: FeatureMatrix? = nil) throws(ForecastError) -> ARIMAModel {
        refits += 1
        let prepared = try PreparedSeries(series, specification: specification, regressors: regressors)
        let data = prepared.differenced(specification.order)
        guard let (estimate, end) = ARIMAEstimator.refit(specification, data: data, from: point) else {
            coldFallbacks += 1
            let model = try ARIMAModel.fit(series, specification: specification, regressors: regressors, method: .ml)
            point = model.parameters.unconstrained()
            return model
        }
        let model = try ARIMAModel(estimate: estimate, y: prepared.y, design: prepared.rows, designSpec: prepared.design,
                                   grid: prepared.grid, scale: prepared.scale, diagnostics: [])
        point = end
        return model
    }
}
