import Testing
import TimeSeries

@Suite struct NormalDistributionTests {
    /// Reference values from scipy 1.17 `scipy.stats.norm.ppf` (printed with repr).
    static let reference: [(Double, Double)] = [
        (1e-10, -6.361340902404056), (0.001, -3.090232306167813), (0.02, -2.053748910631823),
        (0.05, -1.6448536269514729), (0.1, -1.2815515655446004), (0.5, 0.0),
        (0.8, 0.8416212335729143), (0.95, 1.6448536269514722), (0.975, 1.959963984540054),
        (0.999, 3.090232306167813), (0.999999999, 5.997807019601637),
    ]

    @Test(arguments: reference)
    func quantileMatchesScipy(p: Double, expected: Double) {
        // 1e-12 absolute: Acklam's approximation (≈1e-9) refined by a Halley step; the far-tail
        // point 1 − 1e-9 loses digits to the representation of p itself (≈1e-7 relative in 1−p).
        let tolerance = p > 0.99999 ? 1e-7 : 1e-12
        #expect(abs(NormalDistribution.quantile(p) - expected) <= tolerance)
    }

    @Test func cdfInvertsQuantile() {
        for p in stride(from: 0.01, through: 0.99, by: 0.01) {
            #expect(abs(NormalDistribution.cdf(NormalDistribution.quantile(p)) - p) < 1e-14)
        }
    }
}
