@testable import Forecasting
import Foundation
import Testing

@Suite struct LSTMFastMathTests {
    /// The Float gate activations against libm in Double over the range gates actually reach
    /// (and beyond, where they saturate). Eigen documents a few ulps for this approximation; the
    /// bound 2⁻²¹ ≈ 4.8e-7 absolute is 8 ulps of values near 1 (measured: 3.1e-7 without FMA) and
    /// far below what training notices.
    @Test func fastTanhAndSigmoidMatchLibmToAFewUlps() {
        var worstTanh = 0.0, worstSigmoid = 0.0
        for k in -20_000...20_000 {
            let x = Float(k) * 0.001
            worstTanh = max(worstTanh, abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
            worstSigmoid = max(worstSigmoid, abs(Double(fastSigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
        }
        #expect(worstTanh <= 0x1p-21, "\(worstTanh)")
        #expect(worstSigmoid <= 0x1p-21, "\(worstSigmoid)")
        // Saturated inputs stay at ±1 (within one ulp) instead of overflowing the polynomial.
        #expect(abs(fastTanh(Float(1e30)) - 1) <= 0x1p-23 && abs(fastTanh(-Float.infinity) + 1) <= 0x1p-23)
    }
}
