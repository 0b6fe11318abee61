/// A component of an exponential smoothing model: absent, additive or multiplicative.
public enum ETSComponent: String, Sendable, Codable, Hashable {
    case none = "N", additive = "A", multiplicative = "M"
}

/// Which ETS model (Hyndman et al., *Forecasting with Exponential Smoothing*, 2008): error,
/// trend (optionally damped) and season, with the seasonal period.
///
/// Multiplicative trends are not offered (statsforecast and R leave them out of the automatic
/// search by default too: they forecast explosively).
public struct ETSSpecification: Sendable, Codable, Hashable, CustomStringConvertible {
    public var error: ETSComponent
    public var trend: ETSComponent
    public var damped: Bool
    public var season: ETSComponent
    /// The seasonal period m; 1 when `season == .none`.
    public var period: Int

    public init(error: ETSComponent, trend: ETSComponent = .none, damped: Bool = false,
                season: ETSComponent = .none, period: Int = 1) {
        self.error = error
        self.trend = trend
        self.damped = damped && trend != .none
        self.season = season
        self.period = season == .none ? 1 : max(period, 1)
    }

    /// Parses statsforecast's model string, e.g. `"AAdM"`/`"AAM"` with `damped`, or `"ANN"`.
    public init?(_ code: String, damped: Bool = false, period: Int = 1) {
        var chars = Array(code)
        var isDamped = damped
        if chars.count == 4, chars[2] == "d" { isDamped = true; chars.remove(at: 2) }
        guard chars.count == 3, let e = ETSComponent(rawValue: String(chars[0])), e != .none,
              let t = ETSComponent(rawValue: String(chars[1])), t != .multiplicative,
              let s = ETSComponent(rawValue: String(chars[2])) else { return nil }
        self.init(error: e, trend: t, damped: isDamped, season: s, period: period)
    }

    /// `ETS(A,Ad,M)[24]`.
    public var description: String {
        let t = trend.rawValue + (damped ? "d" : "")
        return "ETS(\(error.rawValue),\(t),\(season.rawValue))" + (season == .none ? "" : "[\(period)]")
    }

    var hasTrend: Bool { trend != .none }
    var hasSeason: Bool { season != .none }
    /// Whether any part is multiplicative (such models need positive data).
    var isMultiplicative: Bool { error == .multiplicative || season == .multiplicative }
    /// Free parameters: smoothing parameters plus initial states (the last seasonal state is
    /// fixed by the normalisation), as statsforecast counts them; σ² is added for the AICc.
    var parameterCount: Int {
        1 + (hasTrend ? 1 : 0) + (hasSeason ? 1 : 0) + (damped ? 1 : 0)
            + 1 + (hasTrend ? 1 : 0) + (hasSeason ? period - 1 : 0)
    }
}

/// Smoothing parameters in error-correction form: ℓ_t = … + α ε_t, b_t = φ b_{t−1} + β ε_t, s_t = s_{t−m} + γ ε_t.
public struct ETSParameters: Sendable, Codable, Hashable {
    public var alpha: Double
    public var beta: Double
    public var gamma: Double
    public var phi: Double

    public init(alpha: Double, beta: Double = 0, gamma: Double = 0, phi: Double = 1) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.phi = phi
    }
}
