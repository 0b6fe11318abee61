import Evaluation
import TimeSeries

/// Why a group's model was chosen: the evidence that goes into the manifest's `selection` section.
public struct SelectionDecision: Sendable, Hashable, Codable {
    /// `lstm`, `seasonal-naive`, or `combination` (equal-weight quantile average of `components`).
    public var winner: String
    /// The models whose forecasts are published: one, or the two that are averaged.
    public var components: [String]
    /// Mean calibrated CRPS per candidate over the series and folds every candidate forecast.
    public var crps: [String: Double]
    /// CRPS of the equal-weight average of the best two, when there were two.
    public var combinationCRPS: Double?
    /// The baseline every choice is compared with.
    public var baseline: String
    /// Winner against the baseline (negative statistic = the winner's loss is lower); nil when the
    /// winner is the baseline or the test could not be computed.
    public var dieboldMariano: DieboldMarianoResult?
    /// Why there is no Diebold–Mariano result, when there is none.
    public var dieboldMarianoNote: String?
    /// Series × folds the scores are averaged over.
    public var comparedForecasts: Int
    /// Candidates that produced no comparable forecast.
    public var excluded: [String]
}

/// Picks a group's model by calibrated CRPS on the backtest (Gneiting & Raftery 2007: a proper
/// score, so it rewards calibration and sharpness together).
public enum Selection {
    public static let baseline = "seasonal-naive"
    public static let combinationName = "combination"

    /// Chooses among `candidates` (forecasts already calibrated). Scores are compared only over
    /// the series and folds every candidate forecast, so a model that failed somewhere is not
    /// rewarded for skipping the hard cases. Ties go to the earlier candidate (list the simpler
    /// ones first). Nil when no candidate has a forecast.
    public static func choose(_ candidates: [CandidateForecasts], horizon: Int) -> SelectionDecision? {
        let usable = candidates.filter { !$0.forecasts.isEmpty }
        let excluded = candidates.filter { $0.forecasts.isEmpty }.map(\.name)
        guard let first = usable.first else { return nil }
        var common = Set(first.forecasts.keys)
        for c in usable.dropFirst() { common.formIntersection(c.forecasts.keys) }
        let keys = common.sorted()
        guard !keys.isEmpty else { return nil }

        var losses: [String: [Double]] = [:], crps: [String: Double] = [:]
        for c in usable {
            let l = keys.flatMap { pointCRPS(c.forecasts[$0]) }
            losses[c.name] = l
            crps[c.name] = mean(l)
        }
        let ranked = usable.map(\.name).enumerated()
            .sorted { a, b in
                let x = crps[a.element] ?? .infinity, y = crps[b.element] ?? .infinity
                return x != y ? x < y : a.offset < b.offset
            }.map(\.element)
        var winner = ranked[0], components = [ranked[0]]
        var winnerLosses = losses[winner] ?? []
        var combinationCRPS: Double?
        if ranked.count >= 2,
           let a = usable.first(where: { $0.name == ranked[0] }), let b = usable.first(where: { $0.name == ranked[1] }) {
            let combined = keys.flatMap { pointCRPS(average(a.forecasts[$0], b.forecasts[$0])) }
            let score = mean(combined)
            combinationCRPS = score
            if score < (crps[winner] ?? .infinity) {
                winner = combinationName
                components = [ranked[0], ranked[1]]
                winnerLosses = combined
            }
        }
        var dm: DieboldMarianoResult?, note: String?
        if components == [baseline] {
            note = "the winner is the baseline"
        } else if let base = losses[baseline] {
            do { dm = try DieboldMariano.test(lossA: winnerLosses, lossB: base, horizon: horizon) } catch {
                note = error.message
            }
        } else {
            note = "the baseline produced no comparable forecast"
        }
        return SelectionDecision(winner: winner, components: components, crps: crps, combinationCRPS: combinationCRPS,
                                 baseline: baseline, dieboldMariano: dm, dieboldMarianoNote: note,
                                 comparedForecasts: keys.count, excluded: excluded)
    }

    /// CRPS (2 × mean pinball over the levels) at every step; NaN where the actual is missing.
    static func pointCRPS(_ s: ScoredForecast?) -> [Double] {
        guard let s else { return [] }
        let levels = s.forecast.levels
        return s.actuals.enumerated().map { h, y in
            guard !y.isNaN, h < s.forecast.quantiles.count else { return .nan }
            let row = s.forecast.quantiles[h]
            var total = 0.0
            for (k, tau) in levels.enumerated() {
                let u = y - row[k]
                total += u >= 0 ? tau * u : (tau - 1) * u
            }
            return 2 * total / Double(levels.count)
        }
    }

    /// The equal-weight average of two forecasts' quantiles and means (levels must agree). The
    /// average of two non-decreasing rows is non-decreasing, so no rearrangement is needed.
    static func average(_ a: ScoredForecast?, _ b: ScoredForecast?) -> ScoredForecast? {
        guard let a, let b, a.forecast.levels == b.forecast.levels, a.forecast.horizon == b.forecast.horizon else { return nil }
        let quantiles = zip(a.forecast.quantiles, b.forecast.quantiles).map { x, y in zip(x, y).map { ($0 + $1) / 2 } }
        let means = zip(a.forecast.mean, b.forecast.mean).map { ($0 + $1) / 2 }
        guard let d = try? ForecastDistribution(grid: a.forecast.grid, levels: a.forecast.levels, mean: means,
                                                quantiles: quantiles) else { return nil }
        return ScoredForecast(forecast: d, actuals: a.actuals)
    }

    static func mean(_ xs: [Double]) -> Double {
        let finite = xs.filter(\.isFinite)
        return finite.isEmpty ? .infinity : finite.reduce(0, +) / Double(finite.count)
    }
}
