import Foundation

/// Starting values for the optimiser, as statsforecast's `initstate`/`initparam` (R's `ets`).
enum ETSInitialization {
    /// `[ℓ₀, b₀?, s…]` with m − 1 seasonal terms (newest first); the m-th follows from the
    /// normalisation. `y` must be finite.
    static func states(_ y: [Double], _ spec: ETSSpecification) throws(ForecastError) -> [Double] {
        let n = y.count
        var adjusted = y
        var seasonal: [Double] = []
        if spec.hasSeason {
            let m = spec.period
            guard n >= 4 else { throw ForecastError(.insufficientData, "\(n) points are too few for a seasonal ETS") }
            let multiplicative = spec.season == .multiplicative
            var component = [Double](repeating: 0, count: n)
            if n < 3 * m {
                // Too short to decompose: a line plus one Fourier pair, by least squares.
                let frequency = 2 * Double.pi / Double(m)
                var columns: [[Double]] = [[Double](repeating: 1, count: n), (1...n).map { Double($0) }]
                columns.append((1...n).map { (t: Int) -> Double in cos(frequency * Double(t)) })
                if m > 2 { columns.append((1...n).map { (t: Int) -> Double in sin(frequency * Double(t)) }) }
                guard let c = smallLeastSquares(columns, y) else {
                    throw ForecastError(.numericalFailure, "initial seasonal regression is singular")
                }
                for t in 0..<n {
                    let line = c[0] + c[1] * Double(t + 1)
                    component[t] = multiplicative ? y[t] / line : y[t] - line
                }
            } else {
                guard let d = ClassicalDecomposition(y, period: m, multiplicative: multiplicative) else {
                    throw ForecastError(.numericalFailure, "seasonal decomposition failed")
                }
                component = (0..<n).map(d.seasonal(at:))
            }
            seasonal = (1..<m).reversed().map { component[$0] }
            if multiplicative {
                seasonal = seasonal.map { max($0, 1e-2) }
                let sum = seasonal.reduce(0, +)
                if sum > Double(m) { seasonal = seasonal.map { $0 / (sum + 1e-2 * Double(seasonal.count)) } }
                adjusted = (0..<n).map { y[$0] / max(component[$0], 1e-2) }
            } else {
                adjusted = (0..<n).map { y[$0] - component[$0] }
            }
        }
        let maxn = min(max(10, 2 * spec.period), n)
        let head = Array(adjusted.prefix(maxn))
        guard spec.hasTrend else { return [head.reduce(0, +) / Double(maxn)] + seasonal }
        guard let c = smallLeastSquares([.init(repeating: 1, count: maxn), (1...maxn).map(Double.init)], head) else {
            return [head[0], 0] + seasonal
        }
        var (l0, b0) = (c[0], c[1])
        if abs(l0 + b0) < 1e-8 { l0 *= 1 + 1e-3; b0 *= 1 - 1e-3 }
        return [l0, b0] + seasonal
    }

    /// statsforecast's starting smoothing parameters (R's `initparam`, `bounds = "both"`).
    static func parameters(_ spec: ETSSpecification, bounds: ETSBounds) -> ETSParameters {
        let m = Double(spec.period)
        var alpha = bounds.lower.alpha + 0.2 * (bounds.upper.alpha - bounds.lower.alpha) / m
        if alpha > 1 || alpha < 0 { alpha = bounds.lower.alpha + 2e-3 }
        var p = ETSParameters(alpha: alpha)
        if spec.hasTrend {
            let upper = min(bounds.upper.beta, alpha)
            p.beta = bounds.lower.beta + 0.1 * (upper - bounds.lower.beta)
            if p.beta < 0 || p.beta > alpha { p.beta = alpha - 1e-3 }
        }
        if spec.hasSeason {
            let upper = min(bounds.upper.gamma, 1 - alpha)
            p.gamma = bounds.lower.gamma + 0.05 * (upper - bounds.lower.gamma)
            if p.gamma < 0 || p.gamma > 1 - alpha { p.gamma = 1 - alpha - 1e-3 }
        }
        if spec.damped {
            p.phi = bounds.lower.phi + 0.99 * (bounds.upper.phi - bounds.lower.phi)
        }
        return p
    }

    /// Least squares for a handful of columns by the normal equations (Gaussian elimination with
    /// partial pivoting): the regressions here have 2–4 columns and short, well-scaled data.
    static func smallLeastSquares(_ columns: [[Double]], _ y: [Double]) -> [Double]? {
        let k = columns.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for i in 0..<k {
            for j in 0..<k { a[i][j] = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            a[i][k] = zip(columns[i], y).reduce(0) { $0 + $1.0 * $1.1 }
        }
        for c in 0..<k {
            guard let p = (c..<k).max(by: { abs(a[$0][c]) < abs(a[$1][c]) }), abs(a[p][c]) > 1e-300 else { return nil }
            a.swapAt(c, p)
            for r in 0..<k where r != c {
                let factor = a[r][c] / a[c][c]
                for j in c...k { a[r][j] -= factor * a[c][j] }
            }
        }
        let x = (0..<k).map { a[$0][k] / a[$0][$0] }
        return x.allSatisfy(\.isFinite) ? x : nil
    }

    /// Interior gaps filled linearly, leading and trailing ones with the nearest value (for the
    /// starting values only: the likelihood skips missing observations).
    static func filled(_ y: [Double]) -> [Double] {
        let observed = y.indices.filter { y[$0].isFinite }
        guard let first = observed.first, let last = observed.last else { return y }
        var out = y
        for t in 0..<first { out[t] = y[first] }
        for t in (last + 1)..<y.count { out[t] = y[last] }
        var previous = first
        for t in observed.dropFirst() {
            if t > previous + 1 {
                for u in (previous + 1)..<t {
                    let w = Double(u - previous) / Double(t - previous)
                    out[u] = y[previous] + w * (y[t] - y[previous])
                }
            }
            previous = t
        }
        return out
    }
}
