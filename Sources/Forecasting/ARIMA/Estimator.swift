import Foundation
import LinearAlgebra

/// How the ARMA coefficients are estimated.
public enum ARIMAMethod: String, Sendable, Hashable, Codable {
    /// Conditional sum of squares only (fast; the order search uses it on long series).
    case css
    /// Exact maximum likelihood by the Kalman filter, started from the CSS estimates (R's "CSS-ML").
    case ml
}

/// One fitted specification: coefficients, GLS β, σ², log-likelihood and AICc (scaled units).
struct ARIMAEstimate: Sendable {
    var specification: ARIMASpecification
    var parameters: ARMAParameters
    var beta: [Double]
    var sigma2: Double
    var logLikelihood: Double
    var aicc: Double
    /// Differenced observations the likelihood used.
    var observed: Int
    var method: ARIMAMethod
    var converged: Bool
}

/// Differenced data for one specification: w = Δy and ΔX side by side, row-major (1 + k columns).
struct DifferencedData {
    var rows: Int
    var columns: Int
    var values: [Double]

    /// Differences `y` (n) and `design` (n×k row-major) by the order's differencing polynomial.
    /// A row whose regressors are not finite counts as missing.
    init(y: [Double], design: [Double], regressors k: Int, order: ARIMAOrder) {
        let poly = LagPolynomial.differencing(d: order.d, D: order.D, s: order.s)
        let w = LagPolynomial.difference(y, by: poly)
        rows = w.count
        columns = k + 1
        values = [Double](repeating: 0, count: rows * columns)
        let degree = poly.count - 1
        for t in 0..<rows {
            values[t * columns] = w[t]
            for j in 0..<k {
                var sum = 0.0
                for (lag, c) in poly.enumerated() where c != 0 { sum += c * design[(t + degree - lag) * k + j] }
                values[t * columns + j + 1] = sum
                if !sum.isFinite { values[t * columns] = .nan }
            }
        }
    }

    var series: [Double] { (0..<rows).map { values[$0 * columns] } }

    /// OLS coefficients of w on ΔX over the observed rows (gelsd); zeros when there are none.
    func ordinaryLeastSquares() -> [Double] {
        let k = columns - 1
        guard k > 0 else { return [] }
        var a: [Double] = [], b: [Double] = []
        for t in 0..<rows where values[t * columns].isFinite {
            b.append(values[t * columns])
            a.append(contentsOf: values[(t * columns + 1)..<((t + 1) * columns)])
        }
        guard b.count > 0, let matrix = try? Matrix(rows: b.count, columns: k, elements: a),
              let solution = try? leastSquares(matrix, b), solution.coefficients.allSatisfy(\.isFinite)
        else { return [Double](repeating: 0, count: k) }
        return solution.coefficients
    }

    /// w − ΔX β.
    func residual(_ beta: [Double]) -> [Double] {
        (0..<rows).map { t in
            var value = values[t * columns]
            for (j, b) in beta.enumerated() { value -= b * values[t * columns + j + 1] }
            return value
        }
    }
}

