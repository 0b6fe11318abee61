import Foundation

/// The state of an ETS model after some observations: level, slope and the last m seasonal
/// terms, and the one-observation update of Hyndman et al. (2008), in the form R's `forecast`
/// package and statsforecast compute it (so likelihoods agree to rounding).
///
/// Seasonal terms live in a ring: `season[head]` is the term for the next observation (the one
/// m steps old), `season[(head + i) % m]` the one for i steps later.
public struct ETSState: Sendable, Codable, Hashable {
    public internal(set) var level: Double
    public internal(set) var slope: Double
    var season: [Double]
    var head: Int

    /// From statsforecast's initial state layout: `[ℓ, b?, s…]` with the seasonal terms newest
    /// first (the last one is the term for the first observation).
    init(initial x: [Double], specification spec: ETSSpecification) {
        level = x[0]
        slope = spec.hasTrend ? x[1] : 0
        let offset = spec.hasTrend ? 2 : 1
        if spec.hasSeason {
            // Ring slot i holds the term used i steps from now: C's s[m−1−i].
            let m = spec.period
            season = (0..<m).map { x[offset + m - 1 - $0] }
        } else {
            season = []
        }
        head = 0
    }

    /// The point forecasts for steps 1…h: ℓ + (φ + … + φ^h) b, plus or times the seasonal term.
    func forecast(_ spec: ETSSpecification, phi: Double, steps h: Int) -> [Double] {
        var out = [Double](repeating: 0, count: h)
        var phiStar = phi
        let m = season.count
        for i in 0..<h {
            var f = spec.hasTrend ? level + phiStar * slope : level
            if m > 0 {
                let s = season[(head + i) % m]
                f = spec.season == .additive ? f + s : f * s
            }
            out[i] = f
            phiStar += abs(phi - 1) < 1e-10 ? 1 : Foundation.pow(phi, Double(i + 1))
        }
        return out
    }

    /// The one-step forecast.
    @inline(__always)
    func oneStep(_ spec: ETSSpecification, phi: Double) -> Double {
        var f = spec.hasTrend ? level + phi * slope : level
        if !season.isEmpty {
            let s = season[head]
            f = spec.season == .additive ? f + s : f * s
        }
        return f
    }

    /// Moves the state past observation `y`; a NaN `y` moves it by the prediction (no correction).
    @inline(__always)
    mutating func update(_ spec: ETSSpecification, _ p: ETSParameters, observing y: Double) {
        let huge = 1e10
        let oldLevel = level
        let phib = spec.hasTrend ? p.phi * slope : 0
        let q = oldLevel + phib
        let m = season.count
        let oldSeason = m > 0 ? season[head] : 0
        guard y.isFinite else {
            level = q
            slope = phib
            if m > 0 { advanceHead(m) }
            return
        }
        let deseasonalised: Double
        switch spec.season {
        case .none: deseasonalised = y
        case .additive: deseasonalised = y - oldSeason
        case .multiplicative: deseasonalised = abs(oldSeason) < 1e-10 ? huge : y / oldSeason
        }
        level = q + p.alpha * (deseasonalised - q)
        if spec.hasTrend {
            slope = phib + (p.beta / p.alpha) * (level - oldLevel - phib)
        }
        if m > 0 {
            let t: Double
            if spec.season == .additive { t = y - q } else { t = abs(q) < 1e-10 ? huge : y / q }
            season[head] = oldSeason + p.gamma * (t - oldSeason)
            advanceHead(m)
        }
    }

    /// head = (head + 1) mod m without a division (this runs once per observation per evaluation).
    @inline(__always)
    private mutating func advanceHead(_ m: Int) {
        head += 1
        if head == m { head = 0 }
    }
}
