import Foundation
import TimeSeries

/// A fitted ETS model: its parameters, fit statistics and the state after the last observation,
/// so it can forecast and take new observations without refitting (the actuator's scoring path).
///
/// Codable: the registry stores it as is.
public struct ETSModel: Sendable, Codable {
    public let specification: ETSSpecification
    public let parameters: ETSParameters
    /// The initial state `[ℓ₀, b₀?, s…]` (all m seasonal terms, newest first), for the record.
    public let initialState: [Double]
    /// statsforecast's log-likelihood: −½ (n log Σε² + 2 Σ log|ŷ| for multiplicative errors).
    public let logLikelihood: Double
    public let aicc: Double
    /// Σε² / (n − k − 1), k the parameter count: the innovation variance (of relative errors
    /// for multiplicative-error models).
    public let sigma2: Double
    /// Observations the fit used.
    public let observations: Int
    public var diagnostics: [String]

    public internal(set) var state: ETSState
    /// Screens observations near the origin for outliers (nil: off, and in models written before it).
    public internal(set) var originGuard: OriginOutlierGuard<ETSState>?
    let axis: TimeAxis
    let step: Int64
    /// The grid position of the next (not yet seen) observation.
    public private(set) var nextPosition: Int64

    /// `ETS(A,Ad,N)`.
    public var name: String { specification.description }

    init(specification: ETSSpecification, parameters: ETSParameters, initialState: [Double], logLikelihood: Double,
         aicc: Double, sigma2: Double, observations: Int, diagnostics: [String], state: ETSState, grid: TimeGrid) {
        self.specification = specification
        self.parameters = parameters
        self.initialState = initialState
        self.logLikelihood = logLikelihood
        self.aicc = aicc
        self.sigma2 = sigma2
        self.observations = observations
        self.diagnostics = diagnostics
        self.state = state
        axis = grid.axis
        step = grid.step
        nextPosition = grid.position(at: grid.count)
    }

    /// Conditions the model on observations that follow the data it has seen: one state update
    /// each (a NaN moves the state by its prediction), through the origin guard when the model has one. Nothing changes if the result is not finite.
    public mutating func append(observations values: [Double]) throws(ForecastError) {
        var s = state
        var screen = originGuard
        let filter = ETSFilter(specification: specification, parameters: parameters)
        for (i, y) in values.enumerated() {
            if screen != nil {
                screen?.step(&s, observing: y, at: nextPosition + Int64(i) * step, filter: filter)
            } else {
                s.update(specification, parameters, observing: y)
            }
        }
        guard s.level.isFinite, s.slope.isFinite, s.season.allSatisfy(\.isFinite) else {
            throw ForecastError(.numericalFailure, "\(name): the state is not finite after \(values.count) new observations")
        }
        state = s
        originGuard = screen
        nextPosition += Int64(values.count) * step
    }

    /// Point forecasts and quantiles for `horizon` steps past the last observation.
    ///
    /// Intervals: Gaussian with the analytic variance for the linear classes (additive error
    /// and no multiplicative season: Hyndman et al. 2008, class 1; multiplicative error with
    /// additive components: class 2); otherwise quantiles of 2,000 simulated paths from a fixed
    /// seed, so repeated calls agree.
    public func forecast(horizon: Int, levels: [Double]) throws(ForecastError) -> ForecastDistribution {
        guard horizon >= 1 else { throw ForecastError(.invalidRequest, "horizon must be at least 1") }
        let mean = state.forecast(specification, phi: parameters.phi, steps: horizon)
        var quantiles: [[Double]]
        if let variance = analyticVariance(mean) {
            let z = NormalDistribution.quantiles(levels)
            quantiles = (0..<horizon).map { h in
                let sd = max(variance[h], 0).squareRoot()
                return z.map { mean[h] + $0 * sd }
            }
        } else {
            quantiles = simulatedQuantiles(horizon: horizon, levels: levels)
        }
        guard mean.allSatisfy(\.isFinite), quantiles.allSatisfy({ $0.allSatisfy(\.isFinite) }) else {
            throw ForecastError(.numericalFailure, "\(name): the forecast is not finite")
        }
        let grid = TimeGrid(axis: axis, start: nextPosition, step: step, count: horizon)
        do {
            return try ForecastDistribution(grid: grid, levels: levels, mean: mean, quantiles: quantiles)
        } catch {
            throw ForecastError(.numericalFailure, error.description)
        }
    }

    /// c_j = α + β(φ + … + φ^j) + γ·[m divides j]: the weight of the error j steps back in a
    /// forecast error (the linear classes).
    func errorWeights(_ count: Int) -> [Double] {
        let p = parameters, spec = specification
        var out = [Double](), phiSum = 0.0, phiPower = 1.0
        for j in 1...max(count, 1) {
            phiPower *= spec.damped ? p.phi : 1
            phiSum += phiPower
            var c = p.alpha
            if spec.hasTrend { c += p.beta * phiSum }
            if spec.hasSeason, j % spec.period == 0 { c += p.gamma }
            out.append(c)
        }
        return out
    }

    /// The forecast variances of classes 1 and 2, nil for the others.
    func analyticVariance(_ mean: [Double]) -> [Double]? {
        let h = mean.count
        guard specification.season != .multiplicative else { return nil }
        let c = errorWeights(h)
        if specification.error == .additive {
            var sum = 0.0
            return (0..<h).map { k in
                defer { sum += c[k] * c[k] }
                return sigma2 * (1 + sum)
            }
        }
        // Class 2: θ_1 = μ_1², θ_k = μ_k² + σ² Σ_{j<k} c_j² θ_{k−j}; v_k = (1 + σ²) θ_k − μ_k².
        var theta = [Double](repeating: 0, count: h)
        for k in 0..<h {
            var sum = 0.0
            for j in 0..<k { sum += c[j] * c[j] * theta[k - 1 - j] }
            theta[k] = mean[k] * mean[k] + sigma2 * sum
        }
        return (0..<h).map { (1 + sigma2) * theta[$0] - mean[$0] * mean[$0] }
    }

    /// Quantiles of simulated sample paths (seeded: the same model gives the same quantiles).
    func simulatedQuantiles(horizon: Int, levels: [Double], paths: Int = 2000) -> [[Double]] {
        var rng = SplitMix64(seed: 0x5EED_E75)
        let sd = sigma2.squareRoot()
        var samples = [[Double]](repeating: [Double](repeating: 0, count: paths), count: horizon)
        for path in 0..<paths {
            var s = state
            for h in 0..<horizon {
                let f = s.oneStep(specification, phi: parameters.phi)
                let e = sd * rng.nextGaussian()
                let y = specification.error == .additive ? f + e : f * (1 + e)
                samples[h][path] = y
                s.update(specification, parameters, observing: y)
            }
        }
        return samples.map { row in
            let sorted = row.sorted()
            return levels.map { Self.quantile(sorted, $0) }
        }
    }

    /// numpy's default (linear) quantile of sorted values.
    static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        let position = p * Double(sorted.count - 1)
        let i = Int(position.rounded(.down)), frac = position - Double(i)
        return i + 1 < sorted.count ? sorted[i] + frac * (sorted[i + 1] - sorted[i]) : sorted[i]
    }
}

/// A small, fast, seedable generator (SplitMix64) with Box–Muller normals.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1).
    mutating func nextUniform() -> Double { (Double(next() >> 11) + 0.5) / Double(1 << 53) }

    mutating func nextGaussian() -> Double {
        (-2 * log(nextUniform())).squareRoot() * cos(2 * .pi * nextUniform())
    }
}
