#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of a Diebold–Mariano test of equal predictive accuracy.
package struct DieboldMarianoResult: Sendable, Hashable, Codable {
    /// HLN-corrected statistic; negative when model A's loss is lower on average.
    package var statistic: Double
    /// Two-sided p-value from Student's t with `count − 1` degrees of freedom.
    package var pValue: Double
    /// Mean loss difference d̄ = mean(lossA − lossB).
    package var meanDifference: Double
    /// Number of paired losses used (pairs with a non-finite loss are dropped).
    package var count: Int
    package var horizon: Int
}

/// The Diebold–Mariano (1995) test with the Harvey–Leybourne–Newbold (1997) small-sample
/// correction.
///
/// With d_t = lossA_t − lossB_t, T pairs and forecast horizon h, the long-run variance of d is the
/// Newey–West (1987) estimate with h − 1 lags and Bartlett weights, V = γ₀ + 2 Σ_{k=1}^{h−1}
/// (1 − k/h) γ_k (γ_k the autocovariances with divisor T), which is never negative — unlike
/// DM's rectangular truncation. DM = d̄ / √(V/T); HLN scale it by
/// √((T + 1 − 2h + h(h − 1)/T) / T) and compare with t_{T−1}.
package enum DieboldMariano {
    /// Tests H₀: E[lossA − lossB] = 0. Throws when fewer than 3 usable pairs remain, the
    /// series differ in length, h < 1, or the differences have zero variance.
    package static func test(lossA: [Double], lossB: [Double], horizon h: Int) throws(EvaluationError) -> DieboldMarianoResult {
        guard lossA.count == lossB.count else {
            throw EvaluationError("Diebold–Mariano: \(lossA.count) losses against \(lossB.count)")
        }
        guard h >= 1 else { throw EvaluationError("Diebold–Mariano: horizon must be at least 1, got \(h)") }
        let d = zip(lossA, lossB).compactMap { a, b in a.isFinite && b.isFinite ? a - b : nil }
        let n = d.count
        guard n >= 3, n > h else {
            throw EvaluationError("Diebold–Mariano: needs more than max(2, h = \(h)) finite pairs, got \(n)")
        }
        let t = Double(n)
        let mean = d.reduce(0, +) / t
        func autocovariance(_ k: Int) -> Double {
            var s = 0.0
            for i in k..<n { s += (d[i] - mean) * (d[i - k] - mean) }
            return s / t
        }
        var variance = autocovariance(0)
        if h > 1 {
            for k in 1..<h { variance += 2 * (1 - Double(k) / Double(h)) * autocovariance(k) }
        }
        guard variance > 0, variance.isFinite else {
            throw EvaluationError("Diebold–Mariano: the loss differences have no variance (identical forecasts?)")
        }
        let dm = mean / (variance / t).squareRoot()
        let hd = Double(h)
        let correction = ((t + 1 - 2 * hd + hd * (hd - 1) / t) / t)
        let statistic = correction > 0 ? dm * correction.squareRoot() : dm
        let p = 2 * StudentT.survival(abs(statistic), degreesOfFreedom: t - 1)
        return DieboldMarianoResult(statistic: statistic, pValue: min(1, p), meanDifference: mean, count: n, horizon: h)
    }
}

/// Why an evaluation could not be computed.
package struct EvaluationError: Error, CustomStringConvertible, Sendable, Equatable {
    package let message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

/// Student's t distribution tail, through the regularised incomplete beta function.
enum StudentT {
    /// P(T > x) for x ≥ 0: ½ I_{ν/(ν+x²)}(ν/2, ½).
    static func survival(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        guard x.isFinite else { return x > 0 ? 0 : 1 }
        let z = nu / (nu + x * x)
        let tail = 0.5 * regularizedIncompleteBeta(z, a: nu / 2, b: 0.5)
        return x >= 0 ? tail : 1 - tail
    }

    /// I_x(a, b) by the continued fraction (modified Lentz), using the symmetry
    /// I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges slowly (Numerical Recipes §6.4).
    static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a: a, b: b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, a: b, b: a) / b
    }

    static func continuedFraction(_ x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var f = d
        for m in 1...500 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            f *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            f *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return f
    }
}
