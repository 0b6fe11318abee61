import LinearAlgebra

/// Hannan–Rissanen (1982) starting values by two least-squares regressions (LAPACK gelsd).
///
/// A long autoregression estimates the innovations ê_t; then z_t is regressed on its own lags
/// (1…p and s, 2s, …, sP) and on the lags of ê (1…q and s, …, sQ). The seasonal product terms
/// are left out, which is fine for starting values; anything non-stationary or non-invertible is
/// shrunk by the reparametrisation.
enum HannanRissanen {
    static func estimate(_ z: [Double], order: ARIMAOrder) -> ARMAParameters {
        let s = order.s
        guard order.armaCount > 0 else { return ARMAParameters() }
        // Missing values become the mean (zero for a regression residual) so that lags line up.
        let x = z.map { $0.isFinite ? $0 : 0 }
        let n = x.count
        let arLags = (0..<order.p).map { $0 + 1 } + (0..<order.P).map { ($0 + 1) * s }
        let maLags = (0..<order.q).map { $0 + 1 } + (0..<order.Q).map { ($0 + 1) * s }
        var innovations = [Double](repeating: 0, count: n)
        var longOrder = 0
        if !maLags.isEmpty {
            longOrder = min(max(10, order.p + order.q + 2 * s * max(order.P, order.Q) + 2), n / 3)
            if longOrder >= 1, let coefficients = regress(x, lags: Array(1...longOrder), start: longOrder, innovations: nil, maLags: []) {
                for t in longOrder..<n {
                    var value = x[t]
                    for (i, c) in coefficients.enumerated() { value -= c * x[t - i - 1] }
                    innovations[t] = value
                }
            }
        }
        let start = max(arLags.max() ?? 0, longOrder + (maLags.max() ?? 0))
        guard let c = regress(x, lags: arLags, start: start, innovations: innovations, maLags: maLags) else {
            return ARMAParameters(ar: .init(repeating: 0, count: order.p), ma: .init(repeating: 0, count: order.q),
                                  sar: .init(repeating: 0, count: order.P), sma: .init(repeating: 0, count: order.Q))
        }
        let p = order.p, P = order.P, q = order.q
        return ARMAParameters(ar: Array(c[0..<p]), ma: Array(c[(p + P)..<(p + P + q)]),
                              sar: Array(c[p..<(p + P)]), sma: Array(c[(p + P + q)...]))
    }

    /// OLS of x_t (t ≥ start) on x_{t−lag} and ê_{t−lag}; nil when there are too few rows.
    private static func regress(_ x: [Double], lags: [Int], start: Int, innovations: [Double]?, maLags: [Int]) -> [Double]? {
        let columns = lags.count + maLags.count
        let rows = x.count - start
        guard columns > 0, rows > columns + 2 else { return nil }
        var a = [Double](repeating: 0, count: rows * columns)
        var b = [Double](repeating: 0, count: rows)
        for t in start..<x.count {
            let r = t - start
            b[r] = x[t]
            for (j, lag) in lags.enumerated() { a[r * columns + j] = x[t - lag] }
            if let e = innovations {
                for (j, lag) in maLags.enumerated() { a[r * columns + lags.count + j] = e[t - lag] }
            }
        }
        guard let matrix = try? Matrix(rows: rows, columns: columns, elements: a),
              let solution = try? leastSquares(matrix, b) else { return nil }
        let coefficients = solution.coefficients
        return coefficients.allSatisfy(\.isFinite) ? coefficients : nil
    }
}
