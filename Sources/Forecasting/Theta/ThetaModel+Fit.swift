import Foundation
import TimeSeries

/// How the Theta models are fitted.
public struct ThetaOptions: Sendable, Hashable, Codable {
    /// The model types to fit; the lowest in-sample criterion wins (statsforecast's `AutoTheta`
    /// tries all four; `OptimizedTheta` is `[.optimized]`, `Theta` is `[.standard]`).
    public var types: [ThetaModelType] = [.optimized]
    public init(types: [ThetaModelType] = [.optimized]) { self.types = types }
}

extension ThetaModel {
    /// Seasonal adjustment as statsforecast's `auto_theta`: for m ≥ 4 and at least two seasons,
    /// the lag-m autocorrelation is tested at 90 % (|r_m| > 1.645·√((1 + 2Σ_{k<m} r_k²)/n));
    /// if seasonal, a classical multiplicative decomposition (additive when the data are not
    /// positive or an index falls below 0.01) and the model is fitted to the adjusted series.
    static func seasonalAdjustment(_ y: [Double], period m: Int) -> ClassicalDecomposition? {
        let n = y.count
        guard m >= 4, n >= 2 * m else { return nil }
        let mean = y.reduce(0, +) / Double(n)
        let denominator = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard denominator > 0 else { return nil }
        let r = (1...m).map { k in
            (0..<(n - k)).reduce(0.0) { $0 + (y[$1] - mean) * (y[$1 + k] - mean) } / denominator
        }
        let stat = ((1 + 2 * r.dropLast().reduce(0) { $0 + $1 * $1 }) / Double(n)).squareRoot()
        guard abs(r[m - 1]) / stat > 1.6448536269514722 else { return nil }
        if y.min()! > 0, let d = ClassicalDecomposition(y, period: m, multiplicative: true), d.indices.allSatisfy({ $0 >= 0.01 }) {
            return d
        }
        return ClassicalDecomposition(y, period: m, multiplicative: false)
    }

    /// Fits the Theta models in `options` to `series` (with seasonal period `season`) and keeps
    /// the one with the lowest criterion. Parameters minimise statsforecast's criterion by
    /// Nelder–Mead within α ∈ [0.1, 0.99], θ ≥ 1 (θ = 2 for the standard types).
    ///
    /// The last observations are screened by the origin guard; when it treats some as outliers,
    /// the model is fitted again without them (`OriginScreen.refitWithoutOutliers`).
    public static func fit(_ series: Series, season: Int?, options: ThetaOptions = ThetaOptions(),
                           originGuard: OriginOutlierGuard<ThetaState>? = OriginOutlierGuard()) throws(ForecastError) -> ThetaModel {
        guard let originGuard else { return try fitOnce(series, season: season, options: options, originGuard: nil) }
        var calls = 0
        return try OriginScreen.refitWithoutOutliers(series) { (s) throws(ForecastError) -> ThetaModel in
            calls += 1
            var model = try fitOnce(s, season: season, options: options, originGuard: originGuard)
            if calls == 2 { model.diagnostics.append("refitted without the outlying observation(s) at the origin") }
            return model
        }
    }

    static func fitOnce(_ series: Series, season: Int?, options: ThetaOptions,
                        originGuard: OriginOutlierGuard<ThetaState>?) throws(ForecastError) -> ThetaModel {
        var notes: [String] = []
        let observed = series.values.filter(\.isFinite)
        guard observed.count >= 4, let last = series.values.lastIndex(where: \.isFinite) else {
            throw ForecastError(.insufficientData, "\(observed.count) observed values are too few for Theta")
        }
        // Fit up to the last observation; missing values after it are appended (each moves the
        // state by its forecast). Earlier gaps are filled linearly: the fit has no missing-value form.
        let trailing = Array(series.values[(last + 1)...])
        var fitted = series
        fitted.values = Array(series.values[...last])
        fitted.grid = TimeGrid(axis: series.grid.axis, start: series.grid.start, step: series.grid.step, count: last + 1)
        var y = ETSInitialization.filled(fitted.values)
        let raw = y
        if fitted.values.count != observed.count {
            notes.append("\(fitted.values.count - observed.count) missing values filled by linear interpolation for the fit")
        }
        let m = season ?? 1
        if m >= 4, y.count < 2 * m { notes.append("fewer than two seasons of \(m) steps (\(y.count) points): no seasonal adjustment") }
        let decomposition = seasonalAdjustment(y, period: m)
        if let d = decomposition {
            y = y.indices.map { d.multiplicative ? y[$0] / d.seasonal(at: $0) : y[$0] - d.seasonal(at: $0) }
            notes.append("seasonal at 90 %: \(d.multiplicative ? "multiplicative" : "additive") classical decomposition")
        }
        var best: ThetaModel?
        for type in options.types {
            let p = optimize(y, type: type)
            var model = try evaluate(y, type: type, parameters: p, decomposition: decomposition, grid: fitted.grid, notes: notes)
            model.screenOrigin(y, raw: raw, grid: fitted.grid, template: originGuard)
            try model.append(observations: trailing)
            if model.mse < (best?.mse ?? .infinity) { best = model }
        }
        guard let best else { throw ForecastError(.notConverged, "no Theta model could be fitted") }
        return best
    }

