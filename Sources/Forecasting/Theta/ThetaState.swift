import Foundation

/// The four Theta models of Fiorucci et al. (2016) as statsforecast names them: standard or
/// dynamic (the linear trend re-estimated at every step), θ fixed at 2 or optimised.
public enum ThetaModelType: String, Sendable, Codable, Hashable, CaseIterable {
    case standard = "STM", optimized = "OTM", dynamicStandard = "DSTM", dynamicOptimized = "DOTM"

    var isDynamic: Bool { self == .dynamicStandard || self == .dynamicOptimized }
    var optimizesTheta: Bool { self == .optimized || self == .dynamicOptimized }
}

/// Parameters: the smoothing constant α, θ, and the initial smoothed level ℓ*.
public struct ThetaParameters: Sendable, Codable, Hashable {
    public var alpha: Double
    public var theta: Double
    public var initialLevel: Double
}

/// The Theta state after `count` observations, and its one-observation update (statsforecast's
/// `thetacalc`/`update`): SES level ℓ, running mean ȳ, trend line A + B·t (fixed for the
/// standard models, least squares on the data so far for the dynamic ones).
///
/// One-step forecast at index i: μ_i = ℓ + (1 − 1/θ)(A(1 − α)^i + B(1 − (1 − α)^{i+1})/α).
public struct ThetaState: Sendable, Codable, Hashable {
    var level: Double
    var meanY: Double
    var a: Double
    var b: Double
    /// Observations seen (the next one has index `count`).
    var count: Int

    /// The state after the first observation.
    init(first y0: Double, data y: [Double], type: ThetaModelType, parameters p: ThetaParameters) {
        level = p.alpha * y0 + (1 - p.alpha) * p.initialLevel
        meanY = y0
        if type.isDynamic {
            a = y0
            b = 0
        } else {
            let n = Double(y.count)
            let mean = y.reduce(0, +) / n
            let timeWeighted = y.enumerated().reduce(0) { $0 + Double($1.offset + 1) * $1.element } / n
            b = 6 * (2 * timeWeighted - (1 + n) * mean) / (n * n - 1)
            a = mean - (n + 1) * b / 2
        }
        count = 1
    }

    /// The first fitted value (before any update), statsforecast's `mu` of the initial state.
    static func firstForecast(_ type: ThetaModelType, _ p: ThetaParameters, a: Double, b: Double, y0: Double) -> Double {
        type.isDynamic ? y0 : p.initialLevel + (1 - 1 / p.theta) * (a + b)
    }

    func oneStep(_ p: ThetaParameters) -> Double {
        let i = Double(count)
        let decay = Foundation.pow(1 - p.alpha, i)
        return level + (1 - 1 / p.theta) * (a * decay + b * (1 - decay * (1 - p.alpha)) / p.alpha)
    }

    /// Moves past observation `y`; a NaN `y` is replaced by its forecast (no correction).
    mutating func update(_ type: ThetaModelType, _ p: ThetaParameters, observing y: Double) {
        let value = y.isFinite ? y : oneStep(p)
        let i = Double(count)
        let previousMean = meanY
        level = p.alpha * value + (1 - p.alpha) * level
        meanY = (i * previousMean + value) / (i + 1)
        if type.isDynamic {
            b = ((i - 1) * b + 6 * (value - previousMean) / (i + 1)) / (i + 2)
            a = meanY - b * (i + 2) / 2
        }
        count += 1
    }

    /// Point forecasts for steps 1…h: each step's forecast fed back as its observation.
    func forecast(_ type: ThetaModelType, _ p: ThetaParameters, steps h: Int) -> [Double] {
        var s = self
        return (0..<h).map { _ in
            let f = s.oneStep(p)
            s.update(type, p, observing: f)
            return f
        }
    }
}
