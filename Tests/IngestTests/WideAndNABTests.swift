import Foundation
import Testing
import TimeSeries
@testable import Ingest

@Suite("Wide and NAB files")
struct WideAndNABTests {
    @Test func wideWithoutTimeColumnUsesRowSteps() throws {
        let r = try readFixture("wide_no_time.csv")
        #expect(r.summary.format == .wide)
        #expect(r.series.map(\.id) == ["wide_no_time/cpu_util_percent", "wide_no_time/mem_util_percent"])
        #expect(r.series.map(\.metric) == ["cpu", "memory"])
        #expect(r.series.allSatisfy { $0.group == "wide_no_time" })
        let grid = TimeGrid(axis: .index, start: 0, step: 1, count: 5)
        #expect(r.series.allSatisfy { $0.grid == grid })
        // The rejected row at line 5 keeps its step (3) as a gap instead of shifting row 6.
        #expect(sameValues(r.series[0].values, [10, 11, 12, .nan, 14]))
        #expect(sameValues(r.series[1].values, [50, .nan, 52, .nan, 54]))
        #expect(lineCodes(r).map(\.0) == [3, 5])
        #expect(lineCodes(r).map(\.1) == [.emptyValue, .wrongFieldCount])
        #expect(r.diagnostics[0].series == "wide_no_time/mem_util_percent")
        #expect(r.summary.rowsRead == 5 && r.summary.rowsRejected == 1 && r.summary.cellsRejected == 1)
        #expect(r.summary.gaps == 3)
    }

    @Test func wideWithDateColumnIsOnATimeAxis() throws {
        let r = try readFixture("wide_time.csv")
        #expect(r.series.map(\.id) == ["wide_time/avg_cpu", "wide_time/net_in"])
        #expect(r.series.map(\.metric) == ["cpu", "net_io"])
        let grid = TimeGrid(axis: .time, start: 1_704_067_200, step: 86_400, count: 3)
        #expect(r.series[0].grid == grid && r.series[1].grid == grid)
        #expect(r.series[0].values == [1, 2, 3])
        #expect(sameValues(r.series[1].values, [10, .nan, 30]))
        #expect(lineCodes(r).map(\.0) == [3])
        #expect(lineCodes(r).map(\.1) == [.nonNumericValue])
    }

    @Test func integerTimeColumnIsAnIndexUnlessAskedForUnixSeconds() throws {
        let r = try readFixture("azure_like.csv")
        #expect(r.series.map(\.id) == ["azure_like/cpu_usage", "azure_like/assigned_mem"])
        #expect(r.series.map(\.metric) == ["cpu", "memory"])
        #expect(r.series[0].grid == TimeGrid(axis: .index, start: 0, step: 300, count: 3))
        #expect(r.series[0].values == [6.5, 6.25, 6.0])
        let t = try readFixture("azure_like.csv", IngestOptions(integerTimestamps: .time))
        #expect(t.series[1].grid == TimeGrid(axis: .time, start: 0, step: 300, count: 3))
        #expect(t.series[1].values == [2.0, 2.5, 3.0])
    }

    @Test func nabFileIsOneSeriesNamedByItsStem() throws {
        let r = try readFixture("nab_small.csv")
        #expect(r.summary.format == .nab)
        #expect(r.series.map(\.id) == ["nab_small"])
        // 2014-02-14 14:30:00 UTC = 1392388200 (Python datetime).
        #expect(r.series[0].grid == TimeGrid(axis: .time, start: 1_392_388_200, step: 300, count: 3))
        #expect(r.series[0].values == [1.5, 2.5, 3.5])
        #expect(r.series[0].group == nil)
    }

    @Test func formatOverrideReadsANABFileAsWide() throws {
        let r = try readFixture("nab_small.csv", IngestOptions(format: .wide))
        #expect(r.summary.format == .wide)
        #expect(r.series.map(\.id) == ["nab_small/value"])
    }

    @Test func formatDetectionFollowsTheHeader() {
        #expect(IngestReader.detectFormat(header: ["timestamp", "series_id", "value"]) == .long)
        #expect(IngestReader.detectFormat(header: ["Timestamp", "Value"]) == .nab)
        #expect(IngestReader.detectFormat(header: ["timestamp", "value", "promo"]) == .wide)
        #expect(IngestReader.detectFormat(header: ["avg_cpu", "avg_mem"]) == .wide)
    }

    @Test func realNABFileHas4032RowsOnA300SecondGrid() throws {
        let r = try readFixture("ec2_cpu_utilization_5f5533.csv")
        #expect(r.summary.rowsRead == 4032 && r.summary.rowsRejected == 0)
        #expect(r.diagnostics.isEmpty)
        let s = try #require(r.series.first)
        #expect(s.id == "ec2_cpu_utilization_5f5533")
        #expect(s.metric == "cpu")
        // First row 2014-02-14 14:27:00 = 1392388020; reference values from Python's csv + float.
        #expect(s.grid == TimeGrid(axis: .time, start: 1_392_388_020, step: 300, count: 4032))
        #expect(s.values.first == 51.846000000000004)
        #expect(s.values.last == 37.718)
        let mean = s.values.reduce(0, +) / Double(s.count)
        // Summation order differs from Python's, so allow a few ulps of the mean.
        #expect(abs(mean - 43.11037160218238) < 1e-11)
    }

    @Test func metricNamesAreInferredFromWords() {
        #expect(MetricName.infer(from: "cpu_util_percent") == "cpu")
        #expect(MetricName.infer(from: "avg_assigned_mem") == "memory")
        #expect(MetricName.infer(from: "disk_io_percent") == "disk_io")
        #expect(MetricName.infer(from: "iio_us-east-1_i-a2eb1cd9_NetworkIn") == "net_io")
        #expect(MetricName.infer(from: "elb_request_count_8c0756") == "tps")
        #expect(MetricName.infer(from: "avg_cycles_per_instruction") == nil)
    }
}