    /// statsforecast's starting point (ℓ* = y₀/2, α = 0.5, θ = 2) improved by Nelder–Mead.
    static func optimize(_ y: [Double], type: ThetaModelType) -> ThetaParameters {
        let scale = max(1e10, 10 * (y.map(abs).max() ?? 0))
        var x0 = [y[0] / 2, 0.5], lower = [-scale, 0.1], upper = [scale, 0.99]
        var step = [max(0.05 * abs(y[0] / 2), 0.05 * (ETSModel.standardDeviation(y)), 1e-8), 0.1]
        if type.optimizesTheta { x0.append(2); lower.append(1); upper.append(1e10); step.append(0.5) }
        let result = NelderMead(maxIterations: 2000, tolerance: 1e-10, restarts: 2).minimize(x0, lower: lower, upper: upper, step: step) { x in
            let p = ThetaParameters(alpha: x[1], theta: x.count > 2 ? x[2] : 2, initialLevel: x[0])
            return criterion(y, type: type, parameters: p).mse
        }
        let x = result.x
        return ThetaParameters(alpha: x[1], theta: x.count > 2 ? x[2] : 2, initialLevel: x[0])
    }

    /// The residuals, final state and criterion Σ_{t≥3} ε_t² / mean|y| (statsforecast's `mse`).
    static func criterion(_ y: [Double], type: ThetaModelType, parameters p: ThetaParameters)
        -> (mse: Double, residuals: [Double], state: ThetaState) {
        var state = ThetaState(first: y[0], data: y, type: type, parameters: p)
        var residuals = [y[0] - ThetaState.firstForecast(type, p, a: state.a, b: state.b, y0: y[0])]
        residuals.reserveCapacity(y.count)
        for t in 1..<y.count {
            residuals.append(y[t] - state.oneStep(p))
            state.update(type, p, observing: y[t])
        }
        var meanAbs = y.reduce(0) { $0 + abs($1) } / Double(y.count)
        if meanAbs == 0 { meanAbs = 1e-10 }
        let sse = residuals.dropFirst(3).reduce(0) { $0 + $1 * $1 }
        let mse = sse / meanAbs
        return (mse.isFinite ? mse : .infinity, residuals, state)
    }

    /// The model at given parameters on the (already adjusted) series `y`.
    static func evaluate(_ y: [Double], type: ThetaModelType, parameters p: ThetaParameters, decomposition d: ClassicalDecomposition?,
                         grid: TimeGrid, notes: [String]) throws(ForecastError) -> ThetaModel {
        let (mse, residuals, state) = criterion(y, type: type, parameters: p)
        guard mse.isFinite, state.level.isFinite else { throw ForecastError(.numericalFailure, "Theta(\(type.rawValue)): the fit is not finite") }
        let tail = residuals.count > 4 ? Array(residuals.dropFirst(3)) : residuals
        let mean = tail.reduce(0, +) / Double(tail.count)
        let sigma = (tail.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(tail.count - 1, 1))).squareRoot()
        return ThetaModel(type: type, parameters: p, mse: mse, sigma: sigma, seasonalIndices: d?.indices,
                          multiplicativeSeason: d?.multiplicative ?? false, diagnostics: notes, state: state, grid: grid)
    }
}
