import Forecasting
import Testing
import TimeSeries

/// `QuantileCombination`: hand-computed medians, weighted means and inverse-CRPS weights.
@Suite struct CombinationTests {
    static let levels = [0.1, 0.5, 0.9]

    static func member(_ rows: [[Double]], mean: [Double]? = nil) throws -> ForecastDistribution {
        try ForecastDistribution(grid: TimeGrid(axis: .index, start: 100, step: 1, count: rows.count), levels: levels,
                                 mean: mean ?? rows.map { $0[1] }, quantiles: rows)
    }

    @Test func theMedianIsTakenLevelByLevelAndStepByStep() throws {
        let a = try Self.member([[1, 2, 3], [10, 20, 30]])
        let b = try Self.member([[4, 5, 6], [0, 1, 2]])
        let c = try Self.member([[0, 9, 10], [5, 6, 40]])
        let m = try QuantileCombination.combine([a, b, c], rule: .median)
        // Step 1: median(1,4,0)=1, median(2,5,9)=5, median(3,6,10)=6; step 2: 5, 6, 30.
        #expect(m.quantiles == [[1, 5, 6], [5, 6, 30]])
        #expect(m.mean == [5, 6])
        #expect(m.grid == a.grid && m.levels == Self.levels)
        // An even count averages the two middle values: median(1,4,0,7) = (1+4)/2.
        let d = try Self.member([[7, 7, 7], [7, 7, 7]])
        let even = try QuantileCombination.combine([a, b, c, d], rule: .median)
        #expect(even.quantiles[0] == [2.5, 6, 6.5])
    }

    @Test func theWeightedMeanUsesTheGivenWeightsAndTheMeanRuleEqualOnes() throws {
        let a = try Self.member([[1, 2, 3]])
        let b = try Self.member([[5, 6, 11]])
        let w = try QuantileCombination.combine([a, b], rule: .weighted, weights: [0.75, 0.25])
        #expect(w.quantiles[0] == [0.75 * 1 + 0.25 * 5, 0.75 * 2 + 0.25 * 6, 0.75 * 3 + 0.25 * 11])
        #expect(w.mean == [3])
        let m = try QuantileCombination.combine([a, b], rule: .mean, weights: [0.75, 0.25])
        #expect(m.quantiles[0] == [3, 4, 7], "the mean rule ignores weights")
        #expect(throws: ForecastError.self) { try QuantileCombination.combine([a, b], rule: .weighted, weights: [1]) }
        #expect(throws: ForecastError.self) { try QuantileCombination.combine([], rule: .median) }
        let other = try ForecastDistribution(grid: a.grid, levels: [0.2, 0.5, 0.8], mean: [2], quantiles: [[1, 2, 3]])
        #expect(throws: ForecastError.self) { try QuantileCombination.combine([a, other], rule: .median) }
    }

    @Test func inverseCRPSWeights() {
        // CRPS 1, 2, 4 → 1/1 : 1/2 : 1/4 = 4/7, 2/7, 1/7.
        let w = QuantileCombination.inverseScoreWeights([1, 2, 4])
        #expect(zip(w, [4.0 / 7, 2.0 / 7, 1.0 / 7]).allSatisfy { abs($0 - $1) < 1e-15 })
        // A member without a usable score gets nothing; a perfect one takes all; none usable: equal.
        #expect(QuantileCombination.inverseScoreWeights([2, .infinity, .nan, 2]) == [0.5, 0, 0, 0.5])
        #expect(QuantileCombination.inverseScoreWeights([0, 3, 0]) == [0.5, 0, 0.5])
        #expect(QuantileCombination.inverseScoreWeights([.infinity, .nan]) == [0.5, 0.5])
    }

    @Test func medianSharesSayWhichMemberSuppliedTheMedian() throws {
        let a = try Self.member([[1, 2, 3], [1, 2, 3]])
        let b = try Self.member([[0, 5, 9], [0, 5, 9]])
        let c = try Self.member([[2, 3, 4], [2, 3, 4]])
        // Per step: level 0.1 sorts 0, 1, 2 → a; level 0.5 sorts 2, 3, 5 → c; level 0.9 sorts 3, 4, 9 → c.
        let s = QuantileCombination.medianShares([a, b, c])
        #expect(s == [2.0 / 6, 0, 4.0 / 6])
    }
}
