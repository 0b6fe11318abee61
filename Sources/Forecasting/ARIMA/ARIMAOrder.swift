/// The orders of a seasonal ARIMA(p,d,q)(P,D,Q)_s error process.
public struct ARIMAOrder: Sendable, Hashable, Codable, CustomStringConvertible {
    public var p: Int, d: Int, q: Int
    public var P: Int, D: Int, Q: Int
    /// The seasonal period in steps; 1 (or 0) means no seasonal part.
    public var s: Int

    public init(p: Int, d: Int, q: Int, P: Int = 0, D: Int = 0, Q: Int = 0, s: Int = 1) {
        self.p = max(0, p); self.d = max(0, d); self.q = max(0, q)
        let seasonal = s > 1
        self.P = seasonal ? max(0, P) : 0
        self.D = seasonal ? max(0, D) : 0
        self.Q = seasonal ? max(0, Q) : 0
        self.s = seasonal ? s : 1
    }

    /// True when the order has a seasonal ARIMA part.
    public var isSeasonal: Bool { s > 1 && (P + D + Q) > 0 }
    /// The degree of the expanded AR polynomial φ(B)Φ(B^s).
    public var expandedAR: Int { p + s * P }
    /// The degree of the expanded MA polynomial θ(B)Θ(B^s).
    public var expandedMA: Int { q + s * Q }
    /// Observations lost to differencing, d + s·D.
    public var differencingLoss: Int { d + s * D }
    /// The number of ARMA coefficients (p + q + P + Q).
    public var armaCount: Int { p + q + P + Q }
    /// The Harvey state dimension max(p + sP, q + sQ + 1).
    public var stateDimension: Int { max(expandedAR, expandedMA + 1) }

    public var description: String {
        var text = "ARIMA(\(p),\(d),\(q))"
        if isSeasonal { text += "(\(P),\(D),\(Q))[\(s)]" }
        return text
    }
}

/// The deterministic part of the regression: nothing, an intercept, or a drift (linear trend).
public enum ARIMATrend: String, Sendable, Hashable, Codable {
    case none, constant, drift
}

/// Fourier regressors sin/cos(2πk·i/period), k = 1…harmonics, i the absolute step index.
public struct ARIMAFourier: Sendable, Hashable, Codable {
    /// The period in steps (288 for a daily cycle of five-minute steps).
    public var period: Double
    public var harmonics: Int
    public init(period: Double, harmonics: Int) {
        self.period = period
        self.harmonics = harmonics
    }
}

/// A full model specification: regression with SARIMA errors.
///
/// y_t = x_tᵀβ + u_t with (1−B)^d(1−B^s)^D φ(B)Φ(B^s) u_t = θ(B)Θ(B^s) ε_t. The regressors x_t
/// are the trend column (intercept or drift), the caller's exogenous columns, then Fourier terms.
public struct ARIMASpecification: Sendable, Hashable, Codable, CustomStringConvertible {
    public var order: ARIMAOrder
    public var trend: ARIMATrend
    public var fourier: [ARIMAFourier]
    /// Names of the caller's exogenous columns (empty when there are none).
    public var exogenous: [String]

    public init(order: ARIMAOrder, trend: ARIMATrend = .none, fourier: [ARIMAFourier] = [], exogenous: [String] = []) {
        self.order = order
        self.trend = trend
        self.fourier = fourier.filter { $0.harmonics > 0 }
        self.exogenous = exogenous
    }

    public var description: String {
        var text = order.description
        switch trend {
        case .none: break
        case .constant: text += " with constant"
        case .drift: text += " with drift"
        }
        for f in fourier {
            let period = f.period == f.period.rounded() ? String(Int(f.period)) : String(f.period)
            text += " + Fourier[\(period)]×\(f.harmonics)"
        }
        if !exogenous.isEmpty { text += " + xreg(\(exogenous.count))" }
        return text
    }
}