/// Fits one specification: Hannan–Rissanen start, CSS, then (optionally) exact ML with GLS β.
enum ARIMAEstimator {
    static func fit(_ spec: ARIMASpecification, data: DifferencedData, method: ARIMAMethod,
                    start: ARMAParameters? = nil) -> ARIMAEstimate? {
        let order = spec.order
        let k = data.columns - 1
        let beta0 = data.ordinaryLeastSquares()
        let z = data.residual(beta0)
        let observed = z.reduce(0) { $0 + ($1.isFinite ? 1 : 0) }
        let parameterCount = order.armaCount + k + 1
        guard observed > parameterCount + 1, observed > order.expandedAR + 2 else { return nil }

        let initial = start ?? HannanRissanen.estimate(z, order: order)
        var x = initial.unconstrained()
        var converged = true
        var cssParameters = ARMAParameters(unconstrained: x, order: order)
        if order.armaCount > 0 {
            let objective: ([Double]) -> Double = { x in
                let r = ConditionalSumOfSquares.evaluate(ARMAParameters(unconstrained: x, order: order), period: order.s, series: z)
                return r.count > 0 && r.sumOfSquares > 0 ? 0.5 * log(r.sigma2) : .infinity
            }
            var best = BFGS().minimize(x, objective)
            if !best.value.isFinite {
                best = BFGS().minimize([Double](repeating: 0, count: x.count), objective)
            }
            if best.value.isFinite {
                x = best.x
                converged = best.converged
            }
            cssParameters = ARMAParameters(unconstrained: x, order: order)
        }
        switch method {
        case .css:
            let css = ConditionalSumOfSquares.evaluate(cssParameters, period: order.s, series: z)
            guard css.count > 0, css.sigma2 > 0, css.sigma2.isFinite else { return nil }
            // Like R's auto.arima approximation: σ²_CSS in a Gaussian likelihood over all observed steps.
            let loglik = -0.5 * Double(observed) * (log(2 * Double.pi * css.sigma2) + 1)
            return ARIMAEstimate(specification: spec, parameters: cssParameters, beta: beta0, sigma2: css.sigma2,
                                 logLikelihood: loglik, aicc: aicc(loglik, parameters: parameterCount, observations: observed),
                                 observed: observed, method: .css, converged: converged)
        case .ml:
            let objective = likelihoodObjective(order, data: data)
            var result = BFGS().minimize(x, objective)
            if !result.value.isFinite, order.armaCount > 0 {
                result = BFGS().minimize([Double](repeating: 0, count: x.count), objective)
            }
            return mlEstimate(spec, data: data, result: result)
        }
    }

    /// Exact ML for `spec` on `data` with the optimiser started at `point` (unconstrained; no
    /// Hannan–Rissanen, no CSS): a warm refit, for a window that moved a little since `point` was
    /// the optimum, so the optimum moved a little too. Also returns the optimiser's end point for
    /// the next refit. Nil when the likelihood is not finite there or at the end, or there are
    /// too few observations.
    static func refit(_ spec: ARIMASpecification, data: DifferencedData,
                      from point: [Double]) -> (estimate: ARIMAEstimate, end: [Double])? {
        let order = spec.order
        let observed = (0..<data.rows).reduce(0) { $0 + (data.values[$1 * data.columns].isFinite ? 1 : 0) }
        guard point.count == order.armaCount, observed > order.armaCount + data.columns + 1,
              observed > order.expandedAR + 2 else { return nil }
        let result = BFGS().minimize(point, likelihoodObjective(order, data: data))
        guard result.value.isFinite, let estimate = mlEstimate(spec, data: data, result: result) else { return nil }
        return (estimate, result.x)
    }

    /// −ℓ/n of the profile likelihood at the optimiser's unconstrained vector (∞ where the filter fails).
    static func likelihoodObjective(_ order: ARIMAOrder, data: DifferencedData) -> ([Double]) -> Double {
        { x in
            guard let l = ProfileLikelihood.evaluate(ARMAParameters(unconstrained: x, order: order), period: order.s,
                                                     data: data.values, rows: data.rows, columns: data.columns)
            else { return .infinity }
            return -l.logLikelihood / Double(max(l.pass.observed, 1))
        }
    }

    /// The estimate at the optimiser's result (β and σ² from the GLS profile there).
    private static func mlEstimate(_ spec: ARIMASpecification, data: DifferencedData, result: BFGS.Result) -> ARIMAEstimate? {
        let order = spec.order
        let parameterCount = order.armaCount + data.columns - 1 + 1
        let parameters = ARMAParameters(unconstrained: result.x, order: order)
        guard result.value.isFinite,
              let l = ProfileLikelihood.evaluate(parameters, period: order.s, data: data.values, rows: data.rows, columns: data.columns)
        else { return nil }
        return ARIMAEstimate(specification: spec, parameters: parameters, beta: l.beta, sigma2: l.sigma2,
                             logLikelihood: l.logLikelihood,
                             aicc: aicc(l.logLikelihood, parameters: parameterCount, observations: l.pass.observed),
                             observed: l.pass.observed, method: .ml, converged: result.converged)
    }

    /// AICc = −2ℓ + 2k + 2k(k+1)/(n−k−1); infinite when n ≤ k + 1.
    static func aicc(_ loglik: Double, parameters k: Int, observations n: Int) -> Double {
        guard n - k - 1 > 0 else { return .infinity }
        let kd = Double(k)
        return -2 * loglik + 2 * kd + 2 * kd * (kd + 1) / Double(n - k - 1)
    }
}
