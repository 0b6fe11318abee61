import Features
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

        /// Appends `values` (after starting over from `fresh` when `replacing`), trimming to the
        /// last `length` points in chunks so that keeping the history is amortised O(1) per point.
        mutating func append(_ new: [Double], replacing: Bool, with fresh: History, keeping length: Int) {
            if replacing { self = fresh }
            values += new
            if values.count > 2 * length {
                let drop = values.count - length
                values.removeFirst(drop)
                start += Int64(drop) * step
            }
        }
    }

    public let registry: ModelRegistry
    /// The events of a group over a window of positions (calendar events, stored notices), read
    /// when a model with regressors is primed with the kept history.
    public typealias EventSource = @Sendable (_ group: String, _ window: Range<Int64>) -> [Event]
    private let eventSource: EventSource?
    /// Lead and lag reach of the groups whose model reads regressors (kept at each swap, so the
    /// runtime learns how wide a window of notices to read without visiting every scorer).
    private var featured: [String: (lead: Int64, lag: Int64)] = [:]
    /// Points of history kept per series to prime a reloaded model (≥ an LSTM's window and two
    /// seasons; ARIMA needs only what arrived after its training data ended).
    public let historyLength: Int
    private let fixedGroups: [String]?
    /// With `fixedGroups` nil: which of the registry's groups this catalog serves (nil: all).
    private let include: (@Sendable (String) -> Bool)?
    private let lock = NSLock()
    /// Serialises refreshes, so that two concurrent ones cannot swap in versions out of order
    /// (one reading the pointer before a publish, the other after). Never held with `lock` waiting on it.
    private let refreshLock = NSLock()
    private var scorers: [String: GroupScorer] = [:]
    private var histories: [String: [String: History]] = [:]
    private var errors: [String: ScoringError] = [:]
    /// Every `fullCheckEvery`-th refresh reads every pointer even when the change marker stayed.
    package let fullCheckEvery: Int
    /// Guards the marker seen at the last full check and the groups it covered. Taken before
    /// `refreshLock`, never while holding `lock`.
    private let markerLock = NSLock()
    private var checkedMarker: String?
    private var checkedGroups: [String]?
    private var refreshesSinceFullCheck = 0
    /// The last quick refresh's answer when every group was unchanged; dropped (under `lock`)
    /// whenever a scorer is swapped or an error recorded.
    private var unchangedOutcomes: [String: RefreshOutcome]?

    /// A catalog of `groups` (nil: every group in the registry, re-listed on each full check).
    /// `fullCheckEvery`: refreshes between reads of every pointer while the registry's change
    /// marker stays the same (1: read every pointer on every refresh).
    /// `events`: where a model with regressors finds the events of the history it is primed with.
    /// `include` (with `groups` nil): serve only the registry groups it accepts — so a group that
    /// has no model at all costs no pointer read per refresh (the runtime's memory models).
    public init(registry: ModelRegistry, groups: [String]? = nil, historyLength: Int = 4096, fullCheckEvery: Int = 12,
                events: EventSource? = nil, include: (@Sendable (String) -> Bool)? = nil) {
        self.registry = registry
        eventSource = events
        fixedGroups = groups
        self.include = include
        self.historyLength = max(1, historyLength)
        self.fullCheckEvery = max(1, fullCheckEvery)
    }

    /// Loads each group whose CURRENT differs from the version served (reading only the pointer
    /// otherwise). A version that fails to load or verify leaves the previous scorer serving;
    /// the error is returned and kept (`lastError`) until a later version loads.
    ///
    /// When the registry's change marker (`ModelRegistry.generation()`) is the one seen at the
    /// last full check, no pointer moved through the registry since: only groups without a clean
    /// scorer are retried, and every `fullCheckEvery`-th refresh reads every pointer anyway (a
    /// CURRENT edited by hand). Reading 10,000 pointers took longer than scoring 10,000 groups.
    @discardableResult
    public func refresh() -> [String: RefreshOutcome] {
        markerLock.lock()
        defer { markerLock.unlock() }
        // Read before any pointer: a publish landing during this refresh changes it once more
        // after its pointer moved, so the next refresh checks again.
        let marker = (try? registry.generation()) ?? nil
        if let marker, marker == checkedMarker, let known = checkedGroups, refreshesSinceFullCheck + 1 < fullCheckEvery {
            refreshesSinceFullCheck += 1
            // Every group served cleanly and nothing swapped since the last quick refresh: the
            // same answer again, without a lookup per group.
            if let same = withLock({ errors.isEmpty ? unchangedOutcomes : nil }) { return same }
            var out = [String: RefreshOutcome](minimumCapacity: known.count)
            var retry: [String] = []
            withLock {
                for group in known {
                    if errors[group] == nil, let served = scorers[group]?.version {
                        out[group] = .unchanged(served)
                    } else {
                        retry.append(group)
                    }
                }
                // Kept under the same lock, so a scorer swapped meanwhile cannot be hidden by it.
                if retry.isEmpty { unchangedOutcomes = out }
            }
            for group in retry { out[group] = refresh(group: group) }
            return out
        }
        var groups = fixedGroups ?? []
        if fixedGroups == nil {
            do throws(RegistryError) {
                groups = try registry.groups()
                if let include { groups = groups.filter(include) }
            } catch {
                return ["": .failed(ScoringError.from(error), serving: nil)]
            }
        }
        var out: [String: RefreshOutcome] = [:]
        for group in groups {
            out[group] = refresh(group: group)
        }
        checkedMarker = marker
        checkedGroups = groups
        withLock { unchangedOutcomes = nil }
        refreshesSinceFullCheck = 0
        return out
    }

    /// `refresh` for one group.
    public func refresh(group: String) -> RefreshOutcome {
        refreshLock.lock()
        defer { refreshLock.unlock() }
        let serving = withLock { scorers[group]?.version }
        let fail = { (error: ScoringError) -> RefreshOutcome in
            self.withLock {
                self.errors[group] = error
                self.unchangedOutcomes = nil
            }
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
        // The events over the kept history, read before the lock (a store read); the window runs
        // on past the history's end, so points recorded meanwhile are covered too.
        var events: [Event] = []
        if let reach = scorer.featureReach, let source = eventSource {
            let first = withLock { histories[group]?.values.map(\.start).min() }
            if let first {
                events = source(group, (first - reach.lag)..<(FeatureSchema.positionLimit.upperBound))
            }
        }
        // Prime and swap under the lock, so no observation recorded meanwhile is missed.
        return withLock {
            var notes: [String] = []
            for (id, history) in histories[group] ?? [:] where scorer.seriesIDs.contains(id) {
                do throws(ScoringError) {
                    try scorer.append(seriesID: id, observations: history.values, startingAt: history.start, events: events)
                } catch {
                    notes.append("\(id): priming failed: \(error.message)")
                }
            }
            let previous = scorers[group]?.version
            scorers[group] = scorer
            featured[group] = scorer.featureReach
            unchangedOutcomes = nil
            errors[group] = notes.isEmpty ? nil
                : ScoringError(.forecast, "version \(pointed.id) loaded; " + notes.joined(separator: "; "), group: group)
            return .loaded(pointed, previous: previous)
        }
    }

    /// Records new observations of a series (first at grid position `start`, step `step`):
    /// keeps them for re-priming and, when a model is served, conditions it on them (`events`:
    /// the regressors' events, for a model that reads them).
    public func record(group: String, seriesID: String, observations: [Double], startingAt start: Int64,
                       step: Int64, events: [Event] = []) throws(ScoringError) {
        try withLock { () throws(ScoringError) in
            // Only the history's position is read first: holding a copy of it while appending
            // would copy its thousands of values on every call (copy-on-write).
            let kept = histories[group]?[seriesID].map { (next: $0.next, usable: $0.step == step && !$0.values.isEmpty) }
            let continues = kept?.usable ?? false
            let aligned: [Double]
            switch Alignment.align(observations, start: start, expected: continues ? kept?.next : nil, step: step) {
            case .success(let v): aligned = v
            case .failure(let problem): throw ScoringError(.invalidRequest, problem.message, group: group, seriesID: seriesID)
            }
            let first = continues ? (kept?.next ?? start) : start
            let fresh = History(start: start, step: step, values: [])
            // In place: the dictionaries yield the stored history, so the append copies nothing.
            histories[group, default: [:]][seriesID, default: fresh].append(aligned, replacing: !continues, with: fresh,
                                                                            keeping: historyLength)
            guard !aligned.isEmpty, scorers[group]?.seriesIDs.contains(seriesID) == true else { return }
            // In place as well; `GroupScorer.append` changes nothing when it throws.
            try scorers[group]?.append(seriesID: seriesID, observations: aligned, startingAt: first, events: events)
        }
    }

    /// The calibrated forecasts of every series of `group` (`events`: see `record`).
    public func forecast(group: String, horizon: Int, levels: [Double], events: [Event] = []) throws(ScoringError)
        -> [String: Result<ForecastDistribution, ScoringError>] {
        guard let scorer = withLock({ scorers[group] }) else {
            throw errors(group) ?? ScoringError(.noModel, "no model loaded (refresh first)", group: group)
        }
        return scorer.forecast(horizon: horizon, levels: levels, events: events)
    }

    /// The largest lead and lag of the event columns of any model served (0, 0 when no model
    /// reads events): how far beyond a window of interest events still change a forecast.
    package func featureReach() -> (lead: Int64, lag: Int64) {
        withLock { featured.values.reduce((lead: Int64(0), lag: Int64(0))) { (max($0.lead, $1.lead), max($0.lag, $1.lag)) } }
    }

    /// The version served for `group`, if any.
    public func version(group: String) -> ModelVersion? { withLock { scorers[group]?.version } }

    /// The scorer served for `group` (a value: later records do not change it).
    public func scorer(group: String) -> GroupScorer? { withLock { scorers[group] } }

    /// The last refresh error of `group` (nil once a version loads cleanly).
    package func lastError(group: String) -> ScoringError? { errors(group) }

    private func errors(_ group: String) -> ScoringError? { withLock { errors[group] } }

    private func withLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
