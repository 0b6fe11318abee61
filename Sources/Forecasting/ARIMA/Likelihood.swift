import Foundation
import LinearAlgebra

/// The exact Gaussian log-likelihood of the differenced data, with β and σ² concentrated out.
struct ProfileLikelihood {
    var logLikelihood: Double
    /// σ² in the units of the data.
    var sigma2: Double
    /// The GLS regression coefficients (one per regressor column).
    var beta: [Double]
    /// The filter pass; its state columns are the series' then each regressor's.
    var pass: KalmanFilter.Pass

    /// The predicted ARMA state of the regression errors, a_y − Σ β_j a_{x_j}.
    var errorState: [Double] {
        let c = beta.count + 1
        let m = pass.state.count / c
        return (0..<m).map { i in
            var value = pass.state[i * c]
            for (j, b) in beta.enumerated() { value -= b * pass.state[i * c + j + 1] }
            return value
        }
    }

    /// Evaluates the profile likelihood for `parameters` on `data` (rows × columns, column 0 the
    /// differenced series, then the differenced regressors). Nil when the filter fails.
    static func evaluate(_ parameters: ARMAParameters, period: Int, data: [Double], rows: Int, columns c: Int) -> ProfileLikelihood? {
        let model = parameters.stateSpace(period: period)
        guard let initial = model.stationaryCovariance(),
              let pass = data.withUnsafeBufferPointer({ KalmanFilter.likelihoodPass(model, initial: initial, data: $0, rows: rows, columns: c) }),
              pass.observed > 0
        else { return nil }
        let k = c - 1
        var beta = [Double](repeating: 0, count: k)
        var ssr = pass.cross[0]
        if k > 0 {
            var sxx = [Double](repeating: 0, count: k * k)
            var sxy = [Double](repeating: 0, count: k)
            for i in 0..<k {
                sxy[i] = pass.cross[i + 1]
                for j in 0..<k { sxx[i * k + j] = pass.cross[(i + 1) * c + j + 1] }
            }
            guard let solved = solveNormalEquations(sxx, sxy, k) else { return nil }
            beta = solved
            for i in 0..<k { ssr -= beta[i] * sxy[i] }
        }
        let n = Double(pass.observed)
        let sigma2 = max(ssr / n, 1e-300)
        let loglik = -0.5 * n * (log(2 * Double.pi) + log(sigma2) + 1) - 0.5 * pass.sumLogF
        guard loglik.isFinite else { return nil }
        return ProfileLikelihood(logLikelihood: loglik, sigma2: sigma2, beta: beta, pass: pass)
    }

    /// The exact log-likelihood at given β and σ² (no concentration), as statsmodels reports it.
    static func logLikelihood(_ parameters: ARMAParameters, period: Int, beta: [Double], sigma2: Double,
                              data: [Double], rows: Int, columns c: Int) -> Double? {
        var residual = [Double](repeating: 0, count: rows)
        for t in 0..<rows {
            var value = data[t * c]
            for (j, b) in beta.enumerated() { value -= b * data[t * c + j + 1] }
            residual[t] = value
        }
        let model = parameters.stateSpace(period: period)
        guard let initial = model.stationaryCovariance(),
              let pass = residual.withUnsafeBufferPointer({ KalmanFilter.likelihoodPass(model, initial: initial, data: $0, rows: rows, columns: 1) })
        else { return nil }
        let n = Double(pass.observed)
        return -0.5 * (n * log(2 * Double.pi * sigma2) + pass.sumLogF + pass.cross[0] / sigma2)
    }

    /// Solves the k×k GLS normal equations by Cholesky (LAPACK potrf/potrs); a singular system
    /// (collinear regressors) gets the minimum-norm solution by SVD (gelsd) instead.
    static func solveNormalEquations(_ a: [Double], _ b: [Double], _ k: Int) -> [Double]? {
        guard let matrix = try? Matrix(rows: k, columns: k, elements: a) else { return nil }
        if let factor = try? Cholesky(matrix), let x = try? factor.solve(b), x.allSatisfy(\.isFinite) {
            return x
        }
        if let solution = try? leastSquares(matrix, b), solution.coefficients.allSatisfy(\.isFinite) {
            return solution.coefficients
        }
        return nil
    }
}
