import Foundation
import ModelRegistry
import TimeSeries

/// Serves one `GroupScorer` per group from the registry's CURRENT versions and keeps the recent
/// history of every series, so that a newly published version is primed and swapped in without
/// re-reading the metric store. Thread-safe (one lock; registry reads happen outside it).
public final class ModelCatalog: @unchecked Sendable {
    /// What `refresh` did for one group.
    public enum RefreshOutcome: Sendable, Equatable {
        /// CURRENT still names the version being served.
        case unchanged(ModelVersion)
        /// A new version was loaded, primed and swapped in (`previous`: the one it replaced).
        case loaded(ModelVersion, previous: ModelVersion?)
        /// The new CURRENT could not be loaded; `serving` (if any) keeps forecasting.
        case failed(ScoringError, serving: ModelVersion?)
    }

    /// A point kept for re-priming: the grid of the values and the values (NaN = missing).
    struct History {
        var start: Int64
        var step: Int64
        var values: [Double]
        var next: Int64 { start + Int64(values.count) * step }
    }

    public let registry: ModelRegistry
    /// Points of history kept per series to prime a reloaded model (≥ an LSTM's window and two
    /// seasons; ARIMA needs only what arrived after its training data ended).
    public let historyLength: Int
    private let fixedGroups: [String]?
    private let lock = NSLock()
    /// Serialises refreshes, so that two concurrent ones cannot swap in versions out of order
    /// (one reading the pointer before a publish, the other after). Never held with `lock` waiting on it.
    private let refreshLock = NSLock()
    private var scorers: [String: GroupScorer] = [:]
    private var histories: [String: [String: History]] = [:]
    private var errors: [String: ScoringError] = [:]

    /// A catalog of `groups` (nil: every group in the registry, re-listed on each refresh).
    public init(registry: ModelRegistry, groups: [String]? = nil, historyLength: Int = 4096) {
        self.registry = registry
        fixedGroups = groups
        self.historyLength = max(1, historyLength)
    }

    /// Loads each group whose CURRENT differs from the version served (reading only the pointer
    /// otherwise). A version that fails to load or verify leaves the previous scorer serving;
    /// the error is returned and kept (`lastError`) until a later version loads.
    @discardableResult
    public func refresh() -> [String: RefreshOutcome] {
        var groups = fixedGroups ?? []
        if fixedGroups == nil {
            do throws(RegistryError) {
                groups = try registry.groups()
            } catch {
                return ["": .failed(ScoringError.from(error), serving: nil)]
            }
        }
        var out: [String: RefreshOutcome] = [:]
        for group in groups {
            out[group] = refresh(group: group)
        }
        return out
    }

    /// `refresh` for one group.
    public func refresh(group: String) -> RefreshOutcome {
        refreshLock.lock()
        defer { refreshLock.unlock() }
        let serving = withLock { scorers[group]?.version }
        let fail = { (error: ScoringError) -> RefreshOutcome in
            self.withLock { self.errors[group] = error }
            return .failed(error, serving: serving)
        }
        let pointed: ModelVersion
        do {
            guard let current = try registry.current(group: group) else { return fail(ScoringError.from(registry.nothingInService(group: group))) }
            pointed = current
        } catch {
            return fail(ScoringError.from(error))
        }
        if pointed == serving { return .unchanged(pointed) }
        var scorer: GroupScorer
        do {
            // Load exactly the version read from the pointer, so the outcome names what was verified.
            let model = try registry.load(group: group, version: pointed)
            scorer = try GroupScorer(model: model)
        } catch let error as RegistryError {
            return fail(ScoringError.from(error))
        } catch let error as ScoringError {
            return fail(error)
        } catch {
            return fail(ScoringError(.registry, "\(error)", group: group))
        }
        // Prime and swap under the lock, so no observation recorded meanwhile is missed.
        return withLock {
            var notes: [String] = []
            for (id, history) in histories[group] ?? [:] where scorer.seriesIDs.contains(id) {
                do throws(ScoringError) {
                    try scorer.append(seriesID: id, observations: history.values, startingAt: history.start)
                } catch {
                    notes.append("\(id): priming failed: \(error.message)")
                }
            }
            let previous = scorers[group]?.version
            scorers[group] = scorer
            errors[group] = notes.isEmpty ? nil
                : ScoringError(.forecast, "version \(pointed.id) loaded; " + notes.joined(separator: "; "), group: group)
            return .loaded(pointed, previous: previous)
        }
    }

    /// Records new observations of a series (first at grid position `start`, step `step`):
    /// keeps them for re-priming and, when a model is served, conditions it on them.
    public func record(group: String, seriesID: String, observations: [Double], startingAt start: Int64,
                       step: Int64) throws(ScoringError) {
        try withLock { () throws(ScoringError) in
            var history = histories[group]?[seriesID] ?? History(start: start, step: step, values: [])
            if history.step != step || history.values.isEmpty {
                history = History(start: start, step: step, values: [])
            }
            let aligned: [Double]
            switch Alignment.align(observations, start: start, expected: history.values.isEmpty ? nil : history.next,
                                   step: step) {
            case .success(let v): aligned = v
            case .failure(let problem): throw ScoringError(.invalidRequest, problem.message, group: group, seriesID: seriesID)
            }
            let first = history.next
            history.values += aligned
            // Trim in chunks so that keeping the history is amortised O(1) per point.
            if history.values.count > 2 * historyLength {
                let drop = history.values.count - historyLength
                history.values.removeFirst(drop)
                history.start += Int64(drop) * step
            }
            histories[group, default: [:]][seriesID] = history
            guard !aligned.isEmpty, var scorer = scorers[group], scorer.seriesIDs.contains(seriesID) else { return }
            try scorer.append(seriesID: seriesID, observations: aligned, startingAt: first)
            scorers[group] = scorer
        }
    }

    /// The calibrated forecasts of every series of `group`.
    public func forecast(group: String, horizon: Int, levels: [Double]) throws(ScoringError)
        -> [String: Result<ForecastDistribution, ScoringError>] {
        guard let scorer = withLock({ scorers[group] }) else {
            throw errors(group) ?? ScoringError(.noModel, "no model loaded (refresh first)", group: group)
        }
        return scorer.forecast(horizon: horizon, levels: levels)
    }

    /// The version served for `group`, if any.
    public func version(group: String) -> ModelVersion? { withLock { scorers[group]?.version } }

    /// The scorer served for `group` (a value: later records do not change it).
    public func scorer(group: String) -> GroupScorer? { withLock { scorers[group] } }

    /// The last refresh error of `group` (nil once a version loads cleanly).
    public func lastError(group: String) -> ScoringError? { errors(group) }

    private func errors(_ group: String) -> ScoringError? { withLock { errors[group] } }

    private func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
