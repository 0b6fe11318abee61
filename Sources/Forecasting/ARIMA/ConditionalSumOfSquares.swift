/// The conditional sum of squares of an ARMA model: residuals e_t = z_t − Σ φ*_i z_{t−i} − Σ θ*_j e_{t−j}
/// for t ≥ p*, with e_t = 0 before and wherever a needed value is missing (as R's `arima` does).
///
/// Cheap (no covariance recursion, and only the non-zero coefficients of the expanded seasonal
/// polynomials are visited), so the automatic order search ranks candidates with it.
enum ConditionalSumOfSquares {
    struct Result {
        var sumOfSquares: Double
        var count: Int
        var sigma2: Double { count > 0 ? sumOfSquares / Double(count) : .nan }
    }

    static func evaluate(_ parameters: ARMAParameters, period: Int, series z: [Double]) -> Result {
        let phi = LagPolynomial.expandAR(parameters.ar, seasonal: parameters.sar, period: period)
        let theta = LagPolynomial.expandMA(parameters.ma, seasonal: parameters.sma, period: period)
        let arLags = phi.indices.filter { phi[$0] != 0 }
        let maLags = theta.indices.filter { theta[$0] != 0 }
        let arCoefficients = arLags.map { phi[$0] }, maCoefficients = maLags.map { theta[$0] }
        let n = z.count, start = phi.count
        guard n > start else { return Result(sumOfSquares: 0, count: 0) }
        var residuals = [Double](repeating: 0, count: n)
        var ssq = 0.0, count = 0
        z.withUnsafeBufferPointer { z in
            residuals.withUnsafeMutableBufferPointer { e in
                for t in start..<n {
                    var value = z[t]
                    for (i, lag) in arLags.enumerated() { value -= arCoefficients[i] * z[t - lag - 1] }
                    for (j, lag) in maLags.enumerated() where t - lag - 1 >= 0 { value -= maCoefficients[j] * e[t - lag - 1] }
                    if value.isFinite {
                        e[t] = value
                        ssq += value * value
                        count += 1
                    }
                }
            }
        }
        return Result(sumOfSquares: ssq, count: count)
    }
}
