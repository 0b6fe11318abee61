import Foundation
import Testing
import TimeSeries
@testable import Ingest

@Suite("Mixed timestamp kinds and zone styles")
struct TimestampPolicyTests {
    @Test func integerRowInAnISOFileIsRejected() throws {
        let r = try readFixture("mixed_kinds.csv")
        #expect(lineCodes(r).map(\.0) == [4])
        #expect(lineCodes(r).map(\.1) == [.mixedTimestampKinds])
        #expect(r.summary.rowsRejected == 1)
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .time, start: 1_704_067_200, step: 3600, count: 3))
        #expect(a.values == [1, 2, 4])
    }

    @Test func differentOffsetsAreNormalisedToUTC() throws {
        let r = try readFixture("zones_offsets.csv")
        #expect(r.diagnostics.isEmpty)
        let a = try #require(r.series.first)
        // 2024-03-01T00:00:00Z = 1709251200 (Python datetime); +02:00 and -01:00 rows land on the hour grid.
        #expect(a.grid == TimeGrid(axis: .time, start: 1_709_251_200, step: 3600, count: 3))
        #expect(a.values == [1, 2, 3])
    }

    @Test func naiveRowAmongNonZeroOffsetsIsRejectedAsAmbiguous() throws {
        let r = try readFixture("zones_mixed.csv")
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.mixedZoneStyles])
        #expect(r.diagnostics[0].severity == .error)
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .time, start: 1_709_251_200, step: 3600, count: 4))
        #expect(sameValues(a.values, [1, .nan, 3, 4]))
        #expect(r.summary.rowsRejected == 1 && r.summary.gaps == 1)
    }

    @Test func naiveRowsBesideOnlyUTCOffsetsAreKeptAsUTC() throws {
        let r = try readFixture("zones_naive_utc.csv")
        #expect(lineCodes(r).map(\.0) == [2])
        #expect(lineCodes(r).map(\.1) == [.naiveTimesAsUTC])
        #expect(r.diagnostics[0].severity == .warning)
        let a = try #require(r.series.first)
        #expect(a.grid == TimeGrid(axis: .time, start: 1_709_251_200, step: 3600, count: 3))
        #expect(a.values == [1, 2, 3])
    }
}
