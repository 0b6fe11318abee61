import TimeSeries

/// A model's one-observation filter as the origin guard sees it: the one-step prediction from a
/// state, and the state moved past an observation. ARIMA (`IntegratedState`), ETS, Theta and the
/// seasonal-median screen of seasonal naive and the LSTM's input window provide one.
package protocol OneStepFilter {
    associatedtype State
    /// The one-step prediction of the next observation and its variance up to a constant factor
    /// (the guard standardises by a robust scale of in-sample values); nil when there is none.
    func prediction(_ state: State) -> (mean: Double, variance: Double)?
    /// Moves `state` past observation `u`; NaN is a missing observation.
    func step(_ state: inout State, observing u: Double)
    /// Moves `state` past an observation held back as an outlier (default: as if it were missing).
    func skip(_ state: inout State)
    /// The data-unit value that replaces observation `y` (filter units `u`, prediction `mean`):
    /// what the state rests on instead of the outlier.
    func replacement(for y: Double, observing u: Double, prediction mean: Double) -> Double
}

extension OneStepFilter {
    package func skip(_ state: inout State) { step(&state, observing: .nan) }
    public func replacement(for y: Double, observing u: Double, prediction mean: Double) -> Double { mean }
}

/// An observation near the origin that a model treated as an outlier: its grid position, the
/// observed value and the value the state rests on instead (data units; nil in models written
/// before replacements were recorded).
public struct OriginOutlier: Sendable, Hashable, Codable {
    public var position: Int64
    public var value: Double?
    public var replacement: Double?

    public init(position: Int64, value: Double? = nil, replacement: Double? = nil) {
        self.position = position
        self.value = value
        self.replacement = replacement
    }
}

/// Keeps an isolated extreme observation near the forecast origin out of a model's state, so a
/// one-hour spike is not extrapolated for days, while a persistent shift is followed. Model
/// independent: it works on any `OneStepFilter` (ARIMA, ETS, Theta, seasonal naive, the LSTM's
/// input window).
///
/// Each observation's one-step error is standardised, z = (u − μ) / √F, and compared with a
/// robust scale of the in-sample z (1.4826 × their median absolute deviation), which a few
/// outliers in the fit cannot inflate. An observation with |z| > `threshold` × that scale is held
/// back: the state steps over it (`OneStepFilter.skip`: as if missing, or its prediction), and it
/// becomes *pending*. When `confirmations` consecutive pending observations deviate to the same
/// side, they are a level shift: the state is rewound to before the first of them and conditioned
/// on all of them, and further same-side deviations are taken as they come until an ordinary
/// observation arrives. A pending run that ends (an ordinary or opposite observation follows) or
/// that is still pending at the origin was an outlier: it stays skipped and is listed in `treated`.
///
/// The same guard runs when a model is fitted (over its last `window` observations) and on every
/// observation the model's `append` takes, so live scoring treats an origin as the fit does.
public struct OriginOutlierGuard<State> {
    /// A deviation counts as extreme above this many robust standard deviations.
    public var threshold: Double
    /// Consecutive same-side extremes that make a level shift.
    package var confirmations: Int
    /// Observations before the end of the fitted data that the fit screens.
    package var window: Int
    /// The robust scale of the standardised errors (1 for a well-specified Gaussian model).
    package var robustScale: Double
    /// Grid positions of the observations treated as outliers (the most recent `treatedLimit`).
    package private(set) var treated: [Int64] = []
    /// Their values and replacements, parallel to `treated` (nil in models written before them).
    var treatedPoints: [OriginOutlier]?
    /// The pending run: the state before its first point, its points, and its side.
    var checkpoint: State?
    var pending: [PendingPoint] = []
    /// The side of the pending run.
    var pendingSign: Double = 0
    /// The side of a confirmed shift still in progress (0: none).
    var shiftSign: Double = 0

    struct PendingPoint: Sendable, Hashable, Codable {
        var position: Int64
        var u: Double
        var value: Double?
        var replacement: Double?
    }

    static var treatedLimit: Int { 64 }

    public init(threshold: Double = 5, confirmations: Int = 3, window: Int = 24, robustScale: Double = 1) {
        self.threshold = threshold
        self.confirmations = max(1, confirmations)
        self.window = max(0, window)
        self.robustScale = robustScale
    }

    /// Positions of the observations currently held back (an unconfirmed run at the origin).
    package var pendingPositions: [Int64] { pending.map(\.position) }

    /// Every observation the state does not rest on: those settled as outliers, then the pending ones.
    package var outlierPositions: [Int64] { treated + pendingPositions }

