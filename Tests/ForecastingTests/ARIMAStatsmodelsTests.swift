import Features
import Foundation
import Numerics
import Testing
import TimeSeries
@testable import Forecasting

/// Pins the ARIMA engine against statsmodels' SARIMAX (bench/peers/arima_fixtures.py) on fixed orders.
@Suite struct ARIMAStatsmodelsTests {
    struct Fixture: Decodable {
        var name: String
        var y: [Double?]
        var order: [Int]
        var seasonal: [Int]
        var exog: [[Double]]?
        var exog_names: [String]
        var params: [Double]
        var loglik: Double
        var nobs: Int
        var probe_params: [Double]?
        var probe_loglik: Double?
        var future_exog: [[Double]]?
        var forecast_mean: [Double]
        var forecast_se: [Double]

        var values: [Double] { y.map { $0 ?? .nan } }
        var arimaOrder: ARIMAOrder {
            ARIMAOrder(p: order[0], d: order[1], q: order[2], P: seasonal[0], D: seasonal[1], Q: seasonal[2], s: max(seasonal[3], 1))
        }
        /// A ones column is our constant, a 0,1,2,… column our drift; anything else is exogenous.
        var specification: ARIMASpecification {
            switch exog_names {
            case ["const"]: ARIMASpecification(order: arimaOrder, trend: .constant)
            case ["drift"]: ARIMASpecification(order: arimaOrder, trend: .drift)
            default: ARIMASpecification(order: arimaOrder, exogenous: exog_names)
            }
        }
        var series: Series {
            Series(id: name, grid: TimeGrid(axis: .index, start: 0, step: 1, count: y.count), values: values)
        }
        /// History and future exogenous rows in one matrix (only for real exogenous columns).
        var regressors: FeatureMatrix? {
            guard case .exogenous = kind, let exog else { return nil }
            let rows = exog + (future_exog ?? [])
            return FeatureMatrix(rows: rows.count, columns: exog_names.count, names: exog_names, values: rows.flatMap { $0 })
        }
        enum Kind { case trend, exogenous, none }
        var kind: Kind { exog_names.isEmpty ? .none : (exog_names == ["const"] || exog_names == ["drift"] ? .trend : .exogenous) }

        /// statsmodels' parameter vector split into β, ARMA coefficients and σ².
        func split(_ v: [Double]) -> (beta: [Double], arma: ARMAParameters, sigma2: Double) {
            let o = arimaOrder
            var i = exog_names.count
            func take(_ n: Int) -> [Double] { defer { i += n }; return Array(v[i..<(i + n)]) }
            let ar = take(o.p), ma = take(o.q), sar = take(o.P), sma = take(o.Q)
            return (Array(v[0..<exog_names.count]), ARMAParameters(ar: ar, ma: ma, sar: sar, sma: sma), v[v.count - 1])
        }
    }

    static let names = ["arma21_mean", "arima111_xreg", "sarima_101_011_24", "sarima_100_111_24_nan",
                        "azure_cpu_hourly", "arima011_drift"]

    static func load(_ name: String) throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/arima"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func differenced(_ f: Fixture) throws -> DifferencedData {
        let prepared = try PreparedSeries(f.series, specification: f.specification, regressors: f.regressors, scale: 1)
        return prepared.differenced(f.arimaOrder)
    }

    /// The Kalman filter's exact likelihood equals statsmodels' at the same (non-optimal) parameters.
    /// Both are exact Gaussian likelihoods of the same data; the only admitted difference is the
    /// steady-state switch (≤ n·1e-11) and rounding, so 1e-9 relative.
    @Test(arguments: names)
    func logLikelihoodMatchesStatsmodelsAtProbeParameters(_ name: String) throws {
        let f = try Self.load(name)
        let probe = try #require(f.probe_params), expected = try #require(f.probe_loglik)
        let (beta, arma, sigma2) = f.split(probe)
        let data = try Self.differenced(f)
        let loglik = try #require(ProfileLikelihood.logLikelihood(arma, period: f.arimaOrder.s, beta: beta, sigma2: sigma2,
                                                                  data: data.values, rows: data.rows, columns: data.columns))
        #expect(loglik.isApproximatelyEqual(to: expected, relativeTolerance: 1e-9), "\(name): \(loglik) vs \(expected)")
    }

    /// At statsmodels' MLE, the concentrated (GLS) likelihood equals its maximised log-likelihood:
    /// β̂ and σ̂² concentrated out reproduce the full optimum (to its optimiser's precision, 1e-7 rel).
    @Test(arguments: names)
    func profileLikelihoodAtTheMLEMatchesStatsmodels(_ name: String) throws {
        let f = try Self.load(name)
        let (beta, arma, sigma2) = f.split(f.params)
        let data = try Self.differenced(f)
        let profile = try #require(ProfileLikelihood.evaluate(arma, period: f.arimaOrder.s, data: data.values,
                                                              rows: data.rows, columns: data.columns))
        #expect(profile.logLikelihood.isApproximatelyEqual(to: f.loglik, relativeTolerance: 1e-7), "\(name): \(profile.logLikelihood) vs \(f.loglik)")
        #expect(profile.sigma2.isApproximatelyEqual(to: sigma2, relativeTolerance: 1e-3))
        for (b, e) in zip(profile.beta, beta) {
            #expect(b.isApproximatelyEqual(to: e, relativeTolerance: 1e-3), "\(name): β \(b) vs \(e)")
        }
        // statsmodels' nobs counts the differenced rows, missing ones included.
        #expect(data.rows == f.nobs)
    }
}
