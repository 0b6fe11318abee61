/// The Nelder–Mead simplex minimiser with box bounds (points are clamped into the box), adaptive
/// coefficients for the dimension (Gao & Han, 2012) and one restart from the best point — the
/// optimiser R's `ets` and statsforecast use for ETS and Theta, whose objectives are cheap,
/// derivative-free in practice (+∞ outside the admissible region) and low-dimensional.
struct NelderMead {
    var maxIterations = 2000
    /// Stop when the simplex's values differ by less than this, relative to the best.
    var tolerance = 1e-8
    /// Restarts from the best point with a fresh simplex (guards against a collapsed simplex).
    var restarts = 1

    struct Result {
        var x: [Double]
        var value: Double
        var evaluations: Int
    }

    func minimize(_ x0: [Double], lower: [Double], upper: [Double], step: [Double]? = nil,
                  _ f: ([Double]) -> Double) -> Result {
        var best = x0.indices.map { min(max(x0[$0], lower[$0]), upper[$0]) }
        var bestValue = Double.infinity
        var evaluations = 0
        for round in 0...restarts {
            let r = run(best, lower: lower, upper: upper, step: step, f)
            evaluations += r.evaluations
            let improved = r.value < bestValue
            if improved { best = r.x }
            let gain = bestValue - r.value
            bestValue = min(bestValue, r.value)
            if round > 0, !(gain > tolerance * (abs(bestValue) + 1e-10)) { break }
        }
        return Result(x: best, value: bestValue, evaluations: evaluations)
    }

    private func run(_ x0: [Double], lower: [Double], upper: [Double], step: [Double]?,
                     _ f: ([Double]) -> Double) -> Result {
        let n = x0.count
        var evaluations = 0
        func clamp(_ x: [Double]) -> [Double] { x.indices.map { min(max(x[$0], lower[$0]), upper[$0]) } }
        func eval(_ x: [Double]) -> Double {
            evaluations += 1
            let v = f(x)
            return v.isNaN ? .infinity : v
        }
        guard n > 0 else { return Result(x: x0, value: eval(x0), evaluations: evaluations) }
        let dn = Double(n)
        let (reflect, expand, contract, shrink) = (1.0, 1 + 2 / dn, 0.75 - 1 / (2 * dn), 1 - 1 / dn)
        var simplex = [clamp(x0)]
        for i in 0..<n {
            var v = simplex[0]
            var h = step?[i] ?? (v[i] != 0 ? 0.05 * abs(v[i]) : 0.00025)
            if v[i] + h > upper[i] { h = -h }
            v[i] += h
            simplex.append(clamp(v))
        }
        var values = simplex.map(eval)
        var iteration = 0
        while iteration < maxIterations {
            iteration += 1
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }
            values = order.map { values[$0] }
            let spread = values[n] - values[0]
            if values[0].isFinite, spread.isFinite, spread <= tolerance * (abs(values[0]) + 1e-10) { break }
            var centroid = [Double](repeating: 0, count: n)
            for p in simplex.dropLast() { for j in 0..<n { centroid[j] += p[j] / dn } }
            let worst = simplex[n]
            func point(_ c: Double) -> [Double] { clamp((0..<n).map { centroid[$0] + c * (centroid[$0] - worst[$0]) }) }
            let xr = point(reflect), fr = eval(xr)
            if fr < values[0] {
                let xe = point(reflect * expand), fe = eval(xe)
                if fe < fr { simplex[n] = xe; values[n] = fe } else { simplex[n] = xr; values[n] = fr }
                continue
            }
            if fr < values[n - 1] { simplex[n] = xr; values[n] = fr; continue }
            let outside = fr < values[n]
            let xc = point(outside ? reflect * contract : -contract), fc = eval(xc)
            if fc < (outside ? fr : values[n]) { simplex[n] = xc; values[n] = fc; continue }
            for i in 1...n {
                simplex[i] = clamp((0..<n).map { simplex[0][$0] + shrink * (simplex[i][$0] - simplex[0][$0]) })
                values[i] = eval(simplex[i])
            }
        }
        let i = values.indices.min { values[$0] < values[$1] } ?? 0
        return Result(x: simplex[i], value: values[i], evaluations: evaluations)
    }
}
