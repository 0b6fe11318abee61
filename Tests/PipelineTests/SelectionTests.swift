import Evaluation
import Forecasting
import Pipeline
import Testing
import TimeSeries

@Suite struct SelectionTests {
    static let levels = [0.1, 0.5, 0.9]

    /// Forecasts whose quantiles are `actual + shift + (−1, 0, +1)` at every step.
    /// `spread` widens the outer quantiles to `±spread`.
    static func candidate(_ name: String, shift: (Int) -> Double, folds: Int = 4, horizon: Int = 3,
                          spread: Double = 1) throws -> CandidateForecasts {
        var out: [FoldKey: ScoredForecast] = [:]
        for fold in 1...folds {
            let actuals = (0..<horizon).map { Double(10 + fold + $0) }
            let grid = TimeGrid(axis: .index, start: Int64(fold * 10), step: 1, count: horizon)
            let q = actuals.enumerated().map { h, y in [-spread, 0, spread].map { y + shift(fold * horizon + h) + $0 } }
            let d = try ForecastDistribution(grid: grid, levels: levels, mean: q.map { $0[1] }, quantiles: q)
            out[FoldKey(seriesID: "s", fold: fold)] = ScoredForecast(forecast: d, actuals: actuals)
        }
        return CandidateForecasts(name: name, forecasts: out)
    }

    /// CRPS of the forecasts above when the actual sits `s` above the median: hand-computed
    /// 2/3 Σ ρ_τ(s − offset) over offsets (−1, 0, 1) at τ (0.1, 0.5, 0.9).
    static func crps(shift s: Double) -> Double {
        func rho(_ u: Double, _ t: Double) -> Double { u >= 0 ? t * u : (t - 1) * u }
        return 2.0 / 3 * (rho(-s + 1, 0.1) + rho(-s, 0.5) + rho(-s - 1, 0.9))
    }

    @Test func lowerCRPSWinsAndScoresAreHandComputed() throws {
        let naive = try Self.candidate("seasonal-naive", shift: { _ in 3 })
        let lstm = try Self.candidate("lstm", shift: { _ in 0.5 })
        let d = try #require(Selection.choose([naive, lstm], horizon: 3))
        #expect(d.winner == "lstm" && d.components == ["lstm"])
        #expect(abs((d.crps["lstm"] ?? 0) - Self.crps(shift: 0.5)) < 1e-12)
        #expect(abs((d.crps["seasonal-naive"] ?? 0) - Self.crps(shift: 3)) < 1e-12)
        #expect(d.comparedForecasts == 4)
        // Average of shifts 3 and 0.5 = 1.75: worse than 0.5 alone, so no combination.
        #expect(abs((d.combinationCRPS ?? 0) - Self.crps(shift: 1.75)) < 1e-12)
    }

    @Test func combinationIsKeptWhenItBeatsBoth() throws {
        // Biased by about +2 and −2: the equal-weight average is nearly centred on the truth.
        // (The biases vary a little, so the loss differences have a variance for the DM test.)
        let naive = try Self.candidate("seasonal-naive", shift: { $0 % 2 == 0 ? 2 : 2.5 })
        let lstm = try Self.candidate("lstm", shift: { $0 % 3 == 0 ? -2 : -1.6 })
        let d = try #require(Selection.choose([naive, lstm], horizon: 3))
        #expect(d.winner == "combination")
        #expect(Set(d.components) == ["seasonal-naive", "lstm"])
        let combined = try #require(d.combinationCRPS)
        #expect(combined < (d.crps["lstm"] ?? 0) && combined < (d.crps["seasonal-naive"] ?? 0))
        // The combination is not the baseline: it is tested against it.
        #expect(d.dieboldMariano != nil)
        #expect((d.dieboldMariano?.statistic ?? 0) < 0)
    }

    @Test func theBaselineCanWinAndThenIsNotTestedAgainstItself() throws {
        let naive = try Self.candidate("seasonal-naive", shift: { _ in 0 })
        let lstm = try Self.candidate("lstm", shift: { _ in 4 })
        let d = try #require(Selection.choose([naive, lstm], horizon: 3))
        #expect(d.winner == "seasonal-naive")
        #expect(d.dieboldMariano == nil && d.dieboldMarianoNote != nil)
    }

    @Test func winnerAgainstBaselineGetsADieboldMarianoTest() throws {
        // Alternating errors so the loss differences vary (a constant difference has no variance).
        let naive = try Self.candidate("seasonal-naive", shift: { $0 % 2 == 0 ? 3 : 2 }, folds: 8)
        let lstm = try Self.candidate("lstm", shift: { $0 % 3 == 0 ? 0.2 : 0.6 }, folds: 8)
        let d = try #require(Selection.choose([naive, lstm], horizon: 3))
        #expect(d.winner == "lstm")
        let dm = try #require(d.dieboldMariano)
        #expect(dm.count == 24 && dm.horizon == 3)
        #expect(dm.statistic < 0 && dm.pValue < 0.01)
    }

    @Test func onlyCommonFoldsAreCompared() throws {
        var naive = try Self.candidate("seasonal-naive", shift: { _ in 1 })
        let lstm = try Self.candidate("lstm", shift: { _ in 0.5 })
        naive.forecasts[FoldKey(seriesID: "s", fold: 1)] = nil
        let d = try #require(Selection.choose([naive, lstm], horizon: 3))
        #expect(d.comparedForecasts == 3)
        let empty = CandidateForecasts(name: "arima", forecasts: [:])
        let e = try #require(Selection.choose([naive, lstm, empty], horizon: 3))
        #expect(e.excluded == ["arima"])
        #expect(Selection.choose([empty], horizon: 3) == nil)
    }
}
