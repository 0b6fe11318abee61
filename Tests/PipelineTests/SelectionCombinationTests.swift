import Forecasting
import Pipeline
import Testing
import TimeSeries

/// The median and CRPS-weighted combinations as selection candidates.
@Suite struct SelectionCombinationTests {
    typealias S = SelectionTests

    @Test func theMedianOfThreeWinsWhenEachMemberIsWildlyOffAtADifferentStep() throws {
        // At every step one member is 10 off and the other two are close: the median ignores
        // the outlier, every single model and every mean (equal or weighted) is pulled by it.
        let a = try S.candidate("seasonal-naive", shift: { $0 % 3 == 0 ? 10 : 0.1 })
        let b = try S.candidate("arima", shift: { $0 % 3 == 1 ? -10 : -0.1 })
        let c = try S.candidate("ets", shift: { $0 % 3 == 2 ? 10 : 0 })
        let d = try #require(Selection.choose([a, b, c], horizon: 3))
        #expect(d.winner == "combination" && d.rule == .median, "\(d)")
        #expect(d.components == ["seasonal-naive", "arima", "ets"])
        // Hand-computed: the median's shift is 0 (steps 0 and 1 mod 3) or 0.1 (step 2 mod 3), and
        // steps 3…14 hold four of each.
        let median = try #require(d.combinations?["median"])
        #expect(abs(median - (2 * S.crps(shift: 0) + S.crps(shift: 0.1)) / 3) < 1e-12)
        #expect(d.crps.values.allSatisfy { median < $0 })
        #expect(median < (d.combinations?["weighted"] ?? 0) && median < (d.combinationCRPS ?? 0))
        // Which member supplied the median: ets at steps 0 and 1 mod 3 (values −0.1, 0, ±10 sort
        // it in the middle), seasonal naive at step 2 mod 3 (−0.1, 0.1, 10); arima never.
        let shares = try #require(d.weights)
        #expect(abs((shares["ets"] ?? 0) - 2.0 / 3) < 1e-12 && abs((shares["seasonal-naive"] ?? 0) - 1.0 / 3) < 1e-12)
        #expect(shares["arima"] == 0)
    }

    @Test func theWeightedMeanPublishesInverseCRPSWeights() throws {
        // Opposite biases of different sizes: the weighted mean beats both and the equal mean.
        let a = try S.candidate("seasonal-naive", shift: { $0 % 2 == 0 ? 1.0 : 1.2 }, folds: 8, horizon: 1)
        let b = try S.candidate("arima", shift: { $0 % 2 == 0 ? -3.0 : -2.8 }, folds: 8, horizon: 1)
        let d = try #require(Selection.choose([a, b], horizon: 1))
        let ca = try #require(d.crps["seasonal-naive"]), cb = try #require(d.crps["arima"])
        #expect(d.winner == "combination" && d.rule == .weighted, "\(d)")
        let w = try #require(d.weights)
        // Hand-computed: weights ∝ 1/CRPS over every compared origin.
        #expect(abs((w["seasonal-naive"] ?? 0) - (1 / ca) / (1 / ca + 1 / cb)) < 1e-12)
        #expect(abs((w["arima"] ?? 0) - (1 / cb) / (1 / ca + 1 / cb)) < 1e-12)
        #expect((w["seasonal-naive"] ?? 0) > 0.7)
        #expect(d.componentWeights == [w["seasonal-naive"]!, w["arima"]!])
        #expect(try #require(d.combinations?["weighted"]) < (d.combinationCRPS ?? 0))
    }

    @Test func theWeightedScoreUsesOnlyEarlierOriginsWeights() throws {
        // Horizon 1, origins 1…8: the forecast at origin t is weighted by origins ≤ t − 1. The
        // first origin has nothing before it: equal weights. Recompute the whole score by hand.
        let a = try S.candidate("seasonal-naive", shift: { _ in 1 }, folds: 8, horizon: 1)
        let b = try S.candidate("arima", shift: { _ in -3 }, folds: 8, horizon: 1)
        let d = try #require(Selection.choose([a, b], horizon: 1))
        let ca = S.crps(shift: 1), cb = S.crps(shift: -3)
        let late = QuantileCombination.inverseScoreWeights([ca, cb])
        let firstShift = 0.5 * 1 + 0.5 * -3
        let laterShift = late[0] * 1 + late[1] * -3
        let expected = (S.crps(shift: firstShift) + 7 * S.crps(shift: laterShift)) / 8
        #expect(abs((d.combinations?["weighted"] ?? 0) - expected) < 1e-12)
    }

    @Test func aSingleModelStaysWhenNoCombinationBeatsIt() throws {
        let good = try S.candidate("seasonal-naive", shift: { _ in 0.1 })
        let bad = try S.candidate("arima", shift: { _ in 4 })
        let worse = try S.candidate("ets", shift: { _ in 6 })
        let d = try #require(Selection.choose([good, bad, worse], horizon: 3))
        #expect(d.winner == "seasonal-naive" && d.components == ["seasonal-naive"])
        #expect(d.rule == nil && d.weights == nil)
        #expect(Set(d.combinations?.keys.map { $0 } ?? []) == ["mean", "median", "weighted"])
        // Forced, the combination is published anyway, with the baseline carrying the most weight.
        let f = try #require(Selection.choose([good, bad, worse], horizon: 3, force: .weighted))
        #expect(f.winner == "combination" && f.rule == .weighted)
        let w = try #require(f.weights)
        #expect((w["seasonal-naive"] ?? 0) > (w["arima"] ?? 1) && (w["arima"] ?? 0) > (w["ets"] ?? 1))
    }
}
