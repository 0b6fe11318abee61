import Features
import LinearAlgebra
import TimeSeries

/// Limits and switches of the automatic order search.
public struct AutoARIMAOptions: Sendable, Hashable, Codable {
    public var maxP = 5, maxQ = 5
    public var maxSeasonalP = 2, maxSeasonalQ = 2
    /// The largest p + q + P + Q.
    public var maxOrder = 5
    public var maxD = 2, maxSeasonalD = 1
    /// The most models the stepwise search fits (per number of Fourier harmonics).
    public var maxModels = 94
    /// Rank candidates by CSS instead of exact ML; nil chooses as forecast::auto.arima does
    /// (on when n > 150 or s > 12). The chosen model is always refitted by exact ML.
    public var approximation: Bool? = nil
    /// Seasons longer than this are modelled by Fourier terms rather than a seasonal lag.
    public var seasonalARIMALimit = 48
    /// The most Fourier harmonics tried, chosen by AICc.
    public var maxHarmonics = 10

    public init() {}
}

/// Automatic order selection in the style of Hyndman & Khandakar (2008): d by repeated KPSS
/// tests, D by seasonal strength, then a stepwise search over (p, q, P, Q) and the constant by
/// AICc. Long seasons use Fourier terms whose number of harmonics is also chosen by AICc.
public enum AutoARIMA {
    struct Candidate {
        var estimate: ARIMAEstimate
        var data: DifferencedData
        var aicc: Double { estimate.aicc }
    }

    struct Key: Hashable { var p, q, P, Q: Int; var constant: Bool }

    /// Chooses and fits a model for `series` (seasonal period `season`, regressors with at least
    /// `series.count` rows whose columns are all used). Throws when nothing could be fitted.
    public static func fit(_ series: Series, season: Int?, regressors: FeatureMatrix? = nil,
                           options: AutoARIMAOptions = AutoARIMAOptions()) throws(ForecastError) -> ARIMAModel {
        var diagnostics: [String] = []
        let observed = series.values.filter(\.isFinite).count
        guard observed >= 4 else {
            throw ForecastError(.insufficientData, "\(series.id): \(observed) observed values are too few for ARIMA")
        }
        var s = max(season ?? 1, 1)
        if s > 1, series.count < 2 * s {
            diagnostics.append("fewer than two seasons of \(s) steps (\(series.count) points): non-seasonal model")
            s = 1
        }
        let useFourier = s > options.seasonalARIMALimit
        if useFourier { diagnostics.append("season \(s) > \(options.seasonalARIMALimit): modelled by Fourier terms") }

        // Exogenous columns that do not vary over the history carry no information.
        var exogenous = regressors?.names ?? []
        if let regressors {
            exogenous = exogenous.enumerated().filter { c, name in
                let column = (0..<series.count).map { regressors[$0, c] }
                let varies = column.contains { $0 != column[0] }
                if !varies { diagnostics.append("regressor \(name) is constant over the history: dropped") }
                return varies
            }.map(\.1)
        }
        let maxK = useFourier ? max(1, min(options.maxHarmonics, s / 2)) : 0

        // D by seasonal strength, d by KPSS on what the regressors do not explain.
        let baseSpec = ARIMASpecification(order: ARIMAOrder(p: 0, d: 0, q: 0), trend: .none,
                                          fourier: maxK > 0 ? [ARIMAFourier(period: Double(s), harmonics: maxK)] : [],
                                          exogenous: exogenous)
        let base = try PreparedSeries(series, specification: baseSpec, regressors: regressors)
        let regressionResidual = base.differenced(baseSpec.order).residual(
            base.differenced(baseSpec.order).ordinaryLeastSquares())
        var D = 0
        if s > 1, !useFourier, options.maxSeasonalD > 0 {
            D = SeasonalStrength.differences(regressionResidual, period: s)
        }
        let seasonalDifferenced = D > 0 ? LagPolynomial.difference(regressionResidual, by: LagPolynomial.differencing(d: 0, D: D, s: s))
                                        : regressionResidual
        let d = KPSS.differences(seasonalDifferenced, maxD: options.maxD)
        let seasonalOrders = s > 1 && !useFourier
        let approximate = options.approximation ?? (series.count > 150 || s > 12)

        var all: [Candidate] = []
        if useFourier {
            var best = Double.infinity, worse = 0
            for k in 1...maxK {
                let fourier = [ARIMAFourier(period: Double(s), harmonics: k)]
                let found = try stepwise(series, regressors: regressors, exogenous: exogenous, fourier: fourier,
                                         d: d, D: 0, s: 1, seasonal: false, approximate: approximate, options: options)
                all += found
                let kBest = found.map(\.aicc).min() ?? .infinity
                if kBest < best { best = kBest; worse = 0 } else { worse += 1 }
                if worse >= 2 { break }
            }
        } else {
            all = try stepwise(series, regressors: regressors, exogenous: exogenous, fourier: [],
                               d: d, D: D, s: s, seasonal: seasonalOrders, approximate: approximate, options: options)
        }
        let ranked = all.filter { $0.aicc.isFinite }.sorted { $0.aicc < $1.aicc }
        guard !ranked.isEmpty else {
            throw ForecastError(.notConverged, "\(series.id): no ARIMA candidate could be estimated")
        }
        // Refit the leaders by exact ML; the first that succeeds is the model.
        for candidate in ranked.prefix(approximate ? 5 : 1) {
            let estimate: ARIMAEstimate?
            if approximate || candidate.estimate.method != .ml {
                estimate = ARIMAEstimator.fit(candidate.estimate.specification, data: candidate.data, method: .ml,
                                              start: candidate.estimate.parameters)
            } else {
                estimate = candidate.estimate
            }
            guard let estimate else {
                diagnostics.append("\(candidate.estimate.specification): exact ML failed, trying the next candidate")
                continue
            }
            let prepared = try PreparedSeries(series, specification: estimate.specification, regressors: regressors)
            do {
                return try ARIMAModel(estimate: estimate, y: prepared.y, design: prepared.rows, designSpec: prepared.design,
                                      grid: prepared.grid, scale: prepared.scale, diagnostics: diagnostics)
            } catch {
                diagnostics.append("\(estimate.specification): \(error.message)")
            }
        }
        throw ForecastError(.notConverged, "\(series.id): no candidate survived exact ML; " + diagnostics.joined(separator: "; "))
    }

