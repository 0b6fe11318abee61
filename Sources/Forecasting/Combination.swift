import TimeSeries

/// How a combination merges its members' quantile forecasts (docs/models.md, "Combinations").
package enum CombinationRule: String, Sendable, Hashable, Codable, CaseIterable {
    /// Equal weights: the mean of the members' quantiles (the original best-two average).
    case mean
    /// The median of the members' quantiles, level by level and step by step.
    case median
    /// The weighted mean, weights from each member's calibrated rolling-origin CRPS
    /// (`QuantileCombination.inverseScoreWeights`).
    case weighted
}

/// Combining the quantile forecasts of several models (Vincentization: quantiles, not
/// probabilities, are averaged; Genest 1992, Lichtendahl et al. 2013). The training job's
/// selection, `psm forecast --model auto|combination` and the actuator's scorer all combine
/// through this one function, so the published combination forecasts as it was selected.
package enum QuantileCombination {
    /// Weights proportional to 1 / score (inverse-CRPS), normalised to sum to 1. A member
    /// without a finite positive score gets 0; when some member scored exactly 0 (a perfect
    /// backtest, e.g. a constant series) the weight is shared equally among those; when no
    /// member has a usable score the weights are equal.
    package static func inverseScoreWeights(_ scores: [Double]) -> [Double] {
        guard !scores.isEmpty else { return [] }
        let perfect = scores.map { $0 == 0 }
        if perfect.contains(true) {
            let n = Double(perfect.count { $0 })
            return perfect.map { $0 ? 1 / n : 0 }
        }
        let inverse = scores.map { $0.isFinite && $0 > 0 ? 1 / $0 : 0 }
        let total = inverse.reduce(0, +)
        guard total > 0, total.isFinite else { return scores.map { _ in 1 / Double(scores.count) } }
        return inverse.map { $0 / total }
    }

    /// Combines `parts` (same horizon and levels; the first one's grid is kept). `weights` are
    /// read by `.weighted` only (one per part, summing to 1; nil: equal). The mean of non-
    /// decreasing quantile rows, weighted or not, and their element-wise median are again
    /// non-decreasing, so no rearrangement is needed.
    package static func combine(_ parts: [ForecastDistribution], rule: CombinationRule,
                               weights: [Double]? = nil) throws(ForecastError) -> ForecastDistribution {
        guard let first = parts.first else { throw ForecastError(.invalidRequest, "a combination needs at least one member") }
        guard parts.allSatisfy({ $0.levels == first.levels && $0.horizon == first.horizon }) else {
            throw ForecastError(.invalidRequest, "combination members disagree on levels or horizon")
        }
        if let weights, weights.count != parts.count {
            throw ForecastError(.invalidRequest, "\(weights.count) weights for \(parts.count) members")
        }
        let n = parts.count
        let w: [Double] = rule == .weighted ? (weights ?? Array(repeating: 1 / Double(n), count: n))
            : Array(repeating: 1 / Double(n), count: n)
        func merge(_ values: [Double]) -> Double {
            switch rule {
            case .median: return median(values)
            case .mean, .weighted:
                var total = 0.0
                for (x, wi) in zip(values, w) where wi != 0 { total += wi * x }
                return total
            }
        }
        var column = [Double](repeating: 0, count: n)
        var mean = [Double](repeating: 0, count: first.horizon)
        var quantiles = [[Double]](repeating: [Double](repeating: 0, count: first.levels.count), count: first.horizon)
        for h in 0..<first.horizon {
            for i in 0..<n { column[i] = parts[i].mean[h] }
            mean[h] = merge(column)
            for k in 0..<first.levels.count {
                for i in 0..<n { column[i] = parts[i].quantiles[h][k] }
                quantiles[h][k] = merge(column)
            }
        }
        do {
            return try ForecastDistribution(grid: first.grid, levels: first.levels, mean: mean, quantiles: quantiles)
        } catch {
            throw ForecastError(.numericalFailure, "combination: \(error.description)")
        }
    }

    /// The median (the mean of the two middle values for an even count).
    package static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// How often each member supplied the median, over every step and level of `parts`
    /// (a member counts 1 when it is the middle value, ½ each for the two middle values of an
    /// even count; ties share): what "carries weight" means for the median rule.
    package static func medianShares(_ parts: [ForecastDistribution]) -> [Double] {
        let n = parts.count
        guard n > 0, let first = parts.first else { return [] }
        var shares = [Double](repeating: 0, count: n)
        var cells = 0.0
        for h in 0..<first.horizon {
            for k in 0..<first.levels.count {
                let order = (0..<n).sorted { parts[$0].quantiles[h][k] < parts[$1].quantiles[h][k] }
                if n % 2 == 1 {
                    shares[order[n / 2]] += 1
                } else {
                    shares[order[n / 2 - 1]] += 0.5
                    shares[order[n / 2]] += 0.5
                }
                cells += 1
            }
        }
        return cells > 0 ? shares.map { $0 / cells } : shares
    }
}
