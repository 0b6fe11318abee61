import Foundation
import Testing
import TimeSeries
@testable import Ingest

@Suite("Long CSV rows, attributes, regressors and row diagnostics")
struct LongCSVTests {
    @Test func columnsInAnyOrderGiveSeriesMetricGroupAndRegressor() throws {
        let r = try readFixture("long_basic.csv")
        #expect(r.summary.format == .long)
        #expect(r.series.map(\.id) == ["vm1-cpu", "vm2-mem"])
        let vm1 = r.series[0], vm2 = r.series[1]
        // 2024-01-01T00:00:00Z, computed independently (Python datetime).
        #expect(vm1.grid == TimeGrid(axis: .time, start: 1_704_067_200, step: 300, count: 4))
        #expect(sameValues(vm1.values, [10, 12, .nan, 16]))
        #expect(vm1.metric == "cpu" && vm1.group == "web")
        #expect(vm2.grid == TimeGrid(axis: .time, start: 1_704_067_200, step: 300, count: 3))
        #expect(vm2.values == [1.5, 2.5, 3.5])
        #expect(vm2.metric == "memory" && vm2.group == nil)

        let promo = try #require(r.regressors["promo"])
        #expect(promo.map(\.id) == ["vm1-cpu", "vm2-mem"])
        #expect(promo[0].grid == vm1.grid && promo[1].grid == vm2.grid)
        #expect(sameValues(promo[0].values, [0, 1, .nan, 1]))
        #expect(sameValues(promo[1].values, [0, .nan, 0]))

        #expect(r.diagnostics.count == 1)
        let d = try #require(r.diagnostics.first)
        #expect((d.line, d.code, d.severity) == (6, .emptyValue, .warning))
        #expect(d.file.hasSuffix("long_basic.csv"))
        #expect(r.summary.rowsRead == 6 && r.summary.rowsRejected == 0 && r.summary.cellsRejected == 1)
        #expect(r.summary.gaps == 1)
    }

    @Test func everyBadRowIsRejectedWithItsLineAndReason() throws {
        let r = try readFixture("long_bad_values.csv", IngestOptions(step: 1))
        let expected: [(Int, Diagnostic.Code)] = [
            (3, .nonNumericValue), (4, .nonFiniteValue), (5, .nonFiniteValue), (6, .emptyValue),
            (7, .badTimestamp), (8, .badTimestamp), (9, .wrongFieldCount), (10, .emptySeriesId),
        ]
        let got = lineCodes(r)
        #expect(got.map(\.0) == expected.map(\.0))
        #expect(got.map(\.1) == expected.map(\.1))
        #expect(r.diagnostics.allSatisfy { $0.severity == .error })
        #expect(r.diagnostics[0].message.contains("\"abc\""))
        #expect(r.summary.rowsRead == 10 && r.summary.rowsRejected == 8)
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .index, start: 0, step: 1, count: 10))
        #expect(a.values[0] == 1 && a.values[9] == 9)
        #expect(a.missingCount == 8)
        #expect(r.summary.gaps == 8)
    }

    @Test func crlfBomQuotesAndEmbeddedNewlinesKeepLineNumbers() throws {
        let r = try readFixture("crlf_quoted.csv")
        #expect(r.series.map(\.id) == ["web, \"front\"", "multi\r\nline"])
        #expect(r.series[0].values == [1.5, 2.5])
        #expect(r.series[0].group == "g1")
        #expect(r.series[1].values == [7, 8])
        #expect(r.series[1].group == "g2")
        // Records start on lines 2, 4, 5, 7 and 9; the short last record is line 9.
        #expect(r.diagnostics.map(\.line) == [9])
        #expect(r.diagnostics.map(\.code) == [.wrongFieldCount])
        #expect(r.summary.rowsRead == 5)
    }

    @Test func seriesIdWithSeveralMetricsIsSplitByMetric() throws {
        let r = try readFixture("multi_metric.csv")
        #expect(r.series.map(\.id) == ["vm1/cpu", "vm1/memory", "vm2"])
        #expect(r.series.map(\.metric) == ["cpu", "memory", "cpu"])
        #expect(r.series.map(\.values) == [[1, 2], [100, 200], [7, 8]])
        #expect(r.diagnostics.map(\.code) == [.seriesIdRenamed, .seriesIdRenamed])
        #expect(r.diagnostics.map(\.line) == [2, 3])
    }

    @Test func diagnosticsBeyondTheCapAreCountedNotListed() throws {
        let r = try readFixture("long_bad_values.csv", IngestOptions(step: 1, maxDiagnosticsPerCode: 1))
        #expect(r.diagnostics.filter { $0.code == .nonFiniteValue }.map(\.line) == [4])
        #expect(r.diagnostics.filter { $0.code == .badTimestamp }.map(\.line) == [7])
        let suppressed = r.diagnostics.filter { $0.code == .suppressed }
        #expect(suppressed.count == 2)
        #expect(suppressed.allSatisfy { $0.message.hasPrefix("1 more") })
        #expect(r.summary.rowsRejected == 8)
    }

    @Test func misplacedQuoteRejectsOnlyThatRow() throws {
        let r = try readFixture("long_malformed_quotes.csv")
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.malformedQuotes])
        #expect(r.series.map(\.id) == ["a"])
        #expect(r.series[0].values == [1, 3])
    }

    @Test func conflictingGroupKeepsTheFirstAndWarns() throws {
        let r = try readFixture("group_conflict.csv")
        #expect(r.series.first?.group == "g1")
        #expect(r.series.first?.values == [1, 2, 3])
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.conflictingAttribute])
        #expect(r.diagnostics[0].severity == .warning)
    }

    @Test func seriesSampledMoreSparselyThanTheFileIsFlagged() throws {
        let r = try readFixture("mixed_rates.csv")
        #expect(r.series.map(\.grid.step) == [1, 1])
        #expect(sameValues(r.series[1].values, [10, .nan, .nan, 13, .nan, .nan, 16]))
        #expect(lineCodes(r).map(\.0) == [9])
        #expect(lineCodes(r).map(\.1) == [.stepDiffers])
        #expect(r.diagnostics[0].series == "b")
    }
}
