import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// Issue 16 item 4: a spike at the forecast origin is not extrapolated, a level shift is followed.
@Suite struct OriginOutlierTests {
    /// A steady CPU-percent series around 6 % with persistent AR(1) noise (φ = 0.9, sd 0.3), as an
    /// idle VM's hourly CPU looks; 240 hours.
    static func steady(_ n: Int = 240, seed: UInt64 = 7) -> [Double] {
        var rng = SplitMix(seed: seed)
        var e = 0.0
        return (0..<n).map { _ in
            e = 0.9 * e + 0.3 * rng.normal()
            return 6 + e
        }
    }

    static func series(_ values: [Double]) -> Series {
        Series(id: "vm", grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values)
    }

    @Test func aSpikeAsTheLastObservationIsNotExtrapolated() throws {
        var y = Self.steady()
        y[y.count - 1] = 95
        let out = try ARIMAForecaster(jobs: 1).forecast([ForecastInput(series: Self.series(y), season: nil)],
                                                        horizon: 48, levels: [0.05, 0.5, 0.95])
        let d = try out[0].result.get()
        #expect(d.mean[0] < 20, "step 1: \(d.mean[0]) (\(out[0].model))")
        #expect(d.mean[2] < 20, "step 3: \(d.mean[2]) (\(out[0].model))")
        #expect(out[0].originOutliers == [Int64(y.count - 1)])
        #expect(out[0].diagnostics.contains { $0.contains("treated as outliers") })
        // Refitted without the spike: σ² is the steady series' (90 % width ≈ 2 at step 3), not
        // inflated by one 89-point residual (≈ 38 before the refit).
        #expect(d.quantiles[2][2] - d.quantiles[2][0] < 10, "\(d.quantiles[2])")
    }

    @Test func aSpikeIsNotExtrapolatedByAFixedAR1Either() throws {
        var y = Self.steady()
        y[y.count - 1] = 95
        let model = try ARIMAModel.fit(Self.series(y), specification: ARIMASpecification(order: ARIMAOrder(p: 1, d: 0, q: 0)))
        let d = try model.forecast(horizon: 3, levels: [0.5])
        #expect(d.mean[2] < 20, "\(d.mean) \(model.parameters)")
        #expect(model.originOutliers == [Int64(y.count - 1)])
    }

    @Test func aLevelShiftOfSixPointsIsFollowed() throws {
        var y = Self.steady()
        for i in (y.count - 6)..<y.count { y[i] += 40 }
        let out = try ARIMAForecaster(jobs: 1).forecast([ForecastInput(series: Self.series(y), season: nil)],
                                                        horizon: 3, levels: [0.5])
        let d = try out[0].result.get()
        #expect(d.mean[0] > 35, "step 1: \(d.mean[0]) (\(out[0].model))")
        #expect(out[0].originOutliers.isEmpty)
    }

    @Test func appendTreatsALiveSpikeAsTheFitDoesAndReleasesItWhenTheLevelHolds() throws {
        let y = Self.steady(260)
        var model = try ARIMAModel.fit(Self.series(Array(y[0..<240])), specification: ARIMASpecification(order: ARIMAOrder(p: 1, d: 0, q: 0)))
        try model.append(observations: Array(y[240..<250]) + [95])
        #expect(try model.forecast(horizon: 3, levels: [0.5]).mean[2] < 20)
        #expect(model.originOutliers == [250])
        // Back to normal: the spike stays an outlier, the state follows the new points.
        try model.append(observations: Array(y[251..<254]))
        #expect(model.originOutliers == [250])
        #expect(abs(try model.forecast(horizon: 1, levels: [0.5]).mean[0] - 6) < 2)
        // A shift that persists is taken once confirmed: the forecast follows it.
        try model.append(observations: [60, 61, 60, 59])
        #expect(try model.forecast(horizon: 1, levels: [0.5]).mean[0] > 40)
        #expect(model.originOutliers == [250])
        // The guard survives encoding (the registry stores the model as JSON).
        let decoded = try JSONDecoder().decode(ARIMAModel.self, from: JSONEncoder().encode(model))
        #expect(decoded.originGuard == model.originGuard)
    }

    @Test func aModelWrittenBeforeTheGuardStillDecodes() throws {
        let model = try ARIMAModel.fit(Self.series(Self.steady()), specification: ARIMASpecification(order: ARIMAOrder(p: 1, d: 0, q: 0)))
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model)) as? [String: Any] ?? [:]
        json["originGuard"] = nil
        var old = try JSONDecoder().decode(ARIMAModel.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.originGuard == nil)
        try old.append(observations: [95])
        #expect(try old.forecast(horizon: 1, levels: [0.5]).mean[0] > 20, "no guard: the old behaviour")
    }
}
