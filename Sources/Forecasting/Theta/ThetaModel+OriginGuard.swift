import TimeSeries

/// Theta's filter for the origin guard, on the seasonally adjusted series: the one-step forecast
/// (constant variance: σ of the adjusted residuals) and the state update; an outlier moves the
/// state by its forecast, as a missing value does.
struct ThetaFilter: OneStepFilter {
    let type: ThetaModelType
    let parameters: ThetaParameters
    let multiplicativeSeason: Bool

    func prediction(_ state: ThetaState) -> (mean: Double, variance: Double)? {
        let f = state.oneStep(parameters)
        return f.isFinite ? (f, 1) : nil
    }

    func step(_ state: inout ThetaState, observing u: Double) {
        state.update(type, parameters, observing: u)
    }

    /// The forecast reseasonalised as `y` was adjusted.
    func replacement(for y: Double, observing u: Double, prediction mean: Double) -> Double {
        guard multiplicativeSeason else { return y - (u - mean) }
        return u != 0 ? mean * (y / u) : mean
    }
}

extension ThetaModel: OriginGuarded {
    var filter: ThetaFilter { ThetaFilter(type: type, parameters: parameters, multiplicativeSeason: multiplicativeSeason) }

    package var originOutlierPoints: [OriginOutlier] { originGuard?.outliers ?? [] }

    package mutating func markOriginOutliers(_ points: [OriginOutlier]) -> Bool {
        guard originGuard != nil else { return false }
        originGuard?.markTreated(points)
        return true
    }

    /// Runs the state again over the adjusted series `y` (data units `raw`) with its last
    /// observations screened by `template`.
    mutating func screenOrigin(_ y: [Double], raw: [Double], grid: TimeGrid, template: OriginOutlierGuard<ThetaState>?) {
        guard let template, y.count > 1 else { return }
        var s = ThetaState(first: y[0], data: y, type: type, parameters: parameters)
        let guardState = OriginScreen.run(Array(y.dropFirst()), values: Array(raw.dropFirst()), state: &s, filter: filter,
                                          template: template) { grid.position(at: $0 + 1) }
        guard let guardState, s.level.isFinite, s.meanY.isFinite, s.a.isFinite, s.b.isFinite else { return }
        state = s
        originGuard = guardState
    }
}
