@testable import Forecasting
import Foundation
import Testing

@Suite struct LSTMFastMathTests {
    /// The Float gate activations against libm in Double over the range gates actually reach
    /// (and beyond, where they saturate). Eigen documents a few ulps for this approximation; the
    /// bound 2e-7 absolute is ~3 ulps of values near 1 and far below what training can notice.
    @Test func fastTanhAndSigmoidMatchLibmToAFewUlps() {
        var worstTanh = 0.0, worstSigmoid = 0.0
        for k in -20_000...20_000 {
            let x = Float(k) * 0.001
            worstTanh = max(worstTanh, abs(Double(fastTanh(x)) - Foundation.tanh(Double(x))))
            worstSigmoid = max(worstSigmoid, abs(Double(fastSigmoid(x)) - 1 / (1 + Foundation.exp(-Double(x)))))
        }
        #expect(worstTanh < 2e-7, "\(worstTanh)")
        #expect(worstSigmoid < 2e-7, "\(worstSigmoid)")
        #expect(fastTanh(Float(1e30)) == 1 && fastTanh(-Float.infinity) == -1)
    }
}
