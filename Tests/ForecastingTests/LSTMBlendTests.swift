import Foundation
@testable import Forecasting
import Testing
import TimeSeries

/// The blend toward the baseline chosen on each series' held-out window (`LSTMHeldOut`).
@Suite struct LSTMBlendTests {
    @Test func weightsAreChosenPerSeriesAndPooledOnTheHeldOutWindow() {
        // levels 0.1, 0.5, 0.9 (median index 1); every step's quantiles 0.5, 1, 1.5.
        let q: [Float] = Array([[Float]](repeating: [0.5, 1, 1.5], count: 4).joined())
        let heldOut = LSTMHeldOut(rows: [(0, [0, 0, 0, 0], q), (1, [1, 1, 1, 1], q), (2, [0.5, 0.5, 0.5, .nan], q)],
                                  quantileCount: 3, horizon: 4)
        let (items, pooled) = heldOut.blendWeights(median: 1)
        // Series 0's target is the baseline (0), series 1's the network's median, series 2's half way.
        #expect(items == [0: 0, 1: 1, 2: 0.5])
        // Pooled absolute errors: w = 1: 4 + 0 + 1.5, ¾: 3 + 1 + 0.75, ½: 2 + 2 + 0, ¼: 1 + 3 + 0.75, 0: 0 + 4 + 1.5.
        #expect(pooled == 0.5)
        // Shifted by −(1 − w) × median: series 0 → (−0.5, 0, 0.5), 2 → (0, 0.5, 1); targets at or below.
        #expect(heldOut.coverage(median: 1, weights: items) == [0, 1, 1])
        // Unblended: 7 of the 11 observed targets lie at or below the 0.1 quantile.
        #expect(heldOut.coverage(median: 1, weights: [:]) == [7.0 / 11, 1, 1])
    }

    static func input(_ id: String, count: Int, level: Double) -> ForecastInput {
        let values = (0..<count).map { (t: Int) -> Double in
            let cycle: Double = 1 + 0.3 * sin(2 * Double.pi * Double(t) / 24)
            let noise: Double = 0.01 * Double((t * 7919) % 13)
            return level * cycle + noise
        }
        return ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: count), values: values),
                             season: 24)
    }

    static var configuration: LSTMConfiguration {
        var c = LSTMConfiguration(hiddenSize: 4, layers: 1, window: 48, epochs: 2, batchSize: 8, seed: 5)
        c.batchesPerEpoch = 3
        c.seeds = 1
        c.reportsProgress = false
        return c
    }

    @Test func trainingStoresTheWeightsAndTheFileKeepsThem() throws {
        let inputs = [Self.input("a", count: 150, level: 10), Self.input("b", count: 150, level: 300)]
        var perSeries = Self.configuration
        perSeries.blend = .series
        let (model, _) = try #require(try LSTMForecaster(configuration: perSeries).fit(inputs, horizon: 12, levels: [0.1, 0.9]))
        #expect(model.series.allSatisfy { LSTMHeldOut.weights.contains($0.blend ?? -1) }, "\(model.series)")
        #expect(model.training.blend.map(LSTMHeldOut.weights.contains) == true)
        let back = try LSTMModel(serialized: model.serialized())
        #expect(back.series == model.series && back.training.blend == model.training.blend)
        // The default: one pooled weight, no per-series one (every series reads the pooled weight).
        let (pooled, _) = try #require(try LSTMForecaster(configuration: Self.configuration).fit(inputs, horizon: 12, levels: [0.1, 0.9]))
        #expect(pooled.series.allSatisfy { $0.blend == nil } && pooled.training.blend == model.training.blend)
        #expect(pooled.series.allSatisfy { pooled.blend(for: $0) == model.training.blend })
        var c = Self.configuration
        c.blend = .off
        let (plain, _) = try #require(try LSTMForecaster(configuration: c).fit(inputs, horizon: 12, levels: [0.1, 0.9]))
        #expect(plain.series.allSatisfy { $0.blend == nil } && plain.training.blend == nil)
        #expect(plain.members == model.members, "the blend changes no weight")
    }

    /// Weight 0 forecasts the baseline (seasonal naive) at the median and keeps the network's spread;
    /// the actuator's `LSTMState` reads the same weight.
    @Test func weightZeroForecastsTheBaselineWithTheNetworksSpread() throws {
        let input = Self.input("a", count: 150, level: 10)
        var (model, _) = try #require(try LSTMForecaster(configuration: Self.configuration).fit([input], horizon: 12, levels: [0.1, 0.9]))
        model.series[0].blend = 1
        let network = try model.forecast([input], levels: [0.1, 0.5, 0.9])[0].result.get()
        model.series[0].blend = 0
        let blended = try model.forecast([input], levels: [0.1, 0.5, 0.9])[0].result.get()
        let y = input.series.values, n = y.count
        for k in 0..<12 {
            #expect(abs(blended.quantiles[k][1] - y[n - 24 + k]) < 1e-9 * abs(y[n - 24 + k]))
            #expect(abs(blended.mean[k] - y[n - 24 + k]) < 1e-9 * abs(y[n - 24 + k]))
            let spread = network.quantiles[k][2] - network.quantiles[k][0]
            #expect(abs((blended.quantiles[k][2] - blended.quantiles[k][0]) - spread) < 1e-9 * abs(spread) + 1e-12)
        }
        #expect(network.quantiles[0][1] != blended.quantiles[0][1])
        let state = try LSTMState(model: model, seriesID: "a", history: y, season: 24)
        let scored = try state.forecast(levels: [0.1, 0.5, 0.9])
        #expect(scored.quantiles == blended.quantiles)
    }
}
