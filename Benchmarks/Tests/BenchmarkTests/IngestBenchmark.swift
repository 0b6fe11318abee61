import Foundation
import MetricStore
import Testing
import TimeSeries

/// Opt-in timing of the bulk insert path; run by bench/ingest-sqlite.sh, never part of CI.
///
/// `PSM_BENCH=1 swift test -c release --filter IngestBenchmark` (sizes: PSM_BENCH_SERIES,
/// PSM_BENCH_POINTS; PSM_BENCH_DIR for the database folder;
/// PSM_BENCH_DURABILITY=process for synchronous=NORMAL instead of the default FULL). It asserts correctness only:
/// speed is reported, not checked, because the machine is shared.
@Suite struct IngestBenchmark {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["PSM_BENCH"] == "1"))
    func bulkInsertThroughput() throws {
        let seriesCount = Int(Self.environment["PSM_BENCH_SERIES"] ?? "") ?? 1000
        let points = Int(Self.environment["PSM_BENCH_POINTS"] ?? "") ?? 5000
        let folder = Self.environment["PSM_BENCH_DIR"] ?? FileManager.default.temporaryDirectory.path
        let path = folder + "/psm-bench-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let batch = (0..<seriesCount).map { syntheticSeries($0, points: points) }
        let durability: MetricStore.Durability = Self.environment["PSM_BENCH_DURABILITY"] == "process" ? .process : .powerLoss
        let store = try MetricStore(path: path, durability: durability)

        let started = ContinuousClock.now
        let written = try store.insert(batch)
        let elapsed = ContinuousClock.now - started

        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(written) / seconds
        print("PSM_BENCH insert durability=\(durability.rawValue) samples=\(written) seconds=\(String(format: "%.3f", seconds)) samples_per_s=\(Int(rate))")
        #expect(written == seriesCount * points)
        #expect(try store.listSeries().reduce(0) { $0 + $1.sampleCount } == seriesCount * points)
    }
}

/// A deterministic synthetic series: a daily-ish wave plus the series number, no missing values
/// (as MetricStoreTests' fixture of the same name, which this package cannot import).
private func syntheticSeries(_ number: Int, points: Int, start: Int64 = 1_700_000_000, step: Int64 = 300) -> Series {
    let values = (0..<points).map { i in Double(number) + sin(Double(i) * 0.01) * 10 }
    return Series(id: "s\(number)", grid: TimeGrid(axis: .time, start: start, step: step, count: points), values: values,
                  metric: "cpu", group: "g\(number % 10)")
}
