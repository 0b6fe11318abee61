import TimeSeries

/// The origin guard's filter for models without a one-step state of their own — seasonal naive
/// and the LSTM's input window: the next value is predicted by the median of the values one,
/// two and three seasons earlier (the previous three values without a season), each as cleaned
/// so far, so one past spike does not make its return to normal look like an outlier. The
/// variance is constant: the guard's robust scale of the in-sample errors is the spread.
struct SeasonalMedianFilter: OneStepFilter {
    /// The values seen (cleaned: an outlier is stored as its prediction), oldest first: at least
    /// the last `3 · season` once that many were seen, at most twice as many (trimmed in bulk).
    struct State: Sendable, Hashable, Codable {
        var recent: [Double] = []
    }

    let season: Int

    init(season: Int?) { self.season = max(1, season ?? 1) }

    func prediction(_ state: State) -> (mean: Double, variance: Double)? {
        // The median of at most three values, without an array: it runs for every point of every
        // screened tail (each seasonal-naive forecast in the actuator's cycle).
        let n = state.recent.count
        var a = Double.nan, b = Double.nan, c = Double.nan, count = 0
        for k in 1...3 where n - k * season >= 0 {
            let v = state.recent[n - k * season]
            guard v.isFinite else { continue }
            switch count {
            case 0: a = v
            case 1: b = v
            default: c = v
            }
            count += 1
        }
        switch count {
        case 0: return nil
        case 1: return (a, 1)
        case 2: return ((min(a, b) + max(a, b)) / 2, 1)
        default: return (max(min(a, b), min(max(a, b), c)), 1)
        }
    }

    func step(_ state: inout State, observing u: Double) { remember(&state, u) }

    func skip(_ state: inout State) { remember(&state, prediction(state)?.mean ?? .nan) }

    /// Trimming one value per step moved the whole buffer each time (most of a screen's cost);
    /// trimmed to `3 · season` once it reaches `6 · season`, each value is moved about once.
    private func remember(_ state: inout State, _ value: Double) {
        state.recent.append(value)
        if state.recent.count >= 6 * season { state.recent.removeFirst(state.recent.count - 3 * season) }
    }
}

extension OriginScreen {
    /// `values` with the outliers near their end replaced: the last `window` values are screened
    /// against the median of the same season position one to three seasons earlier (`season`
    /// nil or 1: the previous three values); an isolated extreme value — or a run shorter than
    /// `confirmations` — is replaced by that median, a shift that persists is kept. The
    /// outliers' positions are indices into `values`. Seasonal naive forecasts from the cleaned
    /// values, the LSTM reads them as its input window.
    package static func clean(_ values: [Double], season: Int?) -> (values: [Double], outliers: [OriginOutlier]) {
        let filter = SeasonalMedianFilter(season: season)
        let guardTemplate = OriginOutlierGuard<SeasonalMedianFilter.State>()
        let start = max(0, values.count - cleanSpan(season: season))
        var state = SeasonalMedianFilter.State()
        let tail = Array(values[start...])
        let screened = run(tail, values: tail, state: &state, filter: filter, template: guardTemplate) { Int64(start + $0) }
        let outliers = screened?.outliers ?? []
        guard !outliers.isEmpty else { return (values, []) }
        var cleaned = values
        for o in outliers {
            if let r = o.replacement, r.isFinite, o.position >= 0, Int(o.position) < cleaned.count { cleaned[Int(o.position)] = r }
        }
        return (cleaned, outliers)
    }

    /// How many of the last values `clean` reads: the screened window, the span of its robust
    /// scale and three seasons before them.
    package static func cleanSpan(season: Int?) -> Int {
        OriginOutlierGuard<SeasonalMedianFilter.State>().window + scaleSpan + 3 * max(1, season ?? 1)
    }

    /// `clean`'s outliers moved from indices to the grid positions of `grid`.
    package static func onGrid(_ outliers: [OriginOutlier], _ grid: TimeGrid) -> [OriginOutlier] {
        outliers.map { OriginOutlier(position: grid.position(at: Int($0.position)), value: $0.value, replacement: $0.replacement) }
    }
}
