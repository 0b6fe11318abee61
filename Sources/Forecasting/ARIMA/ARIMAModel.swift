import Features
import Foundation
import TimeSeries

/// A fitted regression-with-SARIMA-errors model: parameters, fit statistics and the filter state
/// at the end of the data, so it can forecast, and take new observations without refitting.
///
/// Codable: the registry stores it as is. Internally the series is divided by `scale` (its
/// standard deviation at fit time) for numerical safety; the public properties are in data units.
public struct ARIMAModel: Sendable, Codable {
    public let specification: ARIMASpecification
    public let parameters: ARMAParameters
    /// Exact (or, for `.css`, approximate) Gaussian log-likelihood of the differenced data.
    public let logLikelihood: Double
    public let aicc: Double
    /// Differenced observations used in the fit.
    public let observations: Int
    public let method: ARIMAMethod
    /// What the fit noticed (fallbacks, dropped columns, …).
    public var diagnostics: [String]

    let scale: Double
    /// β and σ² in scaled units.
    let scaledBeta: [Double]
    let scaledSigma2: Double
    let design: ARIMADesign
    let axis: TimeAxis
    let step: Int64
    /// The grid position of the next (not yet seen) observation.
    public private(set) var nextPosition: Int64
    var state: IntegratedState
    /// Screens observations near the origin for outliers (nil: off, and in models written before it).
    var originGuard: OriginOutlierGuard<IntegratedState>?

    /// Regression coefficients in data units (trend, exogenous, Fourier columns, in that order).
    public var beta: [Double] { scaledBeta.map { $0 * scale } }
    /// The innovation variance σ² in data units.
    public var sigma2: Double { scaledSigma2 * scale * scale }
    /// The model in words, e.g. `ARIMA(1,0,1)(0,1,1)[24] with drift`.
    public var name: String { specification.description }

    /// The absolute step index of a grid position.
    func stepIndex(_ position: Int64) -> Int64 {
        let q = position / step
        return position % step < 0 ? q - 1 : q
    }

    /// Builds the fitted model from an estimate on scaled data `y` (n) and design rows (n×k).
    init(estimate: ARIMAEstimate, y: [Double], design rows: [Double], designSpec: ARIMADesign,
         grid: TimeGrid, scale: Double, diagnostics: [String],
         originGuard guardTemplate: OriginOutlierGuard<IntegratedState>? = OriginOutlierGuard()) throws(ForecastError) {
        originGuard = guardTemplate
        specification = estimate.specification
        parameters = estimate.parameters
        observations = estimate.observed
        method = estimate.method
        self.diagnostics = diagnostics
        self.scale = scale
        scaledBeta = estimate.beta
        scaledSigma2 = estimate.sigma2
        design = designSpec
        axis = grid.axis
        step = grid.step
        let order = estimate.specification.order
        // Log-likelihood and AICc of the original data: the Jacobian of y ↦ y/scale.
        let shift = Double(estimate.observed) * log(scale)
        logLikelihood = estimate.logLikelihood - shift
        aicc = estimate.aicc + 2 * shift

        let n = y.count, k = designSpec.columnCount
        let u = (0..<n).map { t in
            var value = y[t]
            for j in 0..<k { value -= estimate.beta[j] * rows[t * k + j] }
            return value
        }
        let poly = LagPolynomial.differencing(d: order.d, D: order.D, s: order.s)
        let nd = poly.count - 1
        // The filter is started `screened` steps before the end, so that the innovations of those
        // steps give the origin guard its robust scale and its last `window` steps are screened.
        let screened = guardTemplate.map { $0.window + OriginScreen.scaleSpan } ?? 0
        func anchor(from start: Int) -> Int? {
            var t = start
            while t >= max(nd - 1, 0) {
                if (0..<nd).allSatisfy({ u[t - $0].isFinite }) { return t }
                t -= 1
            }
            return nil
        }
        // The last step (at or before the screened span) whose nd lagged levels are all observed:
        // the ARMA filter runs exactly up to there.
        guard let anchor = anchor(from: max(n - 1 - screened, nd)) ?? anchor(from: n - 1), anchor + 1 - nd >= 0 else {
            throw ForecastError(.insufficientData, "too many missing values to start the filter state")
        }
        // ARMA filter over the differenced errors up to the anchor.
        let e = LagPolynomial.difference(Array(u[0...anchor]), by: poly)
        let model = parameters.stateSpace(period: order.s)
        guard let initial = model.stationaryCovariance(),
              let pass = e.withUnsafeBufferPointer({ KalmanFilter.run(model, initial: initial, data: $0, rows: e.count, columns: 1) })
        else { throw ForecastError(.numericalFailure, "the Kalman filter failed at the fitted parameters") }
        let levels = (0..<nd).map { u[anchor - $0] }
        state = IntegratedState(model: model, differencing: poly, armaMean: pass.state, armaCovariance: pass.covariance, levels: levels)
        // Steps after the anchor go through the integrated filter: the earlier ones give the
        // innovations of the robust scale, the last `window` ones are screened by the guard.
        let rest = Array(u[min(anchor + 1, n)...])
        let restValues = Array(y[min(anchor + 1, n)...]).map { $0 * scale }
        originGuard = OriginScreen.run(rest, values: restValues, state: &state, filter: IntegratedFilter(scale: scale),
                                       template: guardTemplate) { grid.position(at: anchor + 1 + $0) }
        nextPosition = grid.position(at: max(n, anchor + 1))
    }

