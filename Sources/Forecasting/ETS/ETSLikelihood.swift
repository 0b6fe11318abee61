import Foundation

/// One pass of an ETS model over data: residuals, the final state and statsforecast's
/// "likelihood" criterion −2 log L + const = n log Σε² (+ 2 Σ log|ŷ| for multiplicative errors).
struct ETSPass {
    var state: ETSState
    /// ε_t: y − ŷ (additive errors) or (y − ŷ)/ŷ (multiplicative); NaN where y is missing.
    var residuals: [Double]
    var sumSquares: Double
    var sumLogForecast: Double
    var observed: Int

    /// n log Σε² + 2 Σ log|ŷ| (multiplicative), the quantity statsforecast minimises; +∞ if not finite.
    func criterion(_ spec: ETSSpecification) -> Double {
        guard observed > 0 else { return .infinity }
        var lik = Double(observed) * log(sumSquares)
        if spec.error == .multiplicative { lik += 2 * sumLogForecast }
        // Perfect fits would run to −∞: R and statsforecast clamp there.
        if lik < -1e10 { lik = -1e10 }
        return lik.isNaN ? .infinity : lik
    }

    /// Runs the filter over `y` from `state`; `keepResiduals: false` skips storing them (the
    /// optimiser's inner loop).
    static func run(_ y: [Double], from start: ETSState, _ spec: ETSSpecification, _ p: ETSParameters,
                    keepResiduals: Bool = true) -> ETSPass {
        var state = start
        var residuals = keepResiduals ? [Double](repeating: .nan, count: y.count) : []
        var sse = 0.0, logs = 0.0, n = 0
        // Σ log|ŷ| as the log of running products, one `log` per block (the logarithm was a
        // quarter of a fit's time); a block ends before the product could leave 1e±150.
        var product = 1.0
        let multiplicative = spec.error == .multiplicative
        for t in 0..<y.count {
            let yt = y[t]
            if yt.isFinite {
                let f = state.oneStep(spec, phi: p.phi)
                let e = multiplicative ? (yt - f) / f : yt - f
                if keepResiduals { residuals[t] = e }
                sse += e * e
                if multiplicative {
                    product *= abs(f)
                    if !(product > 1e-150 && product < 1e150) {
                        logs += log(product)
                        product = 1
                    }
                }
                n += 1
            }
            state.update(spec, p, observing: yt)
        }
        if product != 1 { logs += log(product) }
        return ETSPass(state: state, residuals: residuals, sumSquares: sse, sumLogForecast: logs, observed: n)
    }
}

/// Parameter bounds: the "usual" region (0 < β < α < 1, 0 < γ < 1 − α, φ in [0.8, 0.98]) and
/// the admissible region (the model forecasts with a stable discount matrix), both required, as
/// in statsforecast and R (`bounds = "both"`).
struct ETSBounds: Sendable {
    var lower = (alpha: 1e-4, beta: 1e-4, gamma: 1e-4, phi: 0.8)
    var upper = (alpha: 0.9999, beta: 0.9999, gamma: 0.9999, phi: 0.98)

    func contains(_ p: ETSParameters, _ spec: ETSSpecification) -> Bool {
        guard p.alpha >= lower.alpha, p.alpha <= upper.alpha else { return false }
        if spec.hasTrend, p.beta < lower.beta || p.beta > p.alpha || p.beta > upper.beta { return false }
        if spec.damped, p.phi < lower.phi || p.phi > upper.phi { return false }
        if spec.hasSeason, p.gamma < lower.gamma || p.gamma > 1 - p.alpha || p.gamma > upper.gamma { return false }
        return Self.admissible(p, spec)
    }

    /// Hyndman et al. (2008, ch. 10) admissibility, as R's `admissible()`: easy inequalities,
    /// then the characteristic polynomial's roots within the unit circle (+1e-10), decided here
    /// by a Schur–Cohn test instead of computing the roots.
    static func admissible(_ p: ETSParameters, _ spec: ETSSpecification) -> Bool {
        let phi = spec.damped ? p.phi : 1
        let alpha = p.alpha
        if phi < 0 || phi > 1 + 1e-8 { return false }
        if !spec.hasSeason {
            if alpha < 1 - 1 / phi || alpha > 1 + 1 / phi { return false }
            if spec.hasTrend, p.beta < alpha * (phi - 1) || p.beta > (1 + phi) * (2 - alpha) { return false }
            return true
        }
        let m = spec.period
        guard m > 1 else { return true }
        let beta = spec.hasTrend ? p.beta : 0, gamma = p.gamma
        if gamma < max(1 - 1 / phi - alpha, 0) || gamma > 1 + 1 / phi - alpha { return false }
        if alpha < 1 - 1 / phi - gamma * (1 - Double(m) + phi + phi * Double(m)) / (2 * phi * Double(m)) { return false }
        if beta < -(1 - phi) * (gamma / Double(m) + alpha) { return false }
        // P(z) = φ(1−α−γ) + (α+β−αφ+γ−1) z + Σ_{k=2}^{m−1} (α+β−αφ) z^k + (α+β−φ) z^m + z^{m+1}
        var c = [Double](repeating: alpha + beta - alpha * phi, count: m + 2)
        c[0] = phi * (1 - alpha - gamma)
        c[1] = alpha + beta - alpha * phi + gamma - 1
        c[m] = alpha + beta - phi
        c[m + 1] = 1
        return rootsWithinUnitCircle(c, slack: 1e-10)
    }

    /// Whether every root of Σ c_k z^k (increasing powers) has modulus ≤ 1 + slack: the roots of
    /// P(ρz), ρ = 1 + slack, lie strictly inside the unit circle (Schur–Cohn step-down).
    static func rootsWithinUnitCircle(_ coefficients: [Double], slack: Double) -> Bool {
        let rho = 1 + slack
        // Two buffers, swapped at each step-down (the check runs at every likelihood evaluation).
        var a = [Double](repeating: 0, count: coefficients.count)
        var power = 1.0
        for k in coefficients.indices {
            a[k] = coefficients[k] * power
            power *= rho
        }
        var next = a
        var count = a.count
        while count > 1, a[count - 1] == 0 { count -= 1 }
        while count > 1 {
            let n = count - 1
            let lead = a[n], constant = a[0]
            guard abs(constant) < abs(lead) else { return false }
            // p_{n−1}(z) = (lead·p(z) − constant·z^n p(1/z)) / z
            var scale = 0.0
            for k in 1...n {
                next[k - 1] = lead * a[k] - constant * a[n - k]
                scale = max(scale, abs(next[k - 1]))
            }
            guard scale > 0, scale.isFinite else { return false }
            for k in 0..<n { a[k] = next[k] / scale }
            count = n
        }
        return true
    }
}
