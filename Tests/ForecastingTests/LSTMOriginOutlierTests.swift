import Foundation
import Forecasting
import Testing
import TimeSeries

/// Issue 16 item 4 for the LSTM: its input window is cleaned of outliers near the origin
/// (`OriginScreen.clean`) in the batch forecast and in the scoring state, so both read exactly
/// the history with the spike replaced by the median of the same hour on the previous days.
@Suite struct LSTMOriginOutlierTests {
    static func steady(_ n: Int) -> [Double] {
        var rng = SplitMix(seed: 5)
        var e = 0.0
        return (0..<n).map { t in
            e = 0.7 * e + 0.3 * rng.normal()
            return 6 + 1.5 * sin(2 * .pi * Double(t) / 24) + e
        }
    }

    @Test func aSpikeInTheInputWindowIsReplacedInTheBatchForecastAndTheState() throws {
        let model = randomLSTMModel(features: 0)
        let n = 24 * 12
        let clean = Self.steady(n)
        var spiked = clean
        spiked[n - 1] = 95
        let expected = [clean[n - 25], clean[n - 49], clean[n - 73]].sorted()[1]
        var replaced = clean
        replaced[n - 1] = expected
        func input(_ v: [Double]) -> ForecastInput {
            ForecastInput(series: Series(id: "a", grid: TimeGrid(axis: .index, start: 0, step: 1, count: n), values: v), season: 24)
        }
        let out = try model.forecast([input(spiked)], levels: [0.1, 0.5, 0.9])[0]
        #expect(out.originOutliers == [Int64(n - 1)])
        #expect(out.diagnostics.contains { $0.contains("origin outlier at \(n - 1), value 95 replaced by") }, "\(out.diagnostics)")
        let reference = try model.forecast([input(replaced)], levels: [0.1, 0.5, 0.9])[0]
        #expect(reference.originOutliers.isEmpty)
        #expect(try out.result.get() == reference.result.get())

        let state = try LSTMState(model: model, seriesID: "a", history: spiked, season: 24)
        #expect(state.originOutliers.map(\.position) == [Int64(n - 1)])
        #expect(state.originOutliers.first?.replacement == expected)
        let fromReplaced = try LSTMState(model: model, seriesID: "a", history: replaced, season: 24)
        #expect(try state.forecast(levels: [0.5]).quantiles == fromReplaced.forecast(levels: [0.5]).quantiles)
    }

    @Test func aLevelShiftInTheInputWindowIsKept() throws {
        let model = randomLSTMModel(features: 0)
        var y = Self.steady(24 * 12)
        for i in (y.count - 6)..<y.count { y[i] += 40 }
        let series = Series(id: "a", grid: TimeGrid(axis: .index, start: 0, step: 1, count: y.count), values: y)
        let out = try model.forecast([ForecastInput(series: series, season: 24)], levels: [0.5])[0]
        #expect(out.originOutliers.isEmpty)
        #expect(try LSTMState(model: model, seriesID: "a", history: y, season: 24).originOutliers.isEmpty)
    }
}
