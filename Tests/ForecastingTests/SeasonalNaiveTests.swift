import Features
import Forecasting
import Testing
import TimeSeries

@Suite struct SeasonalNaiveTests {
    static func series(_ values: [Double], axis: TimeAxis = .index) -> Series {
        Series(id: "s", grid: TimeGrid(axis: axis, start: 0, step: 1, count: values.count), values: values)
    }

    @Test func repeatsTheLastSeasonAndWidensPerCycle() throws {
        // m = 3, y = 1 2 3 | 2 3 4 | 3 4 5. Seasonal differences y_t − y_{t−3} are all 1 → σ = 1.
        let y: [Double] = [1, 2, 3, 2, 3, 4, 3, 4, 5]
        let out = try SeasonalNaive().forecast([ForecastInput(series: Self.series(y), season: 3)],
                                               horizon: 5, levels: [0.5, 0.975])
        let d = try out[0].result.get()
        #expect(out[0].model == "seasonal-naive[3]")
        #expect(d.mean == [3, 4, 5, 3, 4])
        #expect(d.grid.start == 9 && d.grid.count == 5)
        // Step 1–3: k = 0, sd = 1; steps 4–5: k = 1, sd = √2. z(0.975) = 1.959963984540054 (scipy).
        let z = 1.959963984540054
        #expect(abs(d.quantiles[0][1] - (3 + z)) < 1e-12)
        #expect(abs(d.quantiles[3][1] - (3 + z * 2.0.squareRoot())) < 1e-12)
        #expect(d.quantiles[4][0] == 4)
    }

    @Test func skipsMissingValuesToTheSameSeasonPositionEarlier() throws {
        let y: [Double] = [1, 2, 3, 10, .nan, 30]
        let d = try SeasonalNaive().forecast([ForecastInput(series: Self.series(y), season: 3)],
                                             horizon: 3, levels: [0.5])[0].result.get()
        #expect(d.mean == [10, 2, 30])
    }

    @Test func shortSeriesFallsBackToNaiveWithADiagnostic() throws {
        let out = try SeasonalNaive().forecast([ForecastInput(series: Self.series([5, 6, 7]), season: 24)],
                                               horizon: 2, levels: [0.5])
        #expect(out[0].model == "naive")
        #expect(out[0].diagnostics.count == 1)
        #expect(try out[0].result.get().mean == [7, 7])
    }

    @Test func allMissingSeriesIsAnErrorForThatSeriesOnly() throws {
        let inputs = [ForecastInput(series: Self.series([.nan, .nan])), ForecastInput(series: Self.series([1, 2]))]
        let out = try SeasonalNaive().forecast(inputs, horizon: 1, levels: [0.5])
        guard case .failure(let error) = out[0].result else { Issue.record("expected a failure"); return }
        #expect(error.code == .insufficientData)
        #expect(try out[1].result.get().mean == [2])
    }

    @Test func rejectsNonsenseRequests() {
        let input = [ForecastInput(series: Self.series([1, 2, 3]))]
        #expect(throws: ForecastError.self) { try SeasonalNaive().forecast(input, horizon: 0, levels: [0.5]) }
        #expect(throws: ForecastError.self) { try SeasonalNaive().forecast(input, horizon: 1, levels: [0.9, 0.1]) }
        #expect(throws: ForecastError.self) { try SeasonalNaive().forecast(input, horizon: 1, levels: [1.0]) }
        let regressors = FeatureMatrix(rows: 2, columns: 1, names: ["x"], values: [0, 1])
        let mismatched = [ForecastInput(series: Self.series([1, 2, 3]), regressors: regressors)]
        #expect(throws: ForecastError.self) { try SeasonalNaive().forecast(mismatched, horizon: 1, levels: [0.5]) }
    }
}