    /// The stepwise search for one differencing and one set of Fourier terms.
    static func stepwise(_ series: Series, regressors: FeatureMatrix?, exogenous: [String], fourier: [ARIMAFourier],
                         d: Int, D: Int, s: Int, seasonal: Bool, approximate: Bool,
                         options: AutoARIMAOptions) throws(ForecastError) -> [Candidate] {
        let constantAllowed = d + D <= 1
        let trend: ARIMATrend = d + D == 0 ? .constant : .drift
        var data: [Bool: PreparedSeries] = [:]
        for constant in constantAllowed ? [true, false] : [false] {
            let spec = ARIMASpecification(order: ARIMAOrder(p: 0, d: d, q: 0, D: D, s: s), trend: constant ? trend : .none,
                                          fourier: fourier, exogenous: exogenous)
            let prepared = try PreparedSeries(series, specification: spec, regressors: regressors)
            data[constant] = prepared
        }
        var fitted: [Key: Candidate] = [:]
        var failed: Set<Key> = []
        func evaluate(_ key: Key) -> Double {
            if let c = fitted[key] { return c.aicc }
            if failed.contains(key) { return .infinity }
            guard key.p >= 0, key.q >= 0, key.P >= 0, key.Q >= 0,
                  key.p <= options.maxP, key.q <= options.maxQ,
                  key.P <= options.maxSeasonalP, key.Q <= options.maxSeasonalQ,
                  key.p + key.q + key.P + key.Q <= options.maxOrder,
                  seasonal || (key.P == 0 && key.Q == 0),
                  !key.constant || constantAllowed,
                  fitted.count + failed.count < options.maxModels,
                  let prepared = data[key.constant]
            else { return .infinity }
            let order = ARIMAOrder(p: key.p, d: d, q: key.q, P: key.P, D: D, Q: key.Q, s: s)
            let spec = ARIMASpecification(order: order, trend: key.constant ? trend : .none, fourier: fourier, exogenous: exogenous)
            let differenced = prepared.differenced(order)
            guard let estimate = ARIMAEstimator.fit(spec, data: differenced, method: approximate ? .css : .ml) else {
                failed.insert(key)
                return .infinity
            }
            fitted[key] = Candidate(estimate: estimate, data: differenced)
            return estimate.aicc
        }
        let c = constantAllowed
        var starts = seasonal
            ? [Key(p: 2, q: 2, P: 1, Q: 1, constant: c), Key(p: 0, q: 0, P: 0, Q: 0, constant: c),
               Key(p: 1, q: 0, P: 1, Q: 0, constant: c), Key(p: 0, q: 1, P: 0, Q: 1, constant: c)]
            : [Key(p: 2, q: 2, P: 0, Q: 0, constant: c), Key(p: 0, q: 0, P: 0, Q: 0, constant: c),
               Key(p: 1, q: 0, P: 0, Q: 0, constant: c), Key(p: 0, q: 1, P: 0, Q: 0, constant: c)]
        if c { starts.append(Key(p: 0, q: 0, P: 0, Q: 0, constant: false)) }
        var best = starts[0]
        var bestValue = Double.infinity
        for key in starts {
            let value = evaluate(key)
            if value < bestValue { best = key; bestValue = value }
        }
        var improved = bestValue.isFinite
        while improved && fitted.count + failed.count < options.maxModels {
            improved = false
            for next in neighbours(of: best, seasonal: seasonal, constantAllowed: c) {
                let value = evaluate(next)
                if value < bestValue {
                    best = next
                    bestValue = value
                    improved = true
                    break
                }
            }
        }
        return Array(fitted.values)
    }

    static func neighbours(of k: Key, seasonal: Bool, constantAllowed: Bool) -> [Key] {
        var out: [Key] = []
        func add(_ dp: Int, _ dq: Int, _ dP: Int, _ dQ: Int) {
            out.append(Key(p: k.p + dp, q: k.q + dq, P: k.P + dP, Q: k.Q + dQ, constant: k.constant))
        }
        if seasonal {
            add(0, 0, -1, 0); add(0, 0, 1, 0); add(0, 0, 0, -1); add(0, 0, 0, 1)
            add(0, 0, -1, -1); add(0, 0, 1, 1); add(0, 0, -1, 1); add(0, 0, 1, -1)
        }
        add(-1, 0, 0, 0); add(1, 0, 0, 0); add(0, -1, 0, 0); add(0, 1, 0, 0)
        add(-1, -1, 0, 0); add(1, 1, 0, 0); add(-1, 1, 0, 0); add(1, -1, 0, 0)
        if constantAllowed { out.append(Key(p: k.p, q: k.q, P: k.P, Q: k.Q, constant: !k.constant)) }
        return out
    }
}
