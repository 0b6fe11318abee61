import Foundation

/// The KPSS test of level stationarity (Kwiatkowski, Phillips, Schmidt & Shin 1992), used to
/// choose d as forecast::ndiffs does: difference while the test rejects at 5 %.
enum KPSS {
    /// The 5 % critical value of the level-stationarity statistic (KPSS 1992, table 1).
    static let criticalValue5 = 0.463

    /// η = Σ S_t² / (n² σ̂²_LR) on the observed values (missing ones dropped), with the Newey–West
    /// long-run variance at lag truncation ⌊3√n/13⌋ (as forecast::ndiffs uses). Nil when too short or constant.
    static func statistic(_ values: [Double]) -> Double? {
        let x = values.filter(\.isFinite)
        let n = x.count
        guard n >= 10 else { return nil }
        let mean = x.reduce(0, +) / Double(n)
        let e = x.map { $0 - mean }
        var partial = 0.0, sumS2 = 0.0
        for v in e { partial += v; sumS2 += partial * partial }
        let lags = min(Int(3 * Double(n).squareRoot() / 13), n - 1)
        var longRun = e.reduce(0) { $0 + $1 * $1 } / Double(n)
        if lags > 0 {
            for j in 1...lags {
                var gamma = 0.0
                for t in j..<n { gamma += e[t] * e[t - j] }
                longRun += 2 * (1 - Double(j) / Double(lags + 1)) * gamma / Double(n)
            }
        }
        guard longRun > 1e-300 * max(1, abs(mean)) else { return nil }
        return sumS2 / (Double(n) * Double(n) * longRun)
    }

    /// The number of first differences (0…maxD) after which KPSS no longer rejects stationarity.
    static func differences(_ values: [Double], maxD: Int) -> Int {
        var x = values
        var d = 0
        while d < maxD {
            guard let eta = statistic(x), eta > criticalValue5 else { break }
            let next = LagPolynomial.difference(x, by: [1, -1])
            // A differenced series that is constant needs no more differencing.
            guard statistic(next) != nil || next.filter(\.isFinite).count >= 10 else { break }
            x = next
            d += 1
        }
        return d
    }
}

/// Seasonal strength F_s = max(0, 1 − Var(R)/Var(S + R)) of a classical decomposition
/// (Wang, Smith & Hyndman 2006); D = 1 when F_s > 0.64, forecast::nsdiffs' default rule.
enum SeasonalStrength {
    static let threshold = 0.64

    static func strength(_ values: [Double], period s: Int) -> Double? {
        guard s > 1, values.count >= 2 * s + 1 else { return nil }
        let x = interpolated(values)
        let n = x.count
        guard n >= 2 * s + 1 else { return nil }
        // Centred moving average of order s (2×s for even s) as the trend.
        var trend = [Double](repeating: .nan, count: n)
        let half = s / 2
        for t in half..<(n - half) {
            var sum = 0.0
            if s % 2 == 0 {
                sum += 0.5 * x[t - half] + 0.5 * x[t + half]
                for k in (t - half + 1)..<(t + half) { sum += x[k] }
            } else {
                for k in (t - half)...(t + half) { sum += x[k] }
            }
            trend[t] = sum / Double(s)
        }
        var seasonal = [Double](repeating: 0, count: s), counts = [Int](repeating: 0, count: s)
        for t in 0..<n where trend[t].isFinite {
            seasonal[t % s] += x[t] - trend[t]
            counts[t % s] += 1
        }
        for i in 0..<s { seasonal[i] = counts[i] > 0 ? seasonal[i] / Double(counts[i]) : 0 }
        let average = seasonal.reduce(0, +) / Double(s)
        var remainder: [Double] = [], detrended: [Double] = []
        for t in 0..<n where trend[t].isFinite {
            let d = x[t] - trend[t]
            detrended.append(d)
            remainder.append(d - (seasonal[t % s] - average))
        }
        let varianceDetrended = variance(detrended)
        guard varianceDetrended > 0 else { return nil }
        return max(0, 1 - variance(remainder) / varianceDetrended)
    }

    static func differences(_ values: [Double], period s: Int) -> Int {
        guard let f = strength(values, period: s) else { return 0 }
        return f > threshold ? 1 : 0
    }

    private static func variance(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = x.reduce(0, +) / Double(x.count)
        return x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count - 1)
    }

    /// Linear interpolation over missing values (leading/trailing take the nearest observed).
    static func interpolated(_ values: [Double]) -> [Double] {
        guard let first = values.firstIndex(where: \.isFinite) else { return [] }
        var out = values
        for i in 0..<first { out[i] = out[first] }
        var last = first
        for i in (first + 1)..<out.count where out[i].isFinite {
            if i - last > 1 {
                for j in (last + 1)..<i { out[j] = out[last] + (out[i] - out[last]) * Double(j - last) / Double(i - last) }
            }
            last = i
        }
        for i in (last + 1)..<out.count { out[i] = out[last] }
        return out
    }
}
