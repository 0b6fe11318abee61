import TimeSeries

/// ETS's filter for the origin guard: the one-step forecast, with a variance proportional to σ²
/// (additive errors) or to the squared forecast (multiplicative errors, whose σ² is relative),
/// and the state update; an outlier moves the state by its prediction, as a missing value does.
struct ETSFilter: OneStepFilter {
    let specification: ETSSpecification
    let parameters: ETSParameters

    func prediction(_ state: ETSState) -> (mean: Double, variance: Double)? {
        let f = state.oneStep(specification, phi: parameters.phi)
        guard f.isFinite else { return nil }
        return (f, specification.error == .additive ? 1 : f * f)
    }

    func step(_ state: inout ETSState, observing y: Double) {
        state.update(specification, parameters, observing: y)
    }
}

extension ETSModel: OriginGuarded {
    package var originOutlierPoints: [OriginOutlier] { originGuard?.outliers ?? [] }

    package mutating func markOriginOutliers(_ points: [OriginOutlier]) -> Bool {
        guard originGuard != nil else { return false }
        originGuard?.markTreated(points)
        return true
    }

    /// Runs the state again from the initial state over `series` with its last observations
    /// screened by `template` (the fit's own state is the unscreened end of the same pass).
    mutating func screenOrigin(_ series: Series, template: OriginOutlierGuard<ETSState>?) {
        guard let template else { return }
        var s = ETSState(initial: initialState, specification: specification)
        let guardState = OriginScreen.run(series.values, state: &s, filter: ETSFilter(specification: specification, parameters: parameters),
                                          template: template) { series.grid.position(at: $0) }
        guard let guardState, s.level.isFinite, s.slope.isFinite, s.season.allSatisfy(\.isFinite) else { return }
        state = s
        originGuard = guardState
    }
}
