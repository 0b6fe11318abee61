import Foundation
import Testing
@testable import Ingest

/// A by-hand throughput check, not a timed test: it runs only when PSM_INGEST_THROUGHPUT is set.
///
///     PSM_INGEST_THROUGHPUT=5000000 swift test -c release --scratch-path .build-ing \
///         --filter IngestTests.ThroughputCheck
///
/// It writes a long CSV of that many rows (100 series, 5-minute ISO timestamps, one regressor)
/// to /tmp, reads it, and prints samples per second.
@Suite("Ingest throughput (manual)")
struct ThroughputCheck {
    static let rows = ProcessInfo.processInfo.environment["PSM_INGEST_THROUGHPUT"].flatMap { Int($0) }

    @Test(.enabled(if: rows != nil))
    func longCSVThroughput() throws {
        let rows = Self.rows ?? 0
        let seriesCount = 100
        let path = "/tmp/psm-ingest-throughput-\(rows).csv"
        if !FileManager.default.fileExists(atPath: path) {
            var text = "series_id,timestamp,value,promo\n"
            text.reserveCapacity(rows * 48)
            let start: Int64 = 1_704_067_200
            for i in 0..<rows {
                let s = i / (rows / seriesCount)
                let t = start + Int64(i % (rows / seriesCount)) * 300
                let v = Double((i &* 2_654_435_761) % 100_000) / 1000
                text += "vm\(s),\(Timestamp_format(t)),\(v),\(i % 7 == 0 ? 1 : 0)\n"
            }
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let clock = ContinuousClock()
        var result: IngestResult?
        let elapsed = try clock.measure { result = try IngestReader.read(path: path) }
        let r = try #require(result)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("ingest throughput: \(rows) rows, \(r.series.count) series in \(String(format: "%.3f", seconds)) s = \(String(format: "%.2f", Double(rows) / seconds / 1e6)) M samples/s")
        #expect(r.summary.rowsRead == rows)
    }
}

/// A by-hand look at real files: PSM_INGEST_SMOKE_DIR=/path/to/csvs prints each file's summary.
@Suite("Ingest of real datasets (manual)")
struct RealDatasetSmoke {
    static let dir = ProcessInfo.processInfo.environment["PSM_INGEST_SMOKE_DIR"]

    @Test(.enabled(if: dir != nil))
    func everyCSVUnderTheDirectoryReads() throws {
        let root = URL(fileURLWithPath: Self.dir ?? ".")
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.pathExtension == "csv" }.sorted { $0.path < $1.path }
        for url in files {
            let r = try IngestReader.read(file: url)
            let s = r.summary
            let steps = Set(r.series.map { "\($0.grid.axis.rawValue):\($0.grid.step)" }).sorted()
            print("\(url.lastPathComponent): \(s.format) series=\(r.series.count) rows=\(s.rowsRead) rejected=\(s.rowsRejected) cells=\(s.cellsRejected) dup=\(s.duplicates) late=\(s.outOfOrder) resampled=\(s.resampled) gaps=\(s.gaps) steps=\(steps) diagnostics=\(r.diagnostics.count)")
            for d in r.diagnostics.prefix(3) { print("    \(d)") }
        }
        #expect(!files.isEmpty)
    }
}

import TimeSeries
private func Timestamp_format(_ t: Int64) -> String { Timestamp.format(t) }
