import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// The bad input through the origin screen (seasonal naive's and the LSTM's cleaning):
/// constant, shorter than two seasons, all-zero stretches, huge values, a NaN run at the end —
/// no crash, nothing finite turned missing or non-finite, no treatment where nothing stands out.
@Suite struct OriginScreenBadInputTests {
    static let cases: [(String, [Double])] = {
        let constant = [Double](repeating: 5, count: 300)
        let short: [Double] = (0..<30).map { (t: Int) -> Double in 5 + sin(Double(t)) }
        let zeros: [Double] = (0..<300).map { (t: Int) -> Double in
            (100..<160).contains(t) || t >= 280 ? 0 : 3 + sin(Double(t) / 3)
        }
        let huge: [Double] = (0..<300).map { (t: Int) -> Double in 1e12 * (2 + sin(Double(t) * 2 * Double.pi / 24)) }
        let nanEnd: [Double] = (0..<300).map { (t: Int) -> Double in t >= 290 ? Double.nan : 4 + cos(Double(t) * 2 * Double.pi / 24) }
        return [("constant", constant), ("shorter-than-two-seasons", short), ("all-zero-stretches", zeros), ("huge-values", huge),
                ("nan-run-at-the-end", nanEnd), ("all-nan", [Double](repeating: .nan, count: 100)), ("empty", [])]
    }()

    @Test(arguments: 0..<7) func cleaningKeepsEveryValueAndTreatsNothing(index: Int) throws {
        let (name, values) = Self.cases[index]
        let (cleaned, outliers) = OriginScreen.clean(values, season: 24)
        #expect(cleaned.count == values.count, "\(name)")
        #expect(outliers.isEmpty, "\(name): \(outliers)")
        #expect(zip(cleaned, values).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 }, "\(name)")
        if !values.contains(where: \.isFinite) { return }
        let f = try SeasonalNaive().forecast([ForecastInput(series: Series(id: name, grid: TimeGrid(axis: .index, start: 0, step: 1,
                                                                                                   count: values.count), values: values),
                                                            season: 24)], horizon: 48, levels: [0.05, 0.5, 0.95])[0]
        let d = try f.result.get()
        #expect(d.quantiles.allSatisfy { $0.allSatisfy(\.isFinite) }, "\(name)")
    }

    /// A spike on huge values, and a spike just before a NaN run at the end, are still treated;
    /// an exactly periodic series has no error spread to judge by and is left alone.
    @Test func aSpikeOnHugeValuesAndBeforeATrailingNaNRunIsTreated() throws {
        var huge = Self.cases[3].1
        huge[299] = 95e12
        let (cleanedHuge, hugeOutliers) = OriginScreen.clean(huge, season: 24)
        #expect(hugeOutliers.map(\.position) == [299])
        #expect(cleanedHuge[299] < 4e12 && cleanedHuge[299] > 0)
        // (With a little noise: on an exactly periodic series every in-sample error is 0, the
        // robust scale is degenerate and the screen is off.)
        var gap = Self.cases[4].1.enumerated().map { $0.element + 0.05 * sin(Double($0.offset) * 1.7) }
        gap[288] = 95
        let (cleanedGap, gapOutliers) = OriginScreen.clean(gap, season: 24)
        #expect(gapOutliers.map(\.position) == [288])
        let sameHour = [gap[264], gap[240], gap[216]].sorted()[1]
        #expect(cleanedGap[288] == sameHour, "\(cleanedGap[288]) \(sameHour)")
        let trailing = Array(cleanedGap[290...])
        #expect(trailing.allSatisfy { $0.isNaN })
        var exact = Self.cases[4].1
        exact[288] = 95
        #expect(OriginScreen.clean(exact, season: 24).outliers.isEmpty)
    }
}
