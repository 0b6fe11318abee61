import Features
import Foundation
import Numerics
import Testing
import TimeSeries
@testable import Forecasting

/// Behaviour of fitted models: the scoring path, serialisation, forecasts.
@Suite struct ARIMAModelTests {
    static func series(_ values: [Double], start: Int64 = 0) -> Series {
        Series(id: "s", grid: TimeGrid(axis: .index, start: start, step: 1, count: values.count), values: values)
    }

    /// A seasonal AR series with noise from a fixed LCG, so the test is reproducible.
    static func seasonalSample(_ n: Int, period: Int = 24, seed: UInt64 = 7) -> [Double] {
        var state = seed
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) - 0.5
        }
        var y = [Double](repeating: 0, count: n)
        var e = 0.0
        for t in 0..<n {
            e = 0.6 * e + noise()
            y[t] = 20 + 5 * sin(2 * Double.pi * Double(t) / Double(period)) + e
        }
        return y
    }

    /// Appending observations runs the same filter steps as fitting on the longer series with the
    /// same parameters, so forecasts agree to rounding (1e-9 relative).
    @Test func appendingObservationsEqualsFilteringThemAtFitTime() throws {
        let y = Self.seasonalSample(300)
        let spec = ARIMASpecification(order: ARIMAOrder(p: 1, d: 0, q: 1, P: 0, D: 1, Q: 1, s: 24))
        var model = try ARIMAModel.fit(Self.series(Array(y[0..<260])), specification: spec)
        try model.append(observations: Array(y[260..<300]))
        let prepared = try PreparedSeries(Self.series(y), specification: spec, regressors: nil, scale: model.scale)
        let estimate = ARIMAEstimate(specification: spec, parameters: model.parameters, beta: model.scaledBeta,
                                     sigma2: model.scaledSigma2, logLikelihood: 0, aicc: 0, observed: 0, method: .ml, converged: true)
        let reference = try ARIMAModel(estimate: estimate, y: prepared.y, design: prepared.rows, designSpec: prepared.design,
                                       grid: prepared.grid, scale: model.scale, diagnostics: [])
        let a = try model.forecast(horizon: 30, levels: [0.1, 0.9])
        let b = try reference.forecast(horizon: 30, levels: [0.1, 0.9])
        #expect(a.grid == b.grid)
        for h in 0..<30 {
            #expect(a.mean[h].isApproximatelyEqual(to: b.mean[h], relativeTolerance: 1e-9))
            #expect(a.quantiles[h][1].isApproximatelyEqual(to: b.quantiles[h][1], relativeTolerance: 1e-9))
        }
    }

    /// Appending k missing values adds no information: the forecast from there is the old forecast
    /// shifted by k steps, mean and standard deviation alike (exact up to rounding).
    @Test func appendingMissingValuesShiftsTheForecast() throws {
        let y = Self.seasonalSample(260)
        let spec = ARIMASpecification(order: ARIMAOrder(p: 1, d: 1, q: 1, P: 0, D: 1, Q: 1, s: 24))
        let model = try ARIMAModel.fit(Self.series(y), specification: spec)
        var appended = model
        try appended.append(observations: [.nan, .nan, .nan])
        let before = try model.forecast(horizon: 13, levels: [0.5])
        let after = try appended.forecast(horizon: 10, levels: [0.5])
        let sdBefore = model.forecastStandardDeviations(horizon: 13), sdAfter = appended.forecastStandardDeviations(horizon: 10)
        #expect(after.grid.start == before.grid.start + 3)
        for h in 0..<10 {
            #expect(after.mean[h].isApproximatelyEqual(to: before.mean[h + 3], relativeTolerance: 1e-12))
            #expect(sdAfter[h].isApproximatelyEqual(to: sdBefore[h + 3], relativeTolerance: 1e-12))
        }
    }

    /// A model survives a JSON round trip and forecasts exactly as before.
    @Test func modelRoundTripsThroughJSON() throws {
        let spec = ARIMASpecification(order: ARIMAOrder(p: 1, d: 1, q: 1), trend: .drift)
        let model = try ARIMAModel.fit(Self.series(Self.seasonalSample(200).enumerated().map { $1 + 0.1 * Double($0) }),
                                       specification: spec)
        let decoded = try JSONDecoder().decode(ARIMAModel.self, from: JSONEncoder().encode(model))
        #expect(try decoded.forecast(horizon: 10, levels: [0.5]) == model.forecast(horizon: 10, levels: [0.5]))
        #expect(decoded.specification == spec)
    }

    /// For a pure AR(1) with a known mean, the h-step variance is σ²(1 − φ^{2h})/(1 − φ²) — the
    /// textbook closed form — and the mean decays to the mean geometrically.
    @Test func ar1ForecastVarianceHasTheClosedForm() throws {
        let y = Self.seasonalSample(400, period: 1000)
        let model = try ARIMAModel.fit(Self.series(y), specification: ARIMASpecification(order: ARIMAOrder(p: 1, d: 0, q: 0), trend: .constant))
        let phi = model.parameters.ar[0], mu = model.beta[0]
        let sd = model.forecastStandardDeviations(horizon: 5)
        let mean = try model.forecast(horizon: 5, levels: [0.5]).mean
        for h in 1...5 {
            let variance = model.sigma2 * (1 - pow(phi, Double(2 * h))) / (1 - phi * phi)
            #expect(sd[h - 1].isApproximatelyEqual(to: variance.squareRoot(), relativeTolerance: 1e-9))
            #expect((mean[h - 1] - mu).isApproximatelyEqual(to: pow(phi, Double(h)) * (y[399] - mu), relativeTolerance: 1e-9))
        }
    }

    /// Fourier regressors use the absolute step index: a series that starts later has the same
    /// phase, so the fitted coefficients (and forecasts) do not depend on where the window starts.
    @Test func fourierTermsKeepTheirPhaseAcrossWindows() throws {
        let period = 50.0
        let values = (0..<300).map { 10 + 3 * sin(2 * Double.pi * Double($0) / period) + 0.01 * sin(Double($0 * $0)) }
        let spec = ARIMASpecification(order: ARIMAOrder(p: 0, d: 0, q: 0), trend: .constant,
                                      fourier: [ARIMAFourier(period: period, harmonics: 1)])
        let model = try ARIMAModel.fit(Self.series(values), specification: spec)
        // Column order: constant, sin, cos.
        #expect(abs(model.beta[1] - 3) < 0.01 && abs(model.beta[2]) < 0.01)
        let mean = try model.forecast(horizon: 5, levels: [0.5]).mean
        for h in 0..<5 {
            #expect(abs(mean[h] - (10 + 3 * sin(2 * Double.pi * Double(300 + h) / period))) < 0.01)
        }
    }
}
