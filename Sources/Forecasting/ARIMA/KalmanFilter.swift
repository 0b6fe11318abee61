import Foundation

/// The exact Gaussian likelihood of an ARMA process by the Kalman filter, run on several data
/// columns at once: the differenced series and the differenced regressors.
///
/// The filter's variances and gains do not depend on the data, so one pass over the covariance
/// recursion serves every column; the innovations of all columns give the GLS normal equations
/// for β (de Jong 1991's augmented filter without the diffuse part). Missing observations (NaN in
/// column 0) skip the update step. Once the updated state covariance has collapsed to zero — which
/// happens for any invertible MA after enough observations, since the state is then a function of
/// the data — the filter switches to the steady-state recursions a ← T(a + R v), which cost O(r)
/// per step instead of O(r²); a missing observation switches it back.
struct KalmanFilter {
    /// Sufficient statistics of one pass.
    struct Pass {
        /// Σ log F_t over observed steps (F in units of σ²).
        var sumLogF = 0.0
        /// The number of observed steps.
        var observed = 0
        /// Σ v_t v_tᵀ / F_t, c×c row-major (column 0 = series, then regressors).
        var cross: [Double]
        /// The predicted state a_{n+1|n}, r×c row-major.
        var state: [Double]
        /// The predicted state covariance P_{n+1|n}, r×r row-major, in units of σ².
        var covariance: [Double]
    }

    /// Below this, the updated covariance counts as zero (units of σ²; the log-likelihood error
    /// this admits is at most n·1e-11).
    static let steadyTolerance = 1e-11

    /// Runs the filter over `rows` rows of `columns`-wide row-major `data`, from the stationary
    /// initial state (zero mean, covariance `initial`). Nil when a prediction variance is not positive.
    static func run(_ model: ARMAStateSpace, initial: [Double], data: UnsafeBufferPointer<Double>,
                    rows n: Int, columns c: Int) -> Pass? {
        let m = model.dimension
        var pass = Pass(cross: [Double](repeating: 0, count: c * c),
                        state: [Double](repeating: 0, count: m * c),
                        covariance: initial)
        var next = [Double](repeating: 0, count: m * m)
        var gain = [Double](repeating: 0, count: m)
        var v = [Double](repeating: 0, count: c)
        var a0 = [Double](repeating: 0, count: c)
        var steady = false
        var failed = false
        let phiArray = model.phi, rArray = model.r
        phiArray.withUnsafeBufferPointer { phi in
        rArray.withUnsafeBufferPointer { rr in
        pass.state.withUnsafeMutableBufferPointer { a in
        pass.covariance.withUnsafeMutableBufferPointer { p in
        pass.cross.withUnsafeMutableBufferPointer { s in
        next.withUnsafeMutableBufferPointer { pn in
        gain.withUnsafeMutableBufferPointer { k in
        v.withUnsafeMutableBufferPointer { v in
        a0.withUnsafeMutableBufferPointer { a0 in
            var sumLogF = 0.0, observed = 0
            for t in 0..<n {
                let row = t * c
                let isObserved = !data[row].isNaN
                if steady && !isObserved {
                    // Leave the steady state: P_{t|t−1} = R Rᵀ there.
                    for i in 0..<m { for j in 0..<m { p[i * m + j] = rr[i] * rr[j] } }
                    steady = false
                }
                if isObserved {
                    let f = steady ? 1.0 : p[0]
                    guard f > 0, f.isFinite else { failed = true; break }
                    let invF = 1 / f
                    for col in 0..<c { v[col] = data[row + col] - a[col] }
                    if !steady { sumLogF += log(f) }
                    observed += 1
                    for i in 0..<c {
                        let vi = v[i] * invF
                        for j in i..<c { s[i * c + j] += vi * v[j] }
                    }
                    if steady {
                        for i in 0..<m {
                            let g = rr[i]
                            for col in 0..<c { a[i * c + col] += g * v[col] }
                        }
                    } else {
                        for i in 0..<m { k[i] = p[i * m] }
                        var largest = 0.0
                        for i in 0..<m {
                            let g = k[i] * invF
                            for col in 0..<c { a[i * c + col] += g * v[col] }
                            for j in 0..<m {
                                let updated = p[i * m + j] - g * k[j]
                                p[i * m + j] = updated
                                largest = max(largest, abs(updated))
                            }
                        }
                        if largest < steadyTolerance { steady = true }
                    }
                }
                // Prediction: a ← T a.
                for col in 0..<c { a0[col] = a[col] }
                for i in 0..<(m - 1) {
                    let fi = phi[i]
                    for col in 0..<c { a[i * c + col] = fi * a0[col] + a[(i + 1) * c + col] }
                }
                for col in 0..<c { a[(m - 1) * c + col] = phi[m - 1] * a0[col] }
                if steady { continue }
                // P ← T P Tᵀ + R Rᵀ, using T's companion structure.
                let p00 = p[0]
                for i in 0..<m {
                    let fi = phi[i]
                    let pi0 = i + 1 < m ? p[(i + 1) * m] : 0
                    for j in i..<m {
                        let fj = phi[j]
                        var value = fi * fj * p00 + rr[i] * rr[j]
                        if j + 1 < m { value += fi * p[j + 1] }
                        value += fj * pi0
                        if i + 1 < m && j + 1 < m { value += p[(i + 1) * m + j + 1] }
                        pn[i * m + j] = value
                        pn[j * m + i] = value
                    }
                }
                for idx in 0..<(m * m) { p[idx] = pn[idx] }
            }
            pass.sumLogF = sumLogF
            pass.observed = observed
            if steady {
                for i in 0..<m { for j in 0..<m { p[i * m + j] = rr[i] * rr[j] } }
            }
        }}}}}}}}}
        if failed { return nil }
        // Mirror the upper triangle of the cross products.
        for i in 0..<c { for j in 0..<i { pass.cross[i * c + j] = pass.cross[j * c + i] } }
        return pass
    }
}
