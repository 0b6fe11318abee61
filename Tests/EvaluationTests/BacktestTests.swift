import Evaluation
import Features
import Forecasting
import Testing
import TimeSeries

@Suite struct BacktestTests {
    static func input(_ values: [Double], season: Int? = nil, id: String = "s") -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count),
                                     values: values), season: season)
    }

    @Test func naiveOnALineHasKnownErrorsAtEveryOrigin() throws {
        // y_t = t, n = 20, naive forecast from origin o is o − 1 for every step: errors 1, 2, 3.
        // MAE = 2; in-sample scale mean|y_t − y_{t−1}| = 1 → MASE = 2. Origins 20−3−3 = 14 and 17.
        let report = try Backtest.run(SeasonalNaive(), inputs: [Self.input((0..<20).map(Double.init))],
                                      configuration: BacktestConfiguration(horizon: 3, folds: 2))
        let s = report.series[0]
        #expect(s.folds.map(\.origin) == [14, 17])
        #expect(s.folds.allSatisfy { $0.accuracy.mae == 2 && $0.accuracy.mase == 2 })
        // sMAPE of fold 2: actuals 17, 18, 19 against 16: 200/3 · (1/33 + 2/34 + 3/35).
        let expected = 200.0 / 3 * (1.0 / 33 + 2.0 / 34 + 3.0 / 35)
        #expect(abs(s.folds[1].accuracy.smape - expected) < 1e-12)
        #expect(report.overall?.mase == 2)
        #expect(report.model == "seasonal-naive")
    }

    @Test func exactSeasonalSeriesScoresZeroAndLeavesScaledMetricsOut() throws {
        let y = (0..<24).map { Double([3, 1, 4, 1][$0 % 4]) }
        let report = try Backtest.run(SeasonalNaive(), inputs: [Self.input(y, season: 4)],
                                      configuration: BacktestConfiguration(horizon: 4, folds: 3))
        let summary = try #require(report.series[0].summary)
        #expect(summary.mae == 0)
        #expect(summary.mase == nil) // the in-sample seasonal differences are all 0
        #expect(summary.coverage["0.95"] == 1)
        #expect(summary.msis.isEmpty)
    }

    @Test func foldsWithTooLittleHistoryAreSkippedWithADiagnostic() throws {
        let report = try Backtest.run(SeasonalNaive(), inputs: [Self.input([1, 2, 3, 4, 5, 6])],
                                      configuration: BacktestConfiguration(horizon: 2, folds: 3))
        // Origins 0, 2, 4: only the last has ≥ 3 training points.
        #expect(report.series[0].folds.map(\.origin) == [4])
        #expect(report.series[0].diagnostics.filter { $0.contains("skipped") }.count == 2)
    }

    @Test func seriesThatCannotBeForecastHaveNoSummaryAndDoNotSkewTheOverall() throws {
        let good = Self.input((0..<12).map(Double.init), id: "good")
        let missing = Self.input([Double](repeating: .nan, count: 12), id: "missing")
        let report = try Backtest.run(SeasonalNaive(), inputs: [good, missing],
                                      configuration: BacktestConfiguration(horizon: 2, folds: 2))
        #expect(report.series[1].summary == nil)
        #expect(report.series[1].diagnostics.contains { $0.contains("no forecast") })
        #expect(report.overall == report.series[0].summary)
    }

    @Test func regressorsMustCoverTheHistory() {
        var input = Self.input([1, 2, 3, 4, 5])
        input.regressors = FeatureMatrix(rows: 4, columns: 1, names: ["x"], values: [0, 0, 0, 0])
        #expect(throws: ForecastError.self) {
            try Backtest.run(SeasonalNaive(), inputs: [input], configuration: BacktestConfiguration(horizon: 1))
        }
    }
}

@Suite struct BacktestRetentionTests {
    @Test func eachFoldKeepsItsForecastAndActualsForCalibration() throws {
        let y = (0..<12).map(Double.init)
        let report = try Backtest.run(SeasonalNaive(), inputs: [BacktestTests.input(y)],
                                      configuration: BacktestConfiguration(horizon: 2, folds: 2))
        let folds = report.series[0].folds
        #expect(folds.map(\.actuals) == [[8, 9], [10, 11]])
        #expect(folds.map(\.forecast.mean) == [[7, 7], [9, 9]])
        #expect(folds[1].forecast.grid.start == 10)
    }
}
