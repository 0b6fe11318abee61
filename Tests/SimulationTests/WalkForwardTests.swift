import Forecasting
import Foundation
import Testing
import TimeSeries
import Scaling
@testable import Simulation

/// A policy's decisions at time t depend on the demand before t only: changing the trace after
/// t changes nothing the policies did before t, forecasts included.
@Suite struct WalkForwardTests {
    /// A daily-looking cycle of 12 intervals with AR(1) noise, seeded (LCG).
    static func demand(count: Int, seed: UInt64) -> [Double] {
        var s = seed
        func uniform() -> Double {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            return Double(s >> 11) / Double(UInt64(1) << 53)
        }
        var noise = 0.0
        return (0..<count).map { i in
            noise = 0.6 * noise + (uniform() - 0.5) * 3
            return max(0, 20 + 8 * sin(2 * .pi * Double(i) / 12) + noise)
        }
    }

    static func parameters() -> SimulationParameters {
        var p = SimulationParameters()
        p.unitsPerVM = 4
        p.season = 12
        p.arimaOrder = "1,0,0"
        p.fourierHarmonics = 2
        p.trainingWindow = 48 * 300
        p.retrainEvery = 24 * 300
        p.calibrationWindow = 24 * 300
        return p
    }

    static func trace(_ values: [Double]) throws -> GroupTrace {
        try GroupTrace(series: Series(id: "g", grid: TimeGrid(axis: .time, start: 1_800_000_000, step: 300, count: values.count),
                                      values: values))
    }

    @Test func decisionsBeforeAnInstantIgnoreEveryLaterDemand() throws {
        let original = Self.demand(count: 130, seed: 7)
        let cut = 90
        var changed = original
        // After the cut: a surge, then a collapse — whatever a forecaster could have used.
        for i in cut..<changed.count { changed[i] = i % 2 == 0 ? original[i] * 3 + 40 : 0 }
        let sim = try Simulator(parameters: Self.parameters(), policies: PolicyKind.allCases)
        let a = try sim.run(Self.trace(original), logActions: true)
        let b = try sim.run(Self.trace(changed), logActions: true)
        let cutTime = Double(cut - a.start) * 300

        // Forecasts issued at or before the cut's start used demand before it only.
        let streamA = WalkForwardForecaster(parameters: sim.parameters, horizon: 2).stream(for: try Self.trace(original), start: a.start)
        let streamB = WalkForwardForecaster(parameters: sim.parameters, horizon: 2).stream(for: try Self.trace(changed), start: a.start)
        for i in a.start...cut {
            #expect(streamA.forecast(at: i) == streamB.forecast(at: i), "forecast issued at interval \(i)")
        }
        #expect(streamA.forecast(at: cut + 1) != streamB.forecast(at: cut + 1), "the change must reach later forecasts")

        for (x, y) in zip(a.outcomes, b.outcomes) {
            // The decision at the cut's own start (boundary) may use the forecast issued then,
            // which saw only earlier demand: it must agree too. Live decisions of the cut's
            // interval see its demand, at t ≥ cut + detection delay.
            let before = { (log: [FleetAction]?) in (log ?? []).filter { $0.time <= cutTime } }
            #expect(!before(x.actions).isEmpty, "\(x.policy) acted before the cut")
            #expect(before(x.actions) == before(y.actions), "\(x.policy) decided differently before the cut")
            // And the test has teeth: the changed future does change what happens after it.
            #expect(x.actions != y.actions, "\(x.policy) should react to the changed future")
        }
    }

    @Test func refitsFollowTheCadenceAndCalibrationStartsAtTheSecond() throws {
        let p = Self.parameters()
        let trace = try Self.trace(Self.demand(count: 130, seed: 3))
        let stream = WalkForwardForecaster(parameters: p, horizon: 2).stream(for: trace, start: 48)
        // 82 boundaries from 48, a refit every 24: at 48, 72, 96, 120.
        #expect(stream.fits == 4)
        #expect(stream.failedFits == 0)
        #expect(stream.calibrations == 3)
        #expect(stream.missing == 0)
        // Before the first calibration the stream's forecasts are the model's; after it they differ.
        #expect(stream.forecast(at: 60) == stream.rawForecast(at: 60))
        #expect(stream.forecast(at: 80) != stream.rawForecast(at: 80))
        #expect(stream.forecast(at: 80)?.mean == stream.rawForecast(at: 80)?.mean)
        // The model takes every interval between refits: the forecast moves with the data.
        #expect(stream.rawForecast(at: 61)?.mean != stream.rawForecast(at: 60)?.mean)
    }

    /// `--model ets|theta`: refits at the cadence and, between refits, each interval through the
    /// engine's `append`; the forecast one interval after a refit is exactly the engine's.
    @Test(arguments: ["ets", "theta"])
    func etsAndThetaRefitAtTheCadenceAndAppendBetween(model: String) throws {
        var p = Self.parameters()
        p.model = model
        p.season = 4
        try p.validate()
        let demand = Self.demand(count: 130, seed: 3)
        let trace = try Self.trace(demand)
        let stream = WalkForwardForecaster(parameters: p, horizon: 2).stream(for: trace, start: 48)
        #expect(stream.fits == 4 && stream.failedFits == 0 && stream.missing == 0, "\(stream.diagnostics)")
        #expect(stream.models.allSatisfy { $0.hasPrefix(model == "ets" ? "ETS(" : "Theta(") }, "\(stream.models)")
        #expect(stream.rawForecast(at: 50)?.mean != stream.rawForecast(at: 49)?.mean)

        let history = Series(id: "g", grid: TimeGrid(axis: .time, start: trace.grid.position(at: 0), step: 300, count: 48),
                             values: Array(demand[0..<48]))
        let expected: ForecastDistribution
        if model == "ets" {
            var m = try AutoETS.fit(history, season: 4)
            try m.append(observations: [demand[48]])
            expected = try m.forecast(horizon: 2, levels: p.levels)
        } else {
            var m = try ThetaModel.fit(history, season: 4)
            try m.append(observations: [demand[48]])
            expected = try m.forecast(horizon: 2, levels: p.levels)
        }
        #expect(stream.rawForecast(at: 49) == expected)
    }
}
