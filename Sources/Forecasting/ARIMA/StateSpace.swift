import LinearAlgebra

/// The Harvey (1989) state-space form of a stationary ARMA process with unit innovation variance.
///
/// w_t = Z α_t with Z = (1, 0, …, 0); α_{t+1} = T α_t + R ε_{t+1}, where T has the AR
/// coefficients in its first column and ones on the super-diagonal, and R = (1, θ₁, …, θ_{r−1})ᵀ.
/// The state dimension r = max(p*, q* + 1) is small, so the filter exploits T's structure instead
/// of forming it: T·P·Tᵀ costs O(r²), not O(r³).
struct ARMAStateSpace: Sendable {
    /// AR coefficients zero-padded to r.
    let phi: [Double]
    /// R = (1, θ₁, …) zero-padded to r.
    let r: [Double]
    let dimension: Int

    init(phi: [Double], theta: [Double]) {
        let m = max(phi.count, theta.count + 1, 1)
        var paddedPhi = [Double](repeating: 0, count: m)
        for (i, c) in phi.enumerated() { paddedPhi[i] = c }
        var paddedR = [Double](repeating: 0, count: m)
        paddedR[0] = 1
        for (i, c) in theta.enumerated() { paddedR[i + 1] = c }
        self.phi = paddedPhi
        self.r = paddedR
        self.dimension = m
    }

    /// The dense transition matrix T (row-major r×r).
    var transition: [Double] {
        let m = dimension
        var t = [Double](repeating: 0, count: m * m)
        for i in 0..<m {
            t[i * m] = phi[i]
            if i + 1 < m { t[i * m + i + 1] = 1 }
        }
        return t
    }

    /// R·Rᵀ (row-major r×r).
    var disturbanceCovariance: [Double] {
        let m = dimension
        var v = [Double](repeating: 0, count: m * m)
        for i in 0..<m { for j in 0..<m { v[i * m + j] = r[i] * r[j] } }
        return v
    }

    /// The stationary state covariance P₀ solving P = T P Tᵀ + R Rᵀ (the discrete Lyapunov
    /// equation), by the doubling algorithm: V ← V + A V Aᵀ, A ← A², which sums Σ T^k R Rᵀ T^kᵀ
    /// over 2^j terms after j steps. Each step is three r×r GEMMs, far cheaper than solving the
    /// r²×r² vec form. Nil when the sum does not converge (a root on or outside the unit circle).
    func stationaryCovariance() -> [Double]? {
        let m = dimension
        var v = disturbanceCovariance
        var a = transition
        var av = [Double](repeating: 0, count: m * m)
        var aa = [Double](repeating: 0, count: m * m)
        for _ in 0..<64 {
            var aMax = 0.0
            for x in a { aMax = max(aMax, abs(x)) }
            guard aMax.isFinite else { return nil }
            if aMax < 1e-10 { return v.allSatisfy(\.isFinite) ? v : nil }
            do {
                try a.withUnsafeBufferPointer { pa in
                    try v.withUnsafeMutableBufferPointer { pv in
                        try av.withUnsafeMutableBufferPointer { pav in
                            try aa.withUnsafeMutableBufferPointer { paa in
                                try gemm(transA: .noTranspose, transB: .noTranspose, m: m, n: m, k: m, alpha: 1,
                                         a: pa.baseAddress, lda: m, b: UnsafePointer(pv.baseAddress), ldb: m,
                                         beta: 0, c: pav.baseAddress, ldc: m)
                                try gemm(transA: .noTranspose, transB: .transpose, m: m, n: m, k: m, alpha: 1,
                                         a: UnsafePointer(pav.baseAddress), lda: m, b: pa.baseAddress, ldb: m,
                                         beta: 1, c: pv.baseAddress, ldc: m)
                                try gemm(transA: .noTranspose, transB: .noTranspose, m: m, n: m, k: m, alpha: 1,
                                         a: pa.baseAddress, lda: m, b: pa.baseAddress, ldb: m,
                                         beta: 0, c: paa.baseAddress, ldc: m)
                            }
                        }
                    }
                }
            } catch {
                return nil
            }
            swap(&a, &aa)
        }
        return nil
    }
}
