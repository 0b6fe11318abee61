import Forecasting
import Foundation
import Pipeline
import Testing
import TimeSeries

/// `psm forecast --model auto|combination` (`AutoForecaster`): per-series selection by the
/// training job's rule, and the bad input for ETS, Theta, the combination and auto.
@Suite struct AutoForecasterTests {
    static let levels = [0.05, 0.5, 0.95]

    static func input(_ id: String, _ values: [Double], season: Int = 24) -> ForecastInput {
        ForecastInput(series: Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: values.count), values: values),
                      season: season)
    }

    /// A daily cycle whose shape drifts from day to day (y_t = y_{t−24} + noise, about 6 % CPU):
    /// yesterday's hour is the best forecast of today's, which seasonal naive gives exactly.
    static func seasonalWalk(_ n: Int, seed: UInt64 = 7) -> [Double] {
        var rng = SplitMix(seed)
        var y: [Double] = (0..<24).map { 6 + 2 * sin(Double($0) * 2 * .pi / 24) }
        while y.count < n { y.append(y[y.count - 24] + 0.6 * rng.normal()) }
        return y
    }

    /// The bad input, each as one series (24-step season, horizon 12).
    static let cases: [(String, [Double])] = [
        ("constant", Array(repeating: 5, count: 120)),
        ("shorter-than-two-seasons", (0..<30).map { 5 + sin(Double($0)) }),
        ("all-zero-stretches", (0..<120).map { t in (40..<70).contains(t) || t >= 100 ? 0 : 3 + sin(Double(t) / 3) }),
        ("huge-values", (0..<120).map { 1e12 * (2 + sin(Double($0) * 2 * .pi / 24)) }),
        ("nan-run-at-the-end", (0..<120).map { t in t >= 108 ? .nan : 4 + cos(Double(t) * 2 * .pi / 24) }),
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
        let out = try Self.forecaster(model).forecast([Self.input(name, values)], horizon: 12, levels: Self.levels)
        #expect(out.count == 1)
        switch try #require(out.first).result {
        case .success(let d):
            #expect(d.horizon == 12)
            for h in 0..<12 {
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

    /// Item 4's last sentence: on a series where seasonal naive wins the backtest, the last point is
    /// a spike (95 against a steady ~6). Selection prefers seasonal naive, or the weighted combination
    /// gives it the largest weight, and the forecast does not carry the spike into the next hours.
    @Test func seasonalNaiveCarriesTheWeightWhereItWinsEvenWithASpikeAtTheOrigin() throws {
        var values = Self.seasonalWalk(24 * 14)
        values[values.count - 1] = 95
        let input = Self.input("vm", values)
        let choice = try #require(try AutoForecaster(combination: .weighted).choose([input], horizon: 48, levels: Self.levels).first)
        let decision = try #require(choice.decision)
        let crps = decision.crps
        let best = try #require(crps.min { $0.value < $1.value })
        #expect(best.key == "seasonal-naive", "\(crps)")
        let weights = try #require(decision.weights)
        let top = try #require(weights.max { $0.value < $1.value })
        #expect(top.key == "seasonal-naive", "\(weights)")
        #expect(choice.forecast.diagnostics.first?.contains("seasonal-naive") == true, "\(choice.forecast.diagnostics)")
        let d = try choice.forecast.result.get()
        // Steps 1–23: no member repeats the spike (seasonal naive repeats it at step 24 only).
        for h in 0..<23 { #expect(d.quantiles[h][1] < 20, "step \(h + 1): \(d.quantiles[h])") }

        // auto picks by the same scores: seasonal naive alone, or a combination that beats it.
        let auto = try #require(try AutoForecaster().choose([input], horizon: 48, levels: Self.levels).first)
        let a = try #require(auto.decision)
        #expect(a.winner == "seasonal-naive" || (a.winner == "combination" && (a.weights?["seasonal-naive"] ?? 0) > 0), "\(a)")
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
