import Evaluation
import Forecasting
import TimeSeries

/// Why a group's model was chosen: the evidence that goes into the manifest's `selection` section.
package struct SelectionDecision: Sendable, Hashable, Codable {
    /// A candidate's name (`seasonal-naive`, `arima`, `ets`, `theta`, `lstm`) or `combination`
    /// (the members' quantiles combined by `rule`).
    package var winner: String
    /// The models whose forecasts are published: one, or a combination's members.
    package var components: [String]
    /// Mean calibrated CRPS per candidate over the series and folds every candidate forecast.
    package var crps: [String: Double]
    /// CRPS of the equal-weight average of the best two, when there were two.
    package var combinationCRPS: Double?
    /// The baseline every choice is compared with.
    package var baseline: String
    /// Winner against the baseline (negative statistic = the winner's loss is lower); nil when the
    /// winner is the baseline or the test could not be computed.
    package var dieboldMariano: DieboldMarianoResult?
    /// Why there is no Diebold–Mariano result, when there is none.
    package var dieboldMarianoNote: String?
    /// Series × folds the scores are averaged over.
    package var comparedForecasts: Int
    /// Candidates that produced no comparable forecast.
    package var excluded: [String]
    /// The published combination's rule (`mean` of the best two, `median` or `weighted` of all
    /// members); nil when a single model won. Absent in decisions made before it existed: `mean`.
    package var rule: CombinationRule?
    /// Which members carry weight in the published combination: for `mean` and `weighted` the
    /// weights it forecasts with (summing to 1), for `median` the share of the backtest's
    /// quantiles each member supplied. Nil when a single model won.
    package var weights: [String: Double]?
    /// Calibrated CRPS of every combination candidate, by rule (`mean` is `combinationCRPS`).
    package var combinations: [String: Double]?

    /// The published combination's weight per component (`components` order), for the scorer.
    package var componentWeights: [Double]? {
        guard rule == .weighted, let weights else { return nil }
        return components.map { weights[$0] ?? 0 }
    }
}

