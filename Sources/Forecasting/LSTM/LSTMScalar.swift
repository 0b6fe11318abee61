#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LinearAlgebra

/// A scalar the LSTM runs on: `Float` for training and scoring, `Double` for gradient checks.
package protocol LSTMScalar: LinearAlgebraScalar {
    /// eˣ.
    static func exponential(_ x: Self) -> Self
    /// The hyperbolic tangent.
    static func hyperbolicTangent(_ x: Self) -> Self
    /// log(1 + x), accurate near 0.
    static func logOnePlus(_ x: Self) -> Self
}

extension Float: LSTMScalar {
    @inlinable package static func exponential(_ x: Float) -> Float { expf(x) }
    @inlinable package static func hyperbolicTangent(_ x: Float) -> Float { tanhf(x) }
    @inlinable package static func logOnePlus(_ x: Float) -> Float { log1pf(x) }
}

extension Double: LSTMScalar {
    @inlinable package static func exponential(_ x: Double) -> Double { exp(x) }
    @inlinable package static func hyperbolicTangent(_ x: Double) -> Double { tanh(x) }
    @inlinable package static func logOnePlus(_ x: Double) -> Double { log1p(x) }
}

extension LSTMScalar {
    /// The logistic function 1/(1 + e⁻ˣ), written so that neither branch overflows.
    @inlinable static func sigmoid(_ x: Self) -> Self {
        if x >= 0 {
            return 1 / (1 + exponential(-x))
        }
        let e = exponential(x)
        return e / (1 + e)
    }

    /// log(1 + eˣ) without overflow for large x.
    @inlinable static func softplus(_ x: Self) -> Self {
        max(x, 0) + logOnePlus(exponential(-abs(x)))
    }
}
