import Evaluation
import Foundation
import Testing

@Suite struct DieboldMarianoTests {
    struct Case: Decodable {
        var lossA: [Double], lossB: [Double], horizon: Int
        var statistic: Double, pValue: Double, meanDifference: Double, count: Int
    }

    static func cases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "diebold_mariano", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode([Case].self, from: Data(contentsOf: url))
    }

    /// Reference: bench/peers/diebold_mariano_fixtures.py (numpy Newey–West, cross-checked against
    /// statsmodels' HAC standard error to 1e-15; p-values from scipy.stats.t). 1e-10 relative
    /// leaves room for summation order and the continued-fraction incomplete beta (≈1e-14).
    @Test func matchesTheNumpyScipyReferenceAt1e10() throws {
        for c in try Self.cases() {
            let r = try DieboldMariano.test(lossA: c.lossA, lossB: c.lossB, horizon: c.horizon)
            #expect(r.count == c.count)
            #expect(abs(r.statistic - c.statistic) <= 1e-10 * abs(c.statistic), "h=\(c.horizon) T=\(c.count)")
            #expect(abs(r.pValue - c.pValue) <= 1e-10 * max(c.pValue, 1e-300), "h=\(c.horizon) T=\(c.count): \(r.pValue) vs \(c.pValue)")
            #expect(abs(r.meanDifference - c.meanDifference) <= 1e-12 * max(abs(c.meanDifference), 1))
        }
    }

    @Test func handComputedOneStepCaseIsTheTTestOfTheDifferences() throws {
        // h = 1: V = γ₀ (divisor T). d = [1, 2, 3, 4, 5, 6] − 0: d̄ = 3.5, γ₀ = 17.5/6,
        // DM = 3.5 / √(γ₀/6), HLN factor √((T + 1 − 2)/T) = √(5/6).
        let d: [Double] = [1, 2, 3, 4, 5, 6]
        let r = try DieboldMariano.test(lossA: d, lossB: [Double](repeating: 0, count: 6), horizon: 1)
        let expected = 3.5 / ((17.5 / 6) / 6).squareRoot() * (5.0 / 6).squareRoot()
        #expect(abs(r.statistic - expected) < 1e-12)
        #expect(r.pValue < 0.01)
    }

    @Test func equalLossesOrTooFewPairsAreRefusedNotCrashed() {
        #expect(throws: EvaluationError.self) { try DieboldMariano.test(lossA: [1, 2, 3, 4], lossB: [1, 2, 3, 4], horizon: 1) }
        #expect(throws: EvaluationError.self) { try DieboldMariano.test(lossA: [1, 2], lossB: [0, 1], horizon: 1) }
        #expect(throws: EvaluationError.self) { try DieboldMariano.test(lossA: [1, 2, 3], lossB: [0, 1], horizon: 1) }
        #expect(throws: EvaluationError.self) { try DieboldMariano.test(lossA: [1, 2, 3, 5], lossB: [0, 1, 0, 0], horizon: 0) }
    }

    @Test func nonFinitePairsAreDropped() throws {
        let r = try DieboldMariano.test(lossA: [1, .nan, 3, 4, 2, 7], lossB: [0, 1, .infinity, 1, 1, 1], horizon: 1)
        #expect(r.count == 4)
    }
}