    /// The same, with values and replacements where recorded.
    package var outliers: [OriginOutlier] {
        let settled = treatedPoints.flatMap { $0.count == treated.count ? $0 : nil } ?? treated.map { OriginOutlier(position: $0) }
        return settled + pending.map { OriginOutlier(position: $0.position, value: $0.value, replacement: $0.replacement) }
    }

    /// Takes one observation `u` (filter units; `y` in data units) at `position` into `state`.
    package mutating func step<F: OneStepFilter>(_ state: inout State, observing u: Double, value y: Double? = nil, at position: Int64,
                                                filter: F) where F.State == State {
        guard let (mu, f) = filter.prediction(state), u.isFinite, f > 1e-12 else {
            // Missing (or no spread): an ordinary step; a pending run stays pending.
            filter.step(&state, observing: u)
            return
        }
        let z = (u - mu) / f.squareRoot()
        let extreme = abs(z) > threshold * robustScale
        let sign: Double = z < 0 ? -1 : 1
        if extreme, shiftSign == sign, pending.isEmpty {
            // A confirmed shift continuing.
            filter.step(&state, observing: u)
            return
        }
        if !extreme {
            settlePendingAsOutliers()
            shiftSign = 0
            filter.step(&state, observing: u)
            return
        }
        if !pending.isEmpty, pendingSign != sign {
            settlePendingAsOutliers()
        }
        if pending.isEmpty { checkpoint = state; pendingSign = sign }
        let value = y ?? u
        pending.append(PendingPoint(position: position, u: u, value: value,
                                    replacement: filter.replacement(for: value, observing: u, prediction: mu)))
        filter.skip(&state)
        if pending.count >= confirmations, var rewound = checkpoint {
            for p in pending { filter.step(&rewound, observing: p.u) }
            state = rewound
            shiftSign = sign
            pending = []
            checkpoint = nil
        }
    }

    /// Records `points` as treated (a refit that had them masked reports its first fit's outliers).
    mutating func markTreated(_ points: [OriginOutlier]) {
        var byPosition = Dictionary(outliers.map { ($0.position, $0) }, uniquingKeysWith: { a, _ in a })
        for p in points { byPosition[p.position] = p }
        let pendingSet = Set(pendingPositions)
        let settled = byPosition.values.filter { !pendingSet.contains($0.position) }.sorted { $0.position < $1.position }
            .suffix(Self.treatedLimit)
        treated = settled.map(\.position)
        treatedPoints = Array(settled)
    }

    private mutating func settlePendingAsOutliers() {
        guard !pending.isEmpty else { return }
        var points = treatedPoints.flatMap { $0.count == treated.count ? $0 : nil } ?? treated.map { OriginOutlier(position: $0) }
        treated.append(contentsOf: pending.map(\.position))
        points.append(contentsOf: pending.map { OriginOutlier(position: $0.position, value: $0.value, replacement: $0.replacement) })
        if treated.count > Self.treatedLimit {
            treated.removeFirst(treated.count - Self.treatedLimit)
            points.removeFirst(points.count - Self.treatedLimit)
        }
        treatedPoints = points
        pending = []
        checkpoint = nil
        pendingSign = 0
    }
}

extension OriginOutlierGuard: Sendable where State: Sendable {}
extension OriginOutlierGuard: Equatable where State: Equatable {}
extension OriginOutlierGuard: Hashable where State: Hashable {}
extension OriginOutlierGuard: Codable where State: Codable {}

