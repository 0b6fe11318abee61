/// Detection of the dominant seasonal period of a series from its autocorrelation function.
public enum Seasonality {
    /// A detected period and how strong it is.
    public struct Period: Sendable, Hashable {
        /// The period in steps of the series' grid.
        public var steps: Int
        /// The sample autocorrelation at that lag, in (0, 1].
        public var autocorrelation: Double
    }

    /// The lag with the highest autocorrelation past the first trough of the ACF.
    ///
    /// Why past the first trough: a smooth series is strongly correlated with itself at small
    /// lags without being seasonal; a period only counts once the ACF has fallen and risen again.
    /// Gaps (NaN) are filled by linear interpolation and a least-squares line is removed first,
    /// so a trend does not pass for a long period. A harmonic (a multiple of a smaller peak whose
    /// autocorrelation is within `harmonicTolerance`) is reported as the smaller period.
    /// Returns nil when no peak reaches `minimumAutocorrelation` or the series is too short
    /// (fewer than 3 full cycles of the candidate are required).
    public static func dominantPeriod(
        _ values: [Double], maxLag: Int? = nil, minimumAutocorrelation: Double = 0.2,
        harmonicTolerance: Double = 0.05
    ) -> Period? {
        let x = detrended(filled(values))
        let n = x.count
        guard n >= 8 else { return nil }
        let limit = min(maxLag ?? n / 3, n / 3)
        guard limit >= 2 else { return nil }
        let acf = autocorrelation(x, maxLag: limit)
        guard acf[0] > 0 else { return nil } // constant series
        // First trough: the first lag where the ACF stops falling or turns negative.
        var k = 1
        while k < limit, acf[k] > 0, acf[k + 1] < acf[k] { k += 1 }
        let trough = k
        var best: Period?
        for lag in max(trough, 2)..<limit where acf[lag] >= acf[lag - 1] && acf[lag] >= acf[lag + 1] {
            if acf[lag] >= minimumAutocorrelation, acf[lag] > (best?.autocorrelation ?? -1) {
                best = Period(steps: lag, autocorrelation: acf[lag])
            }
        }
        guard let found = best else { return nil }
        // Prefer the fundamental over its multiples when they are about as strong.
        for divisor in stride(from: found.steps / 2, through: 2, by: -1) where found.steps % divisor == 0 {
            let candidate = found.steps / divisor
            guard candidate >= max(trough, 2) else { continue }
            let window = max(1, candidate / 50)
            let lo = max(2, candidate - window), hi = min(limit - 1, candidate + window)
            guard lo <= hi else { continue }
            let local = (lo...hi).max { acf[$0] < acf[$1] }!
            if acf[local] >= found.autocorrelation - harmonicTolerance, acf[local] >= minimumAutocorrelation {
                return Period(steps: local, autocorrelation: acf[local])
            }
        }
        return found
    }

    /// Sample autocorrelation r(0…maxLag) of a series without NaNs (r(0) = 1 unless constant).
    public static func autocorrelation(_ x: [Double], maxLag: Int) -> [Double] {
        let n = x.count
        let mean = x.reduce(0, +) / Double(n)
        var result = [Double](repeating: 0, count: maxLag + 2)
        x.withUnsafeBufferPointer { xs in
            var centred = [Double](repeating: 0, count: n)
            for i in 0..<n { centred[i] = xs[i] - mean }
            centred.withUnsafeBufferPointer { c in
                var c0 = 0.0
                for i in 0..<n { c0 += c[i] * c[i] }
                guard c0 > 0 else { return }
                for lag in 0...min(maxLag + 1, n - 1) {
                    var s = 0.0
                    for i in 0..<(n - lag) { s += c[i] * c[i + lag] }
                    result[lag] = s / c0
                }
            }
        }
        return result
    }

    /// Linear interpolation over NaN runs; leading/trailing NaNs take the nearest value.
    static func filled(_ values: [Double]) -> [Double] {
        var out = values
        guard let first = out.firstIndex(where: { !$0.isNaN }) else { return [] }
        for i in 0..<first { out[i] = out[first] }
        var last = first
        for i in (first + 1)..<out.count where !out[i].isNaN {
            if i - last > 1 {
                let a = out[last], b = out[i], span = Double(i - last)
                for j in (last + 1)..<i { out[j] = a + (b - a) * Double(j - last) / span }
            }
            last = i
        }
        for i in (last + 1)..<out.count { out[i] = out[last] }
        return out
    }

    /// The residuals of a least-squares line through (i, x[i]).
    static func detrended(_ x: [Double]) -> [Double] {
        let n = Double(x.count)
        guard x.count > 1 else { return x }
        let meanT = (n - 1) / 2
        let meanX = x.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (i, v) in x.enumerated() {
            let dt = Double(i) - meanT
            sxy += dt * (v - meanX)
            sxx += dt * dt
        }
        let slope = sxx > 0 ? sxy / sxx : 0
        return x.enumerated().map { $1 - meanX - slope * (Double($0) - meanT) }
    }
}
