/// The state of the regression errors u_t *with* the differencing in the state, for forecasting
/// and for appending observations: s_t = (α_t, u_{t−1}, …, u_{t−nd}).
///
/// u_t = Z α_t + Σ δ_i u_{t−i}, where 1 − Σ δ_i B^i = (1−B)^d (1−B^s)^D and α_t is the Harvey
/// ARMA state of the differenced errors. The lagged levels are known exactly once observed, so
/// forecast variances come out right for integrated models, and a missing observation simply
/// leaves its level uncertain. Dimension r + nd, and T's sparsity keeps a step at O((r + nd)²).
struct IntegratedState: Sendable, Hashable, Codable {
    var phi: [Double]
    var r: [Double]
    var delta: [Double]
    /// The predicted state mean s_{t|t−1} (scaled units).
    var mean: [Double]
    /// Its covariance in units of σ², row-major.
    var covariance: [Double]

    var armaDimension: Int { phi.count }
    var dimension: Int { phi.count + delta.count }

    init(model: ARMAStateSpace, differencing poly: [Double], armaMean: [Double], armaCovariance: [Double], levels: [Double]) {
        phi = model.phi
        r = model.r
        delta = poly.dropFirst().map { -$0 }
        let m = model.dimension, nd = delta.count, size = m + nd
        mean = armaMean + levels
        covariance = [Double](repeating: 0, count: size * size)
        for i in 0..<m { for j in 0..<m { covariance[i * size + j] = armaCovariance[i * m + j] } }
    }

    /// The one-step prediction of u and its variance (units of σ²).
    var prediction: (mean: Double, variance: Double) {
        let size = dimension
        var mu = 0.0, variance = 0.0
        for i in 0..<size {
            let zi = observation(i)
            guard zi != 0 else { continue }
            mu += zi * mean[i]
            for j in 0..<size {
                let zj = observation(j)
                if zj != 0 { variance += zi * covariance[i * size + j] * zj }
            }
        }
        return (mu, max(variance, 0))
    }

    /// Element `i` of the observation vector Z = (1, 0, …, 0, δ_1, …, δ_nd), without building it:
    /// the filter runs this for every step of every forecast, so it allocates nothing.
    @inline(__always)
    private func observation(_ i: Int) -> Double {
        let m = armaDimension
        return i >= m ? delta[i - m] : (i == 0 ? 1 : 0)
    }

    /// Conditions the state on an observed u_t (no-op for NaN), then moves it one step ahead.
    mutating func step(observing u: Double) {
        if u.isFinite { update(u) }
        transition()
    }

    private mutating func update(_ u: Double) {
        let size = dimension
        withUnsafeTemporaryAllocation(of: Double.self, capacity: size) { pz in
            for i in 0..<size {
                var sum = 0.0
                for j in 0..<size {
                    let zj = observation(j)
                    if zj != 0 { sum += covariance[i * size + j] * zj }
                }
                pz[i] = sum
            }
            let (mu, f) = prediction
            // F ≈ 0: the value was already known exactly (e.g. the same step observed twice).
            guard f > 1e-12 else { return }
            let v = u - mu
            for i in 0..<size {
                mean[i] += pz[i] * v / f
                for j in 0..<size { covariance[i * size + j] -= pz[i] * pz[j] / f }
            }
        }
    }

    /// T·x for the integrated transition; `x` and `y` never overlap. Static, so that it can run
    /// while `covariance` is being written in place.
    private static func apply(phi: [Double], delta: [Double], _ x: UnsafePointer<Double>, stride: Int,
                              into y: UnsafeMutablePointer<Double>, outStride: Int) {
        let m = phi.count, nd = delta.count
        let x0 = x[0]
        for i in 0..<m {
            y[i * outStride] = phi[i] * x0 + (i + 1 < m ? x[(i + 1) * stride] : 0)
        }
        if nd > 0 {
            var level = x0
            for i in 0..<nd { level += delta[i] * x[(m + i) * stride] }
            y[m * outStride] = level
            for i in 1..<nd { y[(m + i) * outStride] = x[(m + i - 1) * stride] }
        }
    }

    /// s ← T s, P ← T P Tᵀ + R Rᵀ (R Rᵀ on the ARMA block). The scratch (T s and T P) lives in one
    /// temporary allocation (on the stack for the usual small states) and the results are written
    /// back in place, so a step allocates nothing.
    private mutating func transition() {
        let size = dimension, m = armaDimension
        let phi = self.phi, delta = self.delta, r = self.r
        func apply(_ x: UnsafePointer<Double>, stride: Int, into y: UnsafeMutablePointer<Double>, outStride: Int) {
            Self.apply(phi: phi, delta: delta, x, stride: stride, into: y, outStride: outStride)
        }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: size + size * size) { scratch in
            guard let newMean = scratch.baseAddress else { return }
            let half = newMean + size
            mean.withUnsafeBufferPointer { a in
                guard let src = a.baseAddress else { return }
                apply(src, stride: 1, into: newMean, outStride: 1)
            }
            covariance.withUnsafeBufferPointer { p in
                // Columns: H = T P.
                guard let src = p.baseAddress else { return }
                for j in 0..<size { apply(src + j, stride: size, into: half + j, outStride: size) }
            }
            covariance.withUnsafeMutableBufferPointer { out in
                // Rows: P' = H Tᵀ, i.e. row i of P' is T applied to row i of H.
                guard let dst = out.baseAddress else { return }
                for i in 0..<size { apply(half + i * size, stride: 1, into: dst + i * size, outStride: 1) }
                for i in 0..<m { for j in 0..<m { dst[i * size + j] += r[i] * r[j] } }
            }
            mean.withUnsafeMutableBufferPointer { out in
                for i in 0..<size { out[i] = newMean[i] }
            }
        }
    }
}