/// The robust scale and the screening pass shared by every model's fit.
package enum OriginScreen {
    /// Errors, before the screened window, that the guard's robust scale is computed from.
    package static let scaleSpan = 200

    /// The robust scale of standardised errors: 1.4826 · MAD, or their deviations' 75th
    /// percentile / 1.1503 when that is larger (both σ for Gaussian errors, both unmoved by a
    /// quarter of wild errors — a fit's first season —; the second keeps quantised errors, such as
    /// a repeating pattern whose MAD collapses, from flagging ordinary points). Nil with fewer than
    /// 8 of them or a degenerate spread (then the guard is off).
    package static func robustScale(of z: [Double]) -> Double? {
        let finite = z.filter(\.isFinite)
        guard finite.count >= 8 else { return nil }
        let median = Self.median(finite)
        let deviations = finite.map { abs($0 - median) }.sorted()
        let mad = Self.median(deviations)
        let upperQuartile = deviations[min(deviations.count - 1, Int((0.75 * Double(deviations.count - 1)).rounded()))]
        let scale = max(1.4826 * mad, upperQuartile / 1.1503)
        return scale.isFinite && scale > 1e-9 ? scale : nil
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// The standardised error of `u` against the filter's prediction (nil: missing or no spread).
    static func standardised<F: OneStepFilter>(_ u: Double, state: F.State, filter: F) -> Double? {
        guard u.isFinite, let (mu, f) = filter.prediction(state), f > 1e-12 else { return nil }
        return (u - mu) / f.squareRoot()
    }

    /// Steps `state` through `u` (filter units; `values` the data-unit observations, same count),
    /// the observation at index i being at grid position `position(i)`. The last `template.window`
    /// observations are screened by a copy of `template` whose robust scale comes from the
    /// standardised errors of up to `scaleSpan` observations before them. Returns the guard, or
    /// nil (no template, nothing before the window, too few errors for a scale).
    public static func run<F: OneStepFilter>(_ u: [Double], values: [Double]? = nil, state: inout F.State, filter: F,
                                            template: OriginOutlierGuard<F.State>?,
                                            position: (Int) -> Int64) -> OriginOutlierGuard<F.State>? {
        let n = u.count
        let screenFrom = n - (template?.window ?? 0)
        var guardState: OriginOutlierGuard<F.State>? = (screenFrom <= 0 || screenFrom >= n) ? nil : template
        var errors: [Double] = []
        for i in 0..<n {
            if i == screenFrom, var g = guardState {
                if let robust = robustScale(of: errors) {
                    g.robustScale = robust
                    guardState = g
                } else {
                    guardState = nil
                }
            }
            if i >= screenFrom, guardState != nil {
                guardState?.step(&state, observing: u[i], value: values?[i], at: position(i), filter: filter)
            } else {
                if i >= screenFrom - scaleSpan, let z = standardised(u[i], state: state, filter: filter) { errors.append(z) }
                filter.step(&state, observing: u[i])
            }
        }
        return guardState
    }
}

/// A model whose state an origin guard screens: the forecasters' refit-without-outliers step
/// works on any of them.
package protocol OriginGuarded {
    /// Observations near the origin the state treats as outliers, with values and replacements.
    var originOutlierPoints: [OriginOutlier] { get }
    /// Records outliers a previous fit found (the refit had them masked); false when the model has
    /// no guard to record them in (then the first fit is kept).
    mutating func markOriginOutliers(_ points: [OriginOutlier]) -> Bool
}

extension OriginGuarded {
    /// Their grid positions, oldest first.
    package var originOutliers: [Int64] { originOutlierPoints.map(\.position) }
}

extension OriginScreen {
    /// `fit`, then, when the origin guard treated observations as outliers, `fit` again with those
    /// observations missing: a spike in the fitted data inflates σ² (intervals ten times too wide
    /// on a steady series) and can change the model chosen. The refitted model reports the first
    /// fit's outliers (its state never saw them). Costs a second fit only for series with an
    /// outlier at the origin; a failed refit keeps the first model.
    package static func refitWithoutOutliers<M: OriginGuarded>(_ series: Series,
                                                             _ fit: (Series) throws(ForecastError) -> M) throws(ForecastError) -> M {
        let first = try fit(series)
        let outliers = first.originOutlierPoints
        guard !outliers.isEmpty else { return first }
        let masked = series.masking(outliers.map(\.position))
        do {
            var refit = try fit(masked)
            return refit.markOriginOutliers(outliers) ? refit : first
        } catch {
            return first
        }
    }
}

extension OriginScreen {
    /// The diagnostic naming the observations near the origin a model treated as outliers:
    /// `observations near the origin treated as outliers, not extrapolated: origin outlier at
    /// 2026-03-01T12:00:00Z, value 95 replaced by 6.1`; empty when there is none.
    public static func note(_ points: [OriginOutlier], axis: TimeAxis) -> [String] {
        guard !points.isEmpty else { return [] }
        let names = points.map { p -> String in
            let at = axis == .time ? Timestamp.format(p.position) : "\(p.position)"
            guard let v = p.value, let r = p.replacement else { return "origin outlier at \(at)" }
            return "origin outlier at \(at), value \(shown(v)) replaced by \(shown(r))"
        }
        return ["observations near the origin treated as outliers, not extrapolated: " + names.joined(separator: "; ")]
    }

    /// A value with at most 4 significant decimals.
    package static func shown(_ x: Double) -> String {
        let rounded = (x * 10_000).rounded() / 10_000
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int64(rounded))" : "\(rounded)"
    }
}

extension Series {
    /// A copy with the values at grid `positions` set missing (positions off the grid are ignored).
    func masking(_ positions: [Int64]) -> Series {
        var masked = self
        for p in positions {
            let offset = p - grid.start
            guard offset >= 0, offset % grid.step == 0 else { continue }
            let i = Int(offset / grid.step)
            if i < masked.values.count { masked.values[i] = .nan }
        }
        return masked
    }
}
