/// Keeps an isolated extreme observation near the forecast origin out of the filter state, so a
/// one-hour spike is not extrapolated for days, while a persistent shift is followed.
///
/// Each observation's one-step innovation is standardised, z = v / √(F σ²), and compared with a
/// robust scale of the in-sample z (1.4826 × their median absolute deviation), which a few
/// outliers in the fit cannot inflate. An observation with |z| > `threshold` × that scale is held
/// back: the state steps over it as if it were missing, and it becomes *pending*. When
/// `confirmations` consecutive pending observations deviate to the same side, they are a level
/// shift: the state is rewound to before the first of them and conditioned on all of them, and
/// further same-side deviations are taken as they come until an ordinary observation arrives.
/// A pending run that ends (an ordinary or opposite observation follows) or that is still pending
/// at the origin was an outlier: it stays skipped and is listed in `treated`.
///
/// The same guard runs when the model is fitted (over its last `window` observations) and on every
/// observation `ARIMAModel.append` takes, so live scoring treats an origin as the fit does.
public struct OriginOutlierGuard: Sendable, Hashable, Codable {
    /// A deviation counts as extreme above this many robust standard deviations.
    public var threshold: Double
    /// Consecutive same-side extremes that make a level shift.
    public var confirmations: Int
    /// Observations before the end of the fitted data that the fit screens.
    public var window: Int
    /// The robust scale of the standardised innovations (1 for a well-specified Gaussian model).
    public var robustScale: Double
    /// Grid positions of the observations treated as outliers (the most recent `treatedLimit`).
    public private(set) var treated: [Int64] = []
    /// The pending run: the state before its first point, its points, and its side.
    var checkpoint: IntegratedState?
    var pending: [PendingPoint] = []
    /// The side of the pending run.
    var pendingSign: Double = 0
    /// The side of a confirmed shift still in progress (0: none).
    var shiftSign: Double = 0

    struct PendingPoint: Sendable, Hashable, Codable {
        var position: Int64
        var u: Double
    }

    static let treatedLimit = 64

    public init(threshold: Double = 5, confirmations: Int = 3, window: Int = 24, robustScale: Double = 1) {
        self.threshold = threshold
        self.confirmations = max(1, confirmations)
        self.window = max(0, window)
        self.robustScale = robustScale
    }

    /// Positions of the observations currently held back (an unconfirmed run at the origin).
    public var pendingPositions: [Int64] { pending.map(\.position) }

    /// Every observation the state does not rest on: those settled as outliers, then the pending ones.
    public var outlierPositions: [Int64] { treated + pendingPositions }

    /// The robust scale 1.4826 · MAD of standardised innovations; nil with fewer than 8 of them
    /// or a degenerate spread (then the guard is off).
    static func robustScale(of z: [Double]) -> Double? {
        let finite = z.filter(\.isFinite)
        guard finite.count >= 8 else { return nil }
        let median = Self.median(finite)
        let mad = Self.median(finite.map { abs($0 - median) })
        let scale = 1.4826 * mad
        return scale.isFinite && scale > 1e-9 ? scale : nil
    }

    private static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        let n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    /// The standardised innovation of `u` against the state's prediction (nil: no spread).
    static func standardised(_ u: Double, state: IntegratedState) -> Double? {
        let (mu, f) = state.prediction
        guard u.isFinite, f > 1e-12 else { return nil }
        return (u - mu) / f.squareRoot()
    }

    /// Takes one observation `u` (scaled regression error) at `position` into `state`.
    mutating func step(_ state: inout IntegratedState, observing u: Double, at position: Int64) {
        guard let z = Self.standardised(u, state: state) else {
            // Missing (or no spread): an ordinary step; a pending run stays pending.
            state.step(observing: u)
            return
        }
        let extreme = abs(z) > threshold * robustScale
        let sign: Double = z < 0 ? -1 : 1
        if extreme, shiftSign == sign, pending.isEmpty {
            // A confirmed shift continuing.
            state.step(observing: u)
            return
        }
        if !extreme {
            settlePendingAsOutliers()
            shiftSign = 0
            state.step(observing: u)
            return
        }
        if !pending.isEmpty, pendingSign != sign {
            settlePendingAsOutliers()
        }
        if pending.isEmpty { checkpoint = state; pendingSign = sign }
        pending.append(PendingPoint(position: position, u: u))
        state.step(observing: .nan)
        if pending.count >= confirmations, var rewound = checkpoint {
            for p in pending { rewound.step(observing: p.u) }
            state = rewound
            shiftSign = sign
            pending = []
            checkpoint = nil
        }
    }

    /// Records `positions` as treated (a refit that had them masked reports its first fit's outliers).
    mutating func markTreated(_ positions: [Int64]) {
        treated = Array(Set(treated + positions)).sorted().suffix(Self.treatedLimit)
    }

    private mutating func settlePendingAsOutliers() {
        guard !pending.isEmpty else { return }
        treated.append(contentsOf: pending.map(\.position))
        if treated.count > Self.treatedLimit { treated.removeFirst(treated.count - Self.treatedLimit) }
        pending = []
        checkpoint = nil
        pendingSign = 0
    }
}
