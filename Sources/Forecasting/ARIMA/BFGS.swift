/// A quasi-Newton minimiser: BFGS with a backtracking (Armijo) line search and central-difference
/// gradients. The objectives here have a handful of parameters and cost a filter pass each, so the
/// dense inverse-Hessian update is cheap and numerical gradients are good enough.
struct BFGS {
    var maxIterations = 100
    /// Stop when the largest gradient component falls below this.
    var gradientTolerance = 1e-5
    /// …or when an iteration improves f by less than this (relative).
    var relativeTolerance = 1e-10
    var step = 1e-5

    struct Result {
        var x: [Double]
        var value: Double
        var iterations: Int
        var evaluations: Int
        var converged: Bool
    }

    func minimize(_ x0: [Double], _ f: ([Double]) -> Double) -> Result {
        let n = x0.count
        var evaluations = 0
        func eval(_ x: [Double]) -> Double {
            evaluations += 1
            let v = f(x)
            return v.isFinite ? v : .infinity
        }
        var x = x0
        var fx = eval(x)
        guard n > 0, fx.isFinite else {
            return Result(x: x, value: fx, iterations: 0, evaluations: evaluations, converged: fx.isFinite)
        }
        func gradient(_ x: [Double], _ fx: Double) -> [Double] {
            var g = [Double](repeating: 0, count: n)
            var probe = x
            for i in 0..<n {
                let h = step * max(1, abs(x[i]))
                probe[i] = x[i] + h
                let up = eval(probe)
                probe[i] = x[i] - h
                let down = eval(probe)
                probe[i] = x[i]
                if up.isFinite && down.isFinite {
                    g[i] = (up - down) / (2 * h)
                } else if up.isFinite {
                    g[i] = (up - fx) / h
                } else if down.isFinite {
                    g[i] = (fx - down) / h
                }
            }
            return g
        }
        var g = gradient(x, fx)
        var h = identity(n)
        var converged = false
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            if g.map(abs).max() ?? 0 < gradientTolerance { converged = true; break }
            var direction = [Double](repeating: 0, count: n)
            for i in 0..<n { for j in 0..<n { direction[i] -= h[i * n + j] * g[j] } }
            var slope = zip(direction, g).reduce(0) { $0 + $1.0 * $1.1 }
            if !(slope < 0) {
                // Not a descent direction: restart from steepest descent.
                h = identity(n)
                direction = g.map { -$0 }
                slope = -g.reduce(0) { $0 + $1 * $1 }
            }
            // Keep steps in the unconstrained space moderate: far-out values all mean |r| ≈ 1.
            let longest = direction.map(abs).max() ?? 0
            var alpha = longest > 2 ? 2 / longest : 1
            var candidate = x, fc = Double.infinity
            var accepted = false
            for _ in 0..<30 {
                for i in 0..<n { candidate[i] = x[i] + alpha * direction[i] }
                fc = eval(candidate)
                if fc <= fx + 1e-4 * alpha * slope { accepted = true; break }
                alpha *= 0.5
            }
            guard accepted else { converged = true; break } // no further descent available at this resolution
            let gc = gradient(candidate, fc)
            let sVec = (0..<n).map { candidate[$0] - x[$0] }
            let yVec = (0..<n).map { gc[$0] - g[$0] }
            let improvement = fx - fc
            x = candidate
            g = gc
            let previous = fx
            fx = fc
            let sy = zip(sVec, yVec).reduce(0) { $0 + $1.0 * $1.1 }
            if sy > 1e-12 {
                // H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
                let rho = 1 / sy
                var hy = [Double](repeating: 0, count: n)
                for i in 0..<n { for j in 0..<n { hy[i] += h[i * n + j] * yVec[j] } }
                let yhy = zip(yVec, hy).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<n {
                    for j in 0..<n {
                        h[i * n + j] += -rho * (hy[i] * sVec[j] + sVec[i] * hy[j]) + (rho * rho * yhy + rho) * sVec[i] * sVec[j]
                    }
                }
            }
            if improvement <= relativeTolerance * (abs(previous) + 1e-8) { converged = true; break }
        }
        return Result(x: x, value: fx, iterations: iteration, evaluations: evaluations, converged: converged)
    }

    private func identity(_ n: Int) -> [Double] {
        var h = [Double](repeating: 0, count: n * n)
        for i in 0..<n { h[i * n + i] = 1 }
        return h
    }
}
