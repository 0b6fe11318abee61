import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// Issue 16 item 4 for every model kind: the case of the issue — an idle VM's hourly CPU around
/// 6 % with a daily cycle, whose last training hour is a 95 % spike — is not extrapolated; a level
/// shift of the last 6 hours is followed; a spike 10 hours before the origin is treated too; on
/// clean data the guard changes nothing.
@Suite struct OriginGuardModelsTests {
    /// 6 % ± a daily cycle of amplitude 1.5 and AR(1) noise (φ = 0.7, sd 0.3); 336 hours (two weeks).
    static func steady(_ n: Int = 336, seed: UInt64 = 11) -> [Double] {
        var rng = SplitMix(seed: seed)
        var e = 0.0
        return (0..<n).map { t in
            e = 0.7 * e + 0.3 * rng.normal()
            return 6 + 1.5 * sin(2 * .pi * Double(t) / 24) + e
        }
    }

    static func input(_ values: [Double]) -> ForecastInput {
        ForecastInput(series: Series(id: "vm", grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: 24)
    }

    static let levels = [0.05, 0.5, 0.95]

    static let engines: [any Forecaster] = [
        ARIMAForecaster(jobs: 1), ETSForecaster(jobs: 1), ThetaForecaster(jobs: 1), SeasonalNaive(),
    ]

    @Test(arguments: 0..<4) func aSpikeInTheLastHourIsNotExtrapolated(engine: Int) throws {
        var y = Self.steady()
        y[y.count - 1] = 95
        let f = try Self.engines[engine].forecast([Self.input(y)], horizon: 48, levels: Self.levels)[0]
        let d = try f.result.get()
        let medians = d.quantiles.map { $0[1] }
        #expect(medians.max()! < 20, "\(f.model): \(medians.prefix(6))")
        #expect(f.originOutliers == [Int64(y.count - 1)], "\(f.model) \(f.diagnostics)")
        #expect(f.diagnostics.contains { $0.contains("origin outlier at \(y.count - 1), value 95 replaced by") }, "\(f.diagnostics)")
    }

    @Test(arguments: 0..<4) func aLevelShiftOfTheLastSixHoursIsFollowed(engine: Int) throws {
        var y = Self.steady()
        for i in (y.count - 6)..<y.count { y[i] += 40 }
        let f = try Self.engines[engine].forecast([Self.input(y)], horizon: 3, levels: Self.levels)[0]
        let d = try f.result.get()
        #expect(f.originOutliers.isEmpty, "\(f.model): \(f.originOutliers)")
        if engine == 3 {
            // Seasonal naive repeats a season ago: the shifted hours come back a day later.
            #expect(d.mean.allSatisfy { $0 < 15 }, "\(d.mean)")
        } else {
            #expect(d.quantiles[0][1] > 35, "\(f.model): \(d.quantiles[0])")
        }
    }

    @Test(arguments: 0..<4) func aSpikeTenHoursBeforeTheOriginIsTreated(engine: Int) throws {
        var y = Self.steady()
        y[y.count - 10] = 95
        let f = try Self.engines[engine].forecast([Self.input(y)], horizon: 48, levels: Self.levels)[0]
        let d = try f.result.get()
        #expect(d.quantiles.map { $0[1] }.max()! < 20, "\(f.model): \(d.quantiles.map { $0[1] })")
        #expect(f.originOutliers == [Int64(y.count - 10)], "\(f.model) \(f.diagnostics)")
    }

    @Test func cleanDataIsForecastExactlyAsWithoutTheGuard() throws {
        let series = Self.input(Self.steady()).series
        let ets = try ETSModel.fit(series, specification: ETSSpecification(error: .additive, season: .additive, period: 24))
        let etsOff = try ETSModel.fit(series, specification: ETSSpecification(error: .additive, season: .additive, period: 24), originGuard: nil)
        #expect(ets.originGuard != nil)
        #expect(ets.originOutliers.isEmpty)
        #expect(try ets.forecast(horizon: 48, levels: Self.levels) == etsOff.forecast(horizon: 48, levels: Self.levels))
        let theta = try ThetaModel.fit(series, season: 24)
        let thetaOff = try ThetaModel.fit(series, season: 24, originGuard: nil)
        #expect(theta.originGuard != nil)
        #expect(theta.originOutliers.isEmpty)
        #expect(try theta.forecast(horizon: 48, levels: Self.levels) == thetaOff.forecast(horizon: 48, levels: Self.levels))
        let (cleaned, outliers) = OriginScreen.clean(series.values, season: 24)
        #expect(outliers.isEmpty)
        #expect(cleaned == series.values)
    }

    /// The actuator's path: a published ETS or Theta takes a live spike through `append` as the
    /// fit does, and the guard survives the model file's JSON.
    @Test func appendTreatsALiveSpikeForETSAndTheta() throws {
        let y = Self.steady(360)
        let series = Self.input(Array(y[0..<336])).series
        var ets = try AutoETS.fit(series, season: 24)
        var theta = try ThetaModel.fit(series, season: 24)
        try ets.append(observations: Array(y[336..<340]) + [95])
        try theta.append(observations: Array(y[336..<340]) + [95])
        #expect(ets.originOutliers == [340])
        #expect(theta.originOutliers == [340])
        #expect(try ets.forecast(horizon: 24, levels: [0.5]).mean.max()! < 20)
        #expect(try theta.forecast(horizon: 24, levels: [0.5]).mean.max()! < 20)
        let etsDecoded = try JSONDecoder().decode(ETSModel.self, from: JSONEncoder().encode(ets))
        let thetaDecoded = try JSONDecoder().decode(ThetaModel.self, from: JSONEncoder().encode(theta))
        #expect(etsDecoded.originGuard == ets.originGuard)
        #expect(thetaDecoded.originGuard == theta.originGuard)
        // A level that holds is taken once confirmed.
        try ets.append(observations: [60, 61, 60, 59])
        try theta.append(observations: [60, 61, 60, 59])
        #expect(try ets.forecast(horizon: 1, levels: [0.5]).mean[0] > 40)
        #expect(try theta.forecast(horizon: 1, levels: [0.5]).mean[0] > 40)
    }

    /// Models written before the guard decode without one and behave as before.
    @Test func modelsWrittenBeforeTheGuardStillDecode() throws {
        let series = Self.input(Self.steady()).series
        for data in [try JSONEncoder().encode(AutoETS.fit(series, season: 24)), try JSONEncoder().encode(ThetaModel.fit(series, season: 24))] {
            var json = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            #expect(json["originGuard"] != nil)
            json["originGuard"] = nil
            let old = try JSONSerialization.data(withJSONObject: json)
            if json["specification"] != nil {
                #expect(try JSONDecoder().decode(ETSModel.self, from: old).originGuard == nil)
            } else {
                #expect(try JSONDecoder().decode(ThetaModel.self, from: old).originGuard == nil)
            }
        }
    }
}
