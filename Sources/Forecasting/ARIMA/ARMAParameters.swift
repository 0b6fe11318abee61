/// The ARMA coefficients of a SARIMA model, in the sign conventions of R and statsmodels:
/// φ(B) = 1 − Σ ar_i B^i, Φ(B^s) = 1 − Σ sar_i B^{si}, θ(B) = 1 + Σ ma_i B^i, Θ(B^s) = 1 + Σ sma_i B^{si}.
public struct ARMAParameters: Sendable, Hashable, Codable {
    public var ar: [Double]
    public var ma: [Double]
    public var sar: [Double]
    public var sma: [Double]

    public init(ar: [Double] = [], ma: [Double] = [], sar: [Double] = [], sma: [Double] = []) {
        self.ar = ar
        self.ma = ma
        self.sar = sar
        self.sma = sma
    }

    /// All coefficients in the order ar, ma, sar, sma (statsmodels' order).
    public var flattened: [Double] { ar + ma + sar + sma }

    /// Coefficients from the optimiser's unconstrained vector (layout ar, ma, sar, sma).
    init(unconstrained x: [Double], order: ARIMAOrder) {
        var i = 0
        func take(_ count: Int) -> ArraySlice<Double> {
            defer { i += count }
            return x[i..<(i + count)]
        }
        ar = Reparametrization.stationary(take(order.p))
        ma = Reparametrization.stationary(take(order.q)).map { -$0 }
        sar = Reparametrization.stationary(take(order.P))
        sma = Reparametrization.stationary(take(order.Q)).map { -$0 }
    }

    /// The unconstrained vector for these coefficients, shrinking any part that is not
    /// stationary (AR) or invertible (MA) until it is.
    func unconstrained() -> [Double] {
        Reparametrization.unconstrainedShrinking(ar)
            + Reparametrization.unconstrainedShrinking(ma.map { -$0 })
            + Reparametrization.unconstrainedShrinking(sar)
            + Reparametrization.unconstrainedShrinking(sma.map { -$0 })
    }

    /// The state-space form of the expanded ARMA polynomials.
    func stateSpace(period s: Int) -> ARMAStateSpace {
        ARMAStateSpace(phi: LagPolynomial.expandAR(ar, seasonal: sar, period: s),
                       theta: LagPolynomial.expandMA(ma, seasonal: sma, period: s))
    }
}