    /// Conditions the model on new observations that follow the data it has seen, without
    /// refitting: O(points) filter steps. `regressors` holds the exogenous columns for those
    /// steps (named as at fit time); NaN observations are allowed and simply not conditioned on.
    /// An error (regressors that do not match) is thrown before anything changes.
    public mutating func append(observations values: [Double], regressors: FeatureMatrix? = nil) throws(ForecastError) {
        guard !values.isEmpty else { return }
        let exogenous = try exogenousRows(regressors, count: values.count, offset: 0)
        let first = stepIndex(nextPosition)
        let rows = design.rows(first: first, count: values.count, exogenous: exogenous)
        let k = design.columnCount
        for (i, y) in values.enumerated() {
            var u = y / scale
            for j in 0..<k { u -= scaledBeta[j] * rows[i * k + j] }
            if originGuard != nil {
                originGuard?.step(&state, observing: u, value: y, at: nextPosition, filter: IntegratedFilter(scale: scale))
            } else {
                state.step(observing: u)
            }
            nextPosition += step
        }
    }

    /// Forecast mean and quantiles for `horizon` steps past the last observation.
    ///
    /// `futureRegressors` holds the exogenous columns for those steps (calendar columns known
    /// ahead, promotions and notices as given); it may also hold more rows, in which case the
    /// last `horizon` are used. Quantiles are Gaussian: mean + z·σ_h, σ_h from the state space.
    public func forecast(horizon: Int, levels: [Double], futureRegressors: FeatureMatrix? = nil) throws(ForecastError) -> ForecastDistribution {
        guard horizon >= 1 else { throw ForecastError(.invalidRequest, "horizon must be at least 1") }
        let offset = max(0, (futureRegressors?.rows ?? horizon) - horizon)
        let exogenous = try exogenousRows(futureRegressors, count: horizon, offset: offset)
        let rows = design.rows(first: stepIndex(nextPosition), count: horizon, exogenous: exogenous)
        let k = design.columnCount
        var s = state
        var mean = [Double](), sd = [Double]()
        mean.reserveCapacity(horizon)
        sd.reserveCapacity(horizon)
        for h in 0..<horizon {
            let (mu, variance) = s.prediction
            var level = mu
            for j in 0..<k { level += scaledBeta[j] * rows[h * k + j] }
            mean.append(level * scale)
            sd.append((variance * scaledSigma2).squareRoot() * scale)
            s.step(observing: .nan)
        }
        guard mean.allSatisfy(\.isFinite), sd.allSatisfy(\.isFinite) else {
            throw ForecastError(.numericalFailure, "\(name): the forecast is not finite")
        }
        let z = NormalDistribution.quantiles(levels)
        let quantiles = (0..<horizon).map { h in z.map { mean[h] + $0 * sd[h] } }
        let grid = TimeGrid(axis: axis, start: nextPosition, step: step, count: horizon)
        do {
            return try ForecastDistribution(grid: grid, levels: levels, mean: mean, quantiles: quantiles)
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }

    /// The forecast standard deviations per step, in data units (for tests and diagnostics).
    public func forecastStandardDeviations(horizon: Int) -> [Double] {
        var s = state
        return (0..<max(horizon, 0)).map { _ in
            defer { s.step(observing: .nan) }
            return (s.prediction.variance * scaledSigma2).squareRoot() * scale
        }
    }

    private func exogenousRows(_ matrix: FeatureMatrix?, count: Int, offset: Int) throws(ForecastError) -> [Double] {
        let names = specification.exogenous
        guard !names.isEmpty else { return [] }
        guard let matrix else {
            throw ForecastError(.regressorMismatch, "\(name) needs regressors \(names.joined(separator: ", "))")
        }
        guard matrix.rows >= offset + count else {
            throw ForecastError(.regressorMismatch, "regressors have \(matrix.rows) rows, need \(offset + count)")
        }
        var columns: [Int] = []
        for n in names {
            guard let c = matrix.names.firstIndex(of: n) else {
                throw ForecastError(.regressorMismatch, "regressor column \(n) is missing")
            }
            columns.append(c)
        }
        var out = [Double](repeating: 0, count: count * names.count)
        for r in 0..<count { for (j, c) in columns.enumerated() { out[r * names.count + j] = matrix[offset + r, c] } }
        return out
    }
}
