import Evaluation
import Forecasting
import Pipeline
import Testing
import TimeSeries

/// The rolling forms of the candidates forecast from each fold origin exactly what the batch
/// forecasters of `psm backtest` forecast there (same fit, same forecast code), so switching the
/// training job to the rolling backtest changed what is measured between folds, not at them.
@Suite struct RollingEnginesTests {
    static func inputs() -> [ForecastInput] {
        [Fixture.input("a", group: "g", count: 96), Fixture.input("b", group: "g", count: 96, level: 30)]
    }

    static func foldForecasts(_ report: BacktestReport) -> [[ForecastDistribution]] {
        report.series.map { $0.folds.map(\.forecast) }
    }

    @Test(arguments: ["seasonal-naive", "arima"])
    func foldOriginForecastsEqualTheBatchBacktests(model: String) throws {
        let config = BacktestConfiguration(horizon: 6, folds: 2, stride: 12)
        let catalog = ModelCatalog(lstm: TrainingConfiguration.defaultLSTM)
        let rolling = try #require(catalog.rollingForecaster(model))
        let batch = try #require(catalog.forecaster(model))
        let a = try RollingBacktest.run(rolling, inputs: Self.inputs(), configuration: config, originStride: 1)
        let b = try Backtest.run(batch, inputs: Self.inputs(), configuration: config)
        #expect(Self.foldForecasts(a.report) == Self.foldForecasts(b))
        #expect(a.report.series.map { $0.folds.map(\.origin) } == [[78, 90], [78, 90]])
        #expect(a.origins.map(\.count) == [13, 13] && a.span == 13)
    }

    /// ETS and Theta: the first fold's fit is the batch forecaster's fit (season 6 keeps the
    /// seasonal ETS candidates quick in a debug build), and between folds `append` moves it.
    /// Theta refits every fold as `psm backtest` does; ETS re-estimates the specification its
    /// first fold chose, starting from that fold's optimum (`ETSModel.refit`), not a new search.
    @Test(arguments: ["ets", "theta"])
    func etsAndThetaFoldOriginForecastsEqualTheBatchBacktests(model: String) throws {
        let inputs = [Fixture.input("a", group: "g", count: 60, season: 6), Fixture.input("b", group: "g", count: 60, level: 30, season: 6)]
        let config = BacktestConfiguration(horizon: 6, folds: 2, stride: 12)
        let catalog = ModelCatalog(lstm: TrainingConfiguration.defaultLSTM)
        let rolling = try #require(catalog.rollingForecaster(model))
        let batch = try #require(catalog.forecaster(model))
        let a = try RollingBacktest.run(rolling, inputs: inputs, configuration: config, originStride: 1)
        let b = try Backtest.run(batch, inputs: inputs, configuration: config)
        #expect(a.report.series.allSatisfy { $0.folds.allSatisfy { !$0.model.hasPrefix("seasonal-naive") && $0.model != "naive" } })
        #expect(a.origins.map(\.count) == [13, 13])
        if model == "theta" {
            #expect(Self.foldForecasts(a.report) == Self.foldForecasts(b))
            return
        }
        func cut(_ input: ForecastInput, _ n: Int) -> Series {
            var s = input.series
            s.values = Array(s.values.prefix(n))
            s.grid = TimeGrid(axis: s.grid.axis, start: s.grid.start, step: s.grid.step, count: n)
            return s
        }
        for (s, input) in zip(a.report.series, inputs) {
            #expect(s.folds[0].forecast == b.series.first { $0.seriesID == s.seriesID }?.folds[0].forecast)
            // Fold 2: the first fold's specification, re-estimated on the fold's history from
            // the first fold's optimum.
            #expect(s.folds[1].model == s.folds[0].model)
            let first = try AutoETS.fit(cut(input, s.folds[0].origin), season: 6)
            let refit = try ETSModel.refit(cut(input, s.folds[1].origin), like: first)
            #expect(s.folds[1].forecast == (try refit.forecast(horizon: 6, levels: config.levels)))
        }
    }

    /// The LSTM's carried state reads the same window as its batch forecast; the two run the same
    /// Float32 network through differently blocked GEMMs, so they agree to Float32 rounding (values
    /// ~10–30: 1e-4 absolute is about 100 ulps).
    @Test func lstmFoldOriginForecastsMatchTheBatchForecast() throws {
        var lstm = LSTMConfiguration(hiddenSize: 4, layers: 1, window: 12, epochs: 1, batchSize: 4, seed: 7)
        lstm.batchesPerEpoch = 2
        lstm.validation = false
        let catalog = ModelCatalog(lstm: lstm)
        let config = BacktestConfiguration(horizon: 6, folds: 2, stride: 12)
        let rolling = try #require(catalog.rollingForecaster("lstm")), batch = try #require(catalog.forecaster("lstm"))
        let a = try RollingBacktest.run(rolling, inputs: Self.inputs(), configuration: config, originStride: 6)
        let b = try Backtest.run(batch, inputs: Self.inputs(), configuration: config)
        for (x, y) in zip(Self.foldForecasts(a.report).joined(), Self.foldForecasts(b).joined()) {
            for (r, s) in zip(x.quantiles, y.quantiles) {
                for (u, v) in zip(r, s) { #expect(abs(u - v) <= 1e-4) }
            }
        }
        #expect(a.origins.map(\.count) == [3, 3])
    }
}