/// Picks a group's model by calibrated CRPS on the backtest (Gneiting & Raftery 2007: a proper
/// score, so it rewards calibration and sharpness together). The combinations compete as
/// candidates: the equal-weight mean of the best two, the median of all members (at least
/// three), and their CRPS-weighted mean (at least two). A combination wins only with a strictly
/// lower score than every single model, so ties go to the simpler forecast.
package enum Selection {
    package static let baseline = "seasonal-naive"
    package static let combinationName = "combination"

    /// Chooses among `candidates` (forecasts already calibrated). Scores are compared only over
    /// the series and folds every candidate forecast, so a model that failed somewhere is not
    /// rewarded for skipping the hard cases. Ties go to the earlier candidate (list the simpler
    /// ones first). `force` publishes that combination of all members whatever the scores
    /// (`psm forecast --model combination`). Nil when no candidate has a forecast.
    package static func choose(_ candidates: [CandidateForecasts], horizon: Int,
                              force: CombinationRule? = nil) -> SelectionDecision? {
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
        var winnerLosses = losses[winner] ?? [], winnerScore = crps[winner] ?? .infinity
        var rule: CombinationRule?, weights: [String: Double]?
        var scores: [String: Double] = [:]
        var combinationCRPS: Double?

        let members = usable.map(\.name)
        let rolling = RollingWeights(usable, keys: keys, horizon: horizon)
        let published = Dictionary(uniqueKeysWithValues: zip(members, QuantileCombination.inverseScoreWeights(
            members.map { crps[$0] ?? .infinity })))
        var options: [(rule: CombinationRule, names: [String])] = []
        if ranked.count >= 2 { options.append((.mean, [ranked[0], ranked[1]])) }
        if usable.count >= 3 { options.append((.median, members)) }
        if usable.count >= 2 { options.append((.weighted, members)) }
        for option in options where force == nil || force == option.rule {
            let parts = option.names.compactMap { n in usable.first { $0.name == n } }
            var combined: [Double] = [], shares = [Double](repeating: 0, count: parts.count)
            for key in keys {
                let w = option.rule == .weighted ? rolling.weights(before: key.fold) : nil
                guard let c = combine(parts.map { $0.forecasts[key] }, rule: option.rule, weights: w) else { continue }
                combined += pointCRPS(c)
                if option.rule == .median {
                    let s = QuantileCombination.medianShares(parts.compactMap { $0.forecasts[key]?.forecast })
                    for i in s.indices { shares[i] += s[i] / Double(keys.count) }
                }
            }
            let score = mean(combined)
            scores[option.rule.rawValue] = score
            if option.rule == .mean { combinationCRPS = score }
            guard score < winnerScore || force == option.rule else { continue }
            winner = combinationName
            components = option.names
            winnerLosses = combined
            winnerScore = score
            rule = option.rule
            switch option.rule {
            case .mean: weights = Dictionary(uniqueKeysWithValues: option.names.map { ($0, 1 / Double(option.names.count)) })
            case .median: weights = Dictionary(uniqueKeysWithValues: zip(option.names, shares))
            case .weighted: weights = published
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
                                 comparedForecasts: keys.count, excluded: excluded, rule: rule, weights: weights,
                                 combinations: scores.isEmpty ? nil : scores)
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

    /// The members' forecasts of one origin combined by `rule` (nil when one is missing or
    /// they disagree on levels or horizon).
    static func combine(_ parts: [ScoredForecast?], rule: CombinationRule, weights: [Double]?) -> ScoredForecast? {
        let present = parts.compactMap { $0 }
        guard present.count == parts.count, let first = present.first,
              let d = try? QuantileCombination.combine(present.map(\.forecast), rule: rule, weights: weights) else { return nil }
        return ScoredForecast(forecast: d, actuals: first.actuals)
    }

    /// The equal-weight average of two forecasts' quantiles and means (levels must agree).
    static func average(_ a: ScoredForecast?, _ b: ScoredForecast?) -> ScoredForecast? {
        combine([a, b], rule: .mean, weights: nil)
    }

    static func mean(_ xs: [Double]) -> Double {
        let finite = xs.filter(\.isFinite)
        return finite.isEmpty ? .infinity : finite.reduce(0, +) / Double(finite.count)
    }
}

/// The weights a CRPS-weighted combination forecasts with at a backtest origin: inverse mean
/// calibrated CRPS of each member over the compared origins whose targets all lie before it
/// (origin + horizon ≤ this origin, any series of the group), equal weights when there are
/// none. So the combination's backtest score is held out like calibration's: no forecast is
/// weighted by its own errors. The published weights use every origin.
package struct RollingWeights: Sendable {
    /// Per compared origin (ascending): the members' summed point CRPS and counts.
    private var rows: [(origin: Int, sums: [Double], counts: [Int])] = []
    private let members: Int
    private let horizon: Int

    init(_ candidates: [CandidateForecasts], keys: [FoldKey], horizon: Int) {
        members = candidates.count
        self.horizon = horizon
        for key in keys.sorted(by: { $0.fold < $1.fold }) {
            var sums = [Double](repeating: 0, count: members), counts = [Int](repeating: 0, count: members)
            for (i, c) in candidates.enumerated() {
                for l in Selection.pointCRPS(c.forecasts[key]) where l.isFinite {
                    sums[i] += l
                    counts[i] += 1
                }
            }
            rows.append((key.fold, sums, counts))
        }
    }

    /// Member weights (candidates' order) for a forecast made at `origin`.
    package func weights(before origin: Int) -> [Double] {
        var sums = [Double](repeating: 0, count: members), counts = [Int](repeating: 0, count: members)
        for row in rows where row.origin + horizon <= origin {
            for i in 0..<members {
                sums[i] += row.sums[i]
                counts[i] += row.counts[i]
            }
        }
        guard counts.contains(where: { $0 > 0 }) else { return [Double](repeating: 1 / Double(members), count: members) }
        return QuantileCombination.inverseScoreWeights(zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : .infinity })
    }
}
