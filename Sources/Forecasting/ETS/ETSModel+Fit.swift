import Foundation
import TimeSeries

extension ETSModel {
    /// Fits one ETS model by maximum likelihood: smoothing parameters and initial states
    /// together, Nelder–Mead within the usual and admissible bounds (statsforecast's and R's
    /// method; their `lik` criterion). Missing values are skipped by the likelihood.
    ///
    /// The last observations are screened by the origin guard; when it treats some as outliers,
    /// the model is fitted again without them (`OriginScreen.refitWithoutOutliers`).
    public static func fit(_ series: Series, specification spec: ETSSpecification,
                           originGuard: OriginOutlierGuard<ETSState>? = OriginOutlierGuard()) throws(ForecastError) -> ETSModel {
        try fit(series, specification: spec, originGuard: originGuard, search: .full, from: nil)
    }

    /// `previous`'s specification re-estimated on `series` (another history of the same series:
    /// a backtest fold's), the search starting from `previous`'s optimum and shorter than a fit
    /// from the usual start values (`ETSSearch.warm`). Used by the rolling backtest, where each
    /// fold's history differs from the last by a horizon or two.
    public static func refit(_ series: Series, like previous: ETSModel,
                             originGuard: OriginOutlierGuard<ETSState>? = OriginOutlierGuard()) throws(ForecastError) -> ETSModel {
        try fit(series, specification: previous.specification, originGuard: originGuard, search: .warm, from: previous)
    }

    static func fit(_ series: Series, specification spec: ETSSpecification, originGuard: OriginOutlierGuard<ETSState>?,
                    search: ETSSearch, from previous: ETSModel?) throws(ForecastError) -> ETSModel {
        guard let originGuard else { return try fitOnce(series, specification: spec, originGuard: nil, search: search, from: previous) }
        var calls = 0
        return try OriginScreen.refitWithoutOutliers(series) { (s) throws(ForecastError) -> ETSModel in
            calls += 1
            var model = try fitOnce(s, specification: spec, originGuard: originGuard, search: search, from: previous)
            if calls == 2 { model.diagnostics.append("refitted without the outlying observation(s) at the origin") }
            return model
        }
    }

    static func fitOnce(_ series: Series, specification spec: ETSSpecification, originGuard: OriginOutlierGuard<ETSState>?,
                        search: ETSSearch = .full, from previous: ETSModel? = nil) throws(ForecastError) -> ETSModel {
        let bounds = ETSBounds()
        let y = series.values
        let finite = y.filter(\.isFinite)
        guard finite.count >= 3 else { throw ForecastError(.insufficientData, "\(finite.count) observed values are too few for ETS") }
        if spec.isMultiplicative, !(finite.min()! > 0) {
            throw ForecastError(.invalidRequest, "\(spec): multiplicative components need positive data")
        }
        if let first = finite.first, finite.allSatisfy({ $0 == first }) {
            return try constant(series, value: first)
        }
        let k = spec.parameterCount
        guard k < finite.count - 2 else {
            throw ForecastError(.insufficientData, "\(spec) has \(k) parameters for \(finite.count) observations")
        }
        let states = try ETSInitialization.states(ETSInitialization.filled(y), spec)
        let start = ETSInitialization.parameters(spec, bounds: bounds)
        // Vector: α, β?, γ?, φ?, then the initial states.
        var x0 = [start.alpha], lower = [bounds.lower.alpha], upper = [bounds.upper.alpha], step = [0.1]
        if spec.hasTrend { x0.append(start.beta); lower.append(bounds.lower.beta); upper.append(bounds.upper.beta); step.append(0.05) }
        if spec.hasSeason { x0.append(start.gamma); lower.append(bounds.lower.gamma); upper.append(bounds.upper.gamma); step.append(0.05) }
        if spec.damped { x0.append(start.phi); lower.append(bounds.lower.phi); upper.append(bounds.upper.phi); step.append(0.02) }
        let smoothingCount = x0.count
        let spread = standardDeviation(finite)
        for s in states {
            x0.append(s)
            lower.append(-.infinity)
            upper.append(.infinity)
            step.append(max(0.05 * abs(s), 0.05 * spread, 1e-8))
        }
        // Warm start: the previous fit's optimum (same specification), when it is admissible here.
        if let previous, previous.specification == spec {
            let warm = previous.optimiserVector
            if warm.count == x0.count, bounds.contains(previous.parameters, spec) { x0 = warm }
        }
        func unpack(_ x: [Double]) -> (ETSParameters, [Double]) {
            var i = 0
            func next() -> Double { defer { i += 1 }; return x[i] }
            var p = ETSParameters(alpha: next())
            if spec.hasTrend { p.beta = next() }
            if spec.hasSeason { p.gamma = next() }
            if spec.damped { p.phi = next() }
            return (p, fullState(Array(x[smoothingCount...]), spec))
        }
        let objective: ([Double]) -> Double = { x in
            let (p, initial) = unpack(x)
            guard bounds.contains(p, spec) else { return .infinity }
            if spec.season == .multiplicative, initial[(spec.hasTrend ? 2 : 1)...].contains(where: { $0 < 0 }) { return .infinity }
            let pass = ETSPass.run(y, from: ETSState(initial: initial, specification: spec), spec, p, keepResiduals: false)
            return pass.criterion(spec)
        }
        let result = NelderMead(maxIterations: search.maxIterations, tolerance: 1e-10, restarts: search.restarts)
            .minimize(x0, lower: lower, upper: upper, step: step, objective)
        guard result.value.isFinite else {
            throw ForecastError(.notConverged, "\(spec): no admissible parameters found")
        }
        let (p, initial) = unpack(result.x)
        var model = try evaluate(series, specification: spec, parameters: p, initialState: initial, diagnostics: [])
        model.screenOrigin(series, template: originGuard)
        return model
    }

