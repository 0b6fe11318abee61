import Foundation
import Testing
import TimeSeries
@testable import Ingest

@Suite("Regularisation: duplicates, order, gaps, resampling, single points")
struct RegularisationTests {
    @Test(arguments: [
        (Aggregation.mean, 13.0 / 3.0),
        (Aggregation.max, 6.0),
        (Aggregation.last, 5.0),
    ])
    func duplicatesFollowTheAggregation(aggregation: Aggregation, expected: Double) throws {
        let r = try readFixture("duplicates.csv", IngestOptions(aggregation: aggregation))
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .index, start: 0, step: 1, count: 3))
        #expect(a.values == [1, expected, 3])
        #expect(r.summary.duplicates == 2)
        #expect(r.summary.outOfOrder == 1)
        let dups = r.diagnostics.filter { $0.code == .duplicateTimestamp }
        #expect(dups.map(\.line) == [4, 6])
        #expect(dups.allSatisfy { $0.message.contains("first at line 3") })
        #expect(r.diagnostics.filter { $0.code == .outOfOrder }.map(\.line) == [6])
    }

    @Test func outOfOrderRowsAreSortedWithOneSummaryDiagnostic() throws {
        let r = try readFixture("out_of_order.csv")
        let a = try #require(r.series.first)
        #expect(a.values == [1, 2, 3, 4])
        #expect(a.grid.start == 1_704_067_200 && a.grid.step == 300)
        #expect(r.summary.outOfOrder == 2)
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.outOfOrder])
        #expect(r.diagnostics[0].message.hasPrefix("2 rows"))
    }

    @Test func gapsBecomeNaNAndAreCounted() throws {
        let r = try readFixture("gaps.csv")
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .index, start: 0, step: 1, count: 10))
        #expect(sameValues(a.values, [0, 1, .nan, 3, 4, .nan, .nan, .nan, 8, 9]))
        #expect(r.summary.gaps == 4 && r.summary.filled == 0)
        #expect(r.diagnostics.isEmpty)
    }

    @Test(arguments: [
        (GapFill.linear(maxSteps: 1), [0, 1, 2, 3, 4, .nan, .nan, .nan, 8, 9] as [Double], 1),
        (GapFill.linear(maxSteps: 3), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4),
        (GapFill.forward(maxSteps: 2), [0, 1, 1, 3, 4, .nan, .nan, .nan, 8, 9], 1),
        (GapFill.forward(maxSteps: 3), [0, 1, 1, 3, 4, 4, 4, 4, 8, 9], 4),
    ])
    func fillPolicyFillsOnlyShortEnoughRuns(fill: GapFill, expected: [Double], filled: Int) throws {
        let r = try readFixture("gaps.csv", IngestOptions(fill: fill))
        let a = try #require(r.series.first)
        #expect(sameValues(a.values, expected))
        #expect(r.summary.gaps == 4)
        #expect(r.summary.filled == filled)
        #expect(r.diagnostics.map(\.code) == [.gapsFilled])
    }

    @Test func singlePointSeriesIsSkippedWithAWarning() throws {
        let r = try readFixture("single_point.csv")
        #expect(r.series.map(\.id) == ["a"])
        #expect(r.series[0].values == [1, 2, 3])
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.singlePoint])
        #expect(r.diagnostics[0].series == "b")
        #expect(r.summary.seriesSkipped == 1)
    }

    @Test func inferredStepKeepsEverySample() throws {
        let r = try readFixture("resample.csv")
        #expect(r.series[0].grid.step == 30)
        #expect(r.series[0].values == [1, 3, 5, 9])
        #expect(r.summary.resampled == 0)
    }

    @Test(arguments: [(Aggregation.mean, [2.0, 7.0]), (.max, [3, 9]), (.last, [3, 9])])
    func coarserStepResamplesByAggregation(aggregation: Aggregation, expected: [Double]) throws {
        let r = try readFixture("resample.csv", IngestOptions(step: 60, aggregation: aggregation))
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .time, start: 1_704_067_200, step: 60, count: 2))
        #expect(a.values == expected)
        #expect(r.summary.resampled == 2 && r.summary.duplicates == 0)
        #expect(r.diagnostics.map(\.code) == [.resampled])
    }

    @Test func strayTimestampFarAwayIsSkippedNotAllocated() throws {
        let r = try readFixture("gaps.csv", IngestOptions(maxGridLength: 5))
        #expect(r.series.isEmpty)
        #expect(r.diagnostics.map(\.code) == [.gridTooLong])
        #expect(r.summary.seriesSkipped == 1)
    }

    @Test func stepInferencePrefersTheMostCommonThenTheSmallerDifference() {
        #expect(Regularizer.inferStep([0, 300, 600, 1200, 1500]) == 300)
        #expect(Regularizer.inferStep([0, 600, 900]) == 300)
        #expect(Regularizer.inferStep([0, 0, 0]) == nil)
        #expect(Regularizer.inferStep([0, 10, 20, 30, 35]) == 10)
    }
}
