/// Lag-polynomial arithmetic for ARIMA models. Coefficient arrays hold c₀, c₁, … of Σ c_k B^k.
enum LagPolynomial {
    /// The product of two lag polynomials.
    static func multiply(_ a: [Double], _ b: [Double]) -> [Double] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var out = [Double](repeating: 0, count: a.count + b.count - 1)
        for i in a.indices where a[i] != 0 {
            for j in b.indices { out[i + j] += a[i] * b[j] }
        }
        return out
    }

    /// (1 − B)^d (1 − B^s)^D as coefficients c₀ = 1, c₁, …, c_{d+sD}.
    static func differencing(d: Int, D: Int, s: Int) -> [Double] {
        var poly: [Double] = [1]
        for _ in 0..<d { poly = multiply(poly, [1, -1]) }
        if s > 1 {
            var seasonal = [Double](repeating: 0, count: s + 1)
            seasonal[0] = 1
            seasonal[s] = -1
            for _ in 0..<D { poly = multiply(poly, seasonal) }
        }
        return poly
    }

    /// The expanded AR coefficients φ*_k of φ(B)Φ(B^s) = 1 − Σ φ*_k B^k, given φ and Φ
    /// in the sign convention 1 − Σ φ_i B^i.
    static func expandAR(_ ar: [Double], seasonal sar: [Double], period s: Int) -> [Double] {
        let a = [1] + ar.map { -$0 }
        var b = [Double](repeating: 0, count: sar.count * s + 1)
        b[0] = 1
        for (j, c) in sar.enumerated() { b[(j + 1) * s] = -c }
        return multiply(a, b).dropFirst().map { -$0 }
    }

    /// The expanded MA coefficients θ*_k of θ(B)Θ(B^s) = 1 + Σ θ*_k B^k.
    static func expandMA(_ ma: [Double], seasonal sma: [Double], period s: Int) -> [Double] {
        let a = [1] + ma
        var b = [Double](repeating: 0, count: sma.count * s + 1)
        b[0] = 1
        for (j, c) in sma.enumerated() { b[(j + 1) * s] = c }
        return Array(multiply(a, b).dropFirst())
    }

    /// Applies the differencing polynomial to a series: w_t = Σ c_k y_{t−k}, t ≥ degree. NaN propagates.
    static func difference(_ y: [Double], by poly: [Double]) -> [Double] {
        let degree = poly.count - 1
        guard degree > 0 else { return y }
        guard y.count > degree else { return [] }
        var out = [Double](repeating: 0, count: y.count - degree)
        for t in degree..<y.count {
            var sum = 0.0
            for k in 0...degree where poly[k] != 0 { sum += poly[k] * y[t - k] }
            out[t - degree] = sum
        }
        return out
    }
}

/// Stationarity and invertibility by reparametrisation (Jones 1980; Monahan 1984).
///
/// Each unconstrained real x maps to a partial autocorrelation r = x/√(1+x²) in (−1, 1), and
/// the Durbin–Levinson recursion turns partial autocorrelations into the coefficients of a
/// polynomial 1 − Σ φ_i B^i whose roots all lie outside the unit circle. MA polynomials
/// 1 + Σ θ_i B^i use θ = −φ. The optimiser therefore never proposes a non-stationary AR or a
/// non-invertible MA part; products of such polynomials (the seasonal parts) stay so too.
enum Reparametrization {
    /// Unconstrained values → stationary AR coefficients (sign convention 1 − Σ φ_i B^i).
    static func stationary(_ x: ArraySlice<Double>) -> [Double] {
        let p = x.count
        guard p > 0 else { return [] }
        var phi = [Double](repeating: 0, count: p)
        var previous = phi
        for (k, value) in x.enumerated() {
            let r = value / (1 + value * value).squareRoot()
            phi[k] = r
            for j in 0..<k { phi[j] = previous[j] - r * previous[k - 1 - j] }
            for j in 0...k { previous[j] = phi[j] }
        }
        return phi
    }

    /// Stationary AR coefficients → unconstrained values; nil when the polynomial is not stationary.
    static func unconstrained(_ phi: [Double]) -> [Double]? {
        let p = phi.count
        guard p > 0 else { return [] }
        var current = phi
        var r = [Double](repeating: 0, count: p)
        for k in stride(from: p - 1, through: 0, by: -1) {
            let rk = current[k]
            guard rk.isFinite, abs(rk) < 1 else { return nil }
            r[k] = rk
            let denominator = 1 - rk * rk
            var next = current
            for j in 0..<k { next[j] = (current[j] + rk * current[k - 1 - j]) / denominator }
            current = next
        }
        return r.map { $0 / (1 - $0 * $0).squareRoot() }
    }

    /// Like `unconstrained`, but shrinks a non-stationary polynomial towards zero until it is.
    static func unconstrainedShrinking(_ phi: [Double]) -> [Double] {
        var c = phi
        for _ in 0..<40 {
            if let x = unconstrained(c), x.allSatisfy(\.isFinite), x.allSatisfy({ abs($0) < 50 }) { return x }
            c = c.map { $0 * 0.8 }
        }
        return [Double](repeating: 0, count: phi.count)
    }
}