    /// The model with the given parameters and initial state run over the series: fit
    /// statistics as statsforecast computes them (used for fits and for reference tests).
    static func evaluate(_ series: Series, specification spec: ETSSpecification, parameters p: ETSParameters,
                         initialState initial: [Double], diagnostics: [String]) throws(ForecastError) -> ETSModel {
        let pass = ETSPass.run(series.values, from: ETSState(initial: initial, specification: spec), spec, p)
        let n = pass.observed
        let k = spec.parameterCount + 1
        let lik = pass.criterion(spec)
        guard lik.isFinite, pass.state.level.isFinite else {
            throw ForecastError(.numericalFailure, "\(spec): the likelihood is not finite")
        }
        let aic = lik + 2 * Double(k)
        let aicc = n - k - 1 > 0 ? aic + 2 * Double(k * (k + 1)) / Double(n - k - 1) : .infinity
        let sigma2 = n - k - 1 > 0 ? pass.sumSquares / Double(n - k - 1) : pass.sumSquares / Double(max(n, 1))
        return ETSModel(specification: spec, parameters: p, initialState: initial, logLikelihood: -0.5 * lik, aicc: aicc,
                        sigma2: sigma2, observations: n, diagnostics: diagnostics, state: pass.state, grid: series.grid)
    }

    /// A constant series: ETS(A,N,N) with α = 0.9999 (as statsforecast fits it), zero variance;
    /// the log-likelihood is statsforecast's clamp for a perfect fit (−½ · −1e10), kept finite
    /// so the model encodes as JSON.
    static func constant(_ series: Series, value: Double) throws(ForecastError) -> ETSModel {
        let spec = ETSSpecification(error: .additive)
        let p = ETSParameters(alpha: 0.9999)
        let pass = ETSPass.run(series.values, from: ETSState(initial: [value], specification: spec), spec, p)
        return ETSModel(specification: spec, parameters: p, initialState: [value], logLikelihood: 5e9, aicc: -1e10 + 4,
                        sigma2: 0, observations: pass.observed,
                        diagnostics: ["the series is constant (\(value)): ETS(A,N,N) with zero variance"],
                        state: pass.state, grid: series.grid)
    }

    /// The optimiser's vector of this model: α, β?, γ?, φ?, then the initial states without the
    /// last seasonal term (which the normalisation fixes).
    var optimiserVector: [Double] {
        let spec = specification, p = parameters
        var x = [p.alpha]
        if spec.hasTrend { x.append(p.beta) }
        if spec.hasSeason { x.append(p.gamma) }
        if spec.damped { x.append(p.phi) }
        return x + (spec.hasSeason ? initialState.dropLast() : initialState[...])
    }

    /// Adds the last seasonal state from the normalisation (Σ s = 0, or m for multiplicative).
    static func fullState(_ free: [Double], _ spec: ETSSpecification) -> [Double] {
        guard spec.hasSeason else { return free }
        let offset = spec.hasTrend ? 2 : 1
        let sum = free[offset...].reduce(0, +)
        return free + [(spec.season == .multiplicative ? Double(spec.period) : 0) - sum]
    }

    static func standardDeviation(_ v: [Double]) -> Double {
        guard v.count > 1 else { return 0 }
        let mean = v.reduce(0, +) / Double(v.count)
        return (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count - 1)).squareRoot()
    }
}

/// How hard one ETS fit searches: Nelder–Mead's iteration cap per run and its restarts from the
/// best point. A seasonal model has m + 2…m + 5 free values, where the simplex stalls and each
/// restart still gains (docs/ets-theta.md, "Cost").
struct ETSSearch: Sendable {
    var maxIterations: Int
    var restarts: Int
    /// The fit of one specification (`ETSModel.fit`) and of AutoETS's finalists.
    static let full = ETSSearch(maxIterations: 4000, restarts: 2)
    /// AutoETS's first pass over every candidate, to rank them (statsforecast's budget: 1,000 iterations, one run).
    static let screening = ETSSearch(maxIterations: 1000, restarts: 0)
    /// A refit from a previous optimum of the same specification (`ETSModel.refit`).
    static let warm = ETSSearch(maxIterations: 1000, restarts: 1)
}
