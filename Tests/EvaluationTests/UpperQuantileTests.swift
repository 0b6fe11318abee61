import Evaluation
import Forecasting
import Testing
import TimeSeries

@Suite struct UpperQuantileTests {
    @Test func defaultLevelsGiveThe99PercentInterval() throws {
        let y = (0..<40).map { Double($0 % 5) }
        let input = ForecastInput(series: Series(id: "s", grid: TimeGrid(axis: .index, start: 0, step: 1, count: y.count), values: y), season: 5)
        let report = try Backtest.run(SeasonalNaive(), inputs: [input], configuration: BacktestConfiguration(horizon: 5, folds: 2))
        let summary = try #require(report.overall)
        #expect(Set(summary.coverage.keys) == ["0.8", "0.9", "0.95", "0.99"])
        #expect(Set(try #require(summary.upperCoverage).keys) == ["0.9", "0.95", "0.975", "0.995"])
        #expect(Set(try #require(summary.upperPinball).keys) == ["0.9", "0.95", "0.975", "0.995"])
    }

    @Test func upperCoverageAndPinballAreHandComputed() throws {
        // Two steps, levels 0.5 / 0.9: q0.9 = 10 at both; actuals 8 (below) and 12 (above).
        // One-sided coverage of 0.9 = 1/2; pinball_0.9 = (0.1·2 + 0.9·2)/2 = 1.0.
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 2)
        let d = try ForecastDistribution(grid: grid, levels: [0.5, 0.9], mean: [9, 9], quantiles: [[9, 10], [9, 10]])
        let accuracy = try Accuracy.evaluate(d, actuals: [8, 12], scale: nil)
        let s = MetricSummary(accuracy, forecast: d, actuals: [8, 12])
        #expect(s.upperCoverage == ["0.9": 0.5])
        let pinball = try #require(s.upperPinball?["0.9"])
        #expect(abs(pinball - 1.0) < 1e-12)
        #expect(s.upperPinball?["0.5"] == nil)
    }
}
