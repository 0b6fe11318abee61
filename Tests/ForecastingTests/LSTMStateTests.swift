import Features
import Foundation
import Forecasting
import Numerics
import Testing
import TimeSeries

@Suite struct LSTMStateTests {
    static func history(_ n: Int, seed: UInt64) -> (values: [Double], features: [[Double]]) {
        var rng = SplitMix(seed: seed)
        let values = (0..<n).map { t in 10 + 3 * sin(Double(t) / 3) + rng.normal() }
        let features = (0..<n).map { t in [Double(t % 4), rng.unit() < 0.2 ? 1 : 0] }
        return (values, features)
    }

    @Test func advancingStepByStepMatchesTheFullWindowForecast() throws {
        let model = randomLSTMModel()
        let n = model.window, h = model.horizon
        let (values, features) = Self.history(n + h, seed: 9)
        let past = Array(values.prefix(n)), pastFeatures = Array(features.prefix(n)), future = Array(features.suffix(h))
        // Reference: the batch path (what `psm forecast` uses) over exactly one window.
        let x = FeatureMatrix(rows: n + h, columns: 2, names: ["f0", "f1"], values: features.flatMap { $0 })
        let input = ForecastInput(series: Series(id: "a", grid: TimeGrid(axis: .index, start: 0, step: 1, count: n), values: past),
                                  regressors: x)
        let batch = try model.forecast([input], levels: [0.1, 0.5, 0.9])[0].result.get()
        // Two sequences take the GEMM path for the recurrent product, one takes the vector loop.
        let pair = try model.forecast([input, input], levels: [0.1, 0.5, 0.9])[1].result.get()

        var state = LSTMState(model: model, scaling: model.series[0])
        for t in 0..<n { try state.advance(observations: [past[t]], features: [pastFeatures[t]]) }
        let stepwise = try state.forecast(futureFeatures: future, levels: [0.1, 0.5, 0.9])
        let whole = try LSTMState(model: model, seriesID: "a", history: past, features: pastFeatures)
            .forecast(futureFeatures: future, levels: [0.1, 0.5, 0.9])
        // Same operations in Float; only the GEMM blocking (all steps at once vs one at a time)
        // changes the summation order: a few ulps per step over 10 steps, so 1e-5 relative.
        for step in 0..<h {
            for k in 0..<3 {
                #expect(stepwise.quantiles[step][k].isApproximatelyEqual(to: batch.quantiles[step][k], relativeTolerance: 1e-5))
                #expect(whole.quantiles[step][k].isApproximatelyEqual(to: batch.quantiles[step][k], relativeTolerance: 1e-5))
                #expect(pair.quantiles[step][k].isApproximatelyEqual(to: batch.quantiles[step][k], relativeTolerance: 1e-5))
            }
        }
        #expect(state.observed == n)
    }

    @Test func shortHistoryStateMatchesTheZeroPaddedBatchForecast() throws {
        let model = randomLSTMModel(features: 0)
        let (values, _) = Self.history(6, seed: 4)
        let input = ForecastInput(series: Series(id: "new", grid: TimeGrid(axis: .index, start: 0, step: 1, count: 6), values: values))
        let out = try model.forecast([input], levels: [0.5])[0]
        let batch = try out.result.get()
        #expect(out.diagnostics.contains { $0.contains("not seen in training") })
        #expect(out.diagnostics.contains { $0.contains("zero-padded") })
        let state = try LSTMState(model: model, seriesID: "new", history: values)
        let fromState = try state.forecast(levels: [0.5])
        for step in 0..<model.horizon {
            #expect(fromState.quantiles[step][0].isApproximatelyEqual(to: batch.quantiles[step][0], relativeTolerance: 1e-5))
        }
    }

    @Test func interpolatesBetweenTrainedLevelsAndRefusesOutsideThem() throws {
        let model = randomLSTMModel(features: 0)
        let state = try LSTMState(model: model, seriesID: "a", history: Self.history(12, seed: 2).values)
        let trained = try state.forecast(levels: [0.1, 0.5, 0.9])
        let between = try state.forecast(levels: [0.3])
        for step in 0..<model.horizon {
            // 0.3 lies halfway between 0.1 and 0.5.
            let expected = (trained.quantiles[step][0] + trained.quantiles[step][1]) / 2
            #expect(between.quantiles[step][0].isApproximatelyEqual(to: expected, relativeTolerance: 1e-12))
        }
        #expect(throws: ForecastError.self) { _ = try state.forecast(levels: [0.05]) }
    }
}
