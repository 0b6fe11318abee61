import Foundation

extension KalmanFilter {
    /// The likelihood pass: the Chandrasekhar recursions when nothing is missing, else the full filter.
    static func likelihoodPass(_ model: ARMAStateSpace, initial: [Double], data: UnsafeBufferPointer<Double>,
                               rows n: Int, columns c: Int) -> Pass? {
        for t in 0..<n where data[t * c].isNaN {
            return run(model, initial: initial, data: data, rows: n, columns: c)
        }
        return runChandrasekhar(model, initial: initial, data: data, rows: n, columns: c)
    }

    /// The same pass by the Chandrasekhar recursions (Morf, Sidhu & Kailath 1974; Herbst 2015).
    ///
    /// With a stationary start, P_{t+1} − P_t = W_t M_t W_tᵀ has rank one for a univariate series,
    /// so F_t, the gain and W_t follow from O(r) recursions instead of the O(r²) covariance update:
    /// F_t = F_{t−1} + (ZW)² M, K_tF_t = K_{t−1}F_{t−1} + T W M (ZW), M_t = M + M (ZW)² M / F_{t−1},
    /// W_t = (T − K_t Z) W_{t−1}, started from W₀ = T P₀ Zᵀ, M₀ = −1/F₀. Only valid without missing
    /// observations; `covariance` is left empty (the forecast state comes from the full filter).
    static func runChandrasekhar(_ model: ARMAStateSpace, initial: [Double], data: UnsafeBufferPointer<Double>,
                                 rows n: Int, columns c: Int) -> Pass? {
        let m = model.dimension
        var pass = Pass(cross: [Double](repeating: 0, count: c * c), state: [Double](repeating: 0, count: m * c), covariance: [])
        var w = [Double](repeating: 0, count: m)
        var kf = [Double](repeating: 0, count: m)
        var tw = [Double](repeating: 0, count: m)
        var v = [Double](repeating: 0, count: c)
        var a0 = [Double](repeating: 0, count: c)
        var f = initial[0]
        for i in 0..<m {
            w[i] = model.phi[i] * initial[0] + (i + 1 < m ? initial[(i + 1) * m] : 0)
            kf[i] = w[i]
        }
        var mm = -1 / f
        var failed = false
        model.phi.withUnsafeBufferPointer { phi in
        pass.state.withUnsafeMutableBufferPointer { a in
        pass.cross.withUnsafeMutableBufferPointer { s in
        w.withUnsafeMutableBufferPointer { w in
        kf.withUnsafeMutableBufferPointer { kf in
        tw.withUnsafeMutableBufferPointer { tw in
        v.withUnsafeMutableBufferPointer { v in
        a0.withUnsafeMutableBufferPointer { a0 in
            var sumLogF = 0.0
            var settled = false
            for t in 0..<n {
                guard f > 0, f.isFinite else { failed = true; break }
                let row = t * c
                let invF = 1 / f
                for col in 0..<c { v[col] = data[row + col] - a[col] }
                sumLogF += log(f)
                for i in 0..<c {
                    let vi = v[i] * invF
                    for j in i..<c { s[i * c + j] += vi * v[j] }
                }
                // a ← T a + K v with K = kf / F.
                for col in 0..<c { a0[col] = a[col] }
                for i in 0..<m {
                    let fi = phi[i], gi = kf[i] * invF
                    if i + 1 < m {
                        for col in 0..<c { a[i * c + col] = fi * a0[col] + a[(i + 1) * c + col] + gi * v[col] }
                    } else {
                        for col in 0..<c { a[i * c + col] = fi * a0[col] + gi * v[col] }
                    }
                }
                if settled { continue }
                // Once W M Wᵀ has vanished, F and K are constant from here on.
                var wMax = 0.0
                for i in 0..<m { wMax = max(wMax, abs(w[i])) }
                if wMax * wMax * abs(mm) < 1e-15 * f { settled = true; continue }
                let zw = w[0]
                let increment = zw * mm * zw
                let fNew = f + increment
                for i in 0..<m { tw[i] = phi[i] * w[0] + (i + 1 < m ? w[i + 1] : 0) }
                let scaleKF = mm * zw
                for i in 0..<m { kf[i] += tw[i] * scaleKF }
                mm += mm * zw * zw * mm / f
                let invNew = 1 / fNew
                for i in 0..<m { w[i] = tw[i] - kf[i] * invNew * zw }
                f = fNew
            }
            pass.sumLogF = sumLogF
            pass.observed = failed ? 0 : n
        }}}}}}}}
        if failed { return nil }
        for i in 0..<c { for j in 0..<i { pass.cross[i * c + j] = pass.cross[j * c + i] } }
        return pass
    }
}
