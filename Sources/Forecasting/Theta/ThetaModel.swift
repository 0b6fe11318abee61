import Foundation
import TimeSeries

/// A fitted Theta model (statsforecast's `Theta`/`OptimizedTheta` family): parameters, the
/// seasonal adjustment if the data called for one, and the state after the last observation,
/// so it forecasts and takes new observations without refitting.
///
/// Codable: the registry stores it as is.
public struct ThetaModel: Sendable, Codable {
    public let type: ThetaModelType
    public let parameters: ThetaParameters
    /// Σε²/mean|y| over the (seasonally adjusted) residuals from the fourth on: statsforecast's criterion.
    public let mse: Double
    /// Standard deviation of those residuals (n − 1 divisor).
    public let sigma: Double
    /// Seasonal indices (index 0 at the first training observation), when the series was adjusted.
    public let seasonalIndices: [Double]?
    public let multiplicativeSeason: Bool
    public var diagnostics: [String]

    public internal(set) var state: ThetaState
    /// Screens observations near the origin for outliers (nil: off, and in models written before it).
    public internal(set) var originGuard: OriginOutlierGuard<ThetaState>?
    let axis: TimeAxis
    let step: Int64
    /// The grid position of the next (not yet seen) observation.
    public private(set) var nextPosition: Int64

    /// `Theta(OTM)` or `Theta(OTM)×season[24]`.
    public var name: String {
        guard let s = seasonalIndices else { return "Theta(\(type.rawValue))" }
        return "Theta(\(type.rawValue))\(multiplicativeSeason ? "×" : "+")season[\(s.count)]"
    }

    init(type: ThetaModelType, parameters: ThetaParameters, mse: Double, sigma: Double, seasonalIndices: [Double]?,
         multiplicativeSeason: Bool, diagnostics: [String], state: ThetaState, grid: TimeGrid) {
        self.type = type
        self.parameters = parameters
        self.mse = mse
        self.sigma = sigma
        self.seasonalIndices = seasonalIndices
        self.multiplicativeSeason = multiplicativeSeason
        self.diagnostics = diagnostics
        self.state = state
        axis = grid.axis
        step = grid.step
        nextPosition = grid.position(at: grid.count)
    }

    /// The seasonal index at training step `t`.
    func seasonal(at t: Int) -> Double {
        guard let s = seasonalIndices else { return multiplicativeSeason ? 1 : 0 }
        return s[t % s.count]
    }

    func adjust(_ y: Double, at t: Int) -> Double {
        guard seasonalIndices != nil else { return y }
        return multiplicativeSeason ? y / seasonal(at: t) : y - seasonal(at: t)
    }

    func reseason(_ y: Double, at t: Int) -> Double {
        guard seasonalIndices != nil else { return y }
        return multiplicativeSeason ? y * seasonal(at: t) : y + seasonal(at: t)
    }

    /// One state update per new observation (seasonally adjusted first); NaN moves the state by
    /// its forecast, and so does an outlier the origin guard holds back. Nothing changes if the result is not finite.
    public mutating func append(observations values: [Double]) throws(ForecastError) {
        var s = state
        var screen = originGuard
        for (i, y) in values.enumerated() {
            let u = adjust(y, at: s.count)
            if screen != nil {
                screen?.step(&s, observing: u, value: y, at: nextPosition + Int64(i) * step, filter: filter)
            } else {
                s.update(type, parameters, observing: u)
            }
        }
        guard s.level.isFinite, s.meanY.isFinite, s.a.isFinite, s.b.isFinite else {
            throw ForecastError(.numericalFailure, "\(name): the state is not finite after \(values.count) new observations")
        }
        state = s
        originGuard = screen
        nextPosition += Int64(values.count) * step
    }

    /// Point forecasts and Gaussian quantiles, σ_h = σ √(1 + α²(h − 1)) — the variance of the
    /// SES-with-drift state space model the Theta method is equivalent to (Hyndman & Billah,
    /// 2003), which statsforecast's simulated intervals approach as their sample grows — then
    /// reseasonalised like the mean.
    public func forecast(horizon: Int, levels: [Double]) throws(ForecastError) -> ForecastDistribution {
        guard horizon >= 1 else { throw ForecastError(.invalidRequest, "horizon must be at least 1") }
        let adjusted = state.forecast(type, parameters, steps: horizon)
        let z = NormalDistribution.quantiles(levels)
        var mean = [Double](), quantiles = [[Double]]()
        for h in 0..<horizon {
            let t = state.count + h
            let sd = sigma * (1 + parameters.alpha * parameters.alpha * Double(h)).squareRoot()
            mean.append(reseason(adjusted[h], at: t))
            quantiles.append(z.map { reseason(adjusted[h] + $0 * sd, at: t) })
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
}
