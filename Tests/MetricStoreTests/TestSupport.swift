import Foundation
import TimeSeries

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("metricstore-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func cleanup() { try? FileManager.default.removeItem(at: url) }
}

/// Values compared with NaN equal to NaN (missing equals missing).
func sameValues(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.isNaN ? $1.isNaN : $0 == $1 }
}

/// A deterministic synthetic series: a daily-ish wave plus the series number, no missing values.
func syntheticSeries(_ number: Int, points: Int, start: Int64 = 1_700_000_000, step: Int64 = 300) -> Series {
    let values = (0..<points).map { i in Double(number) + sin(Double(i) * 0.01) * 10 }
    return Series(id: "s\(number)", grid: TimeGrid(axis: .time, start: start, step: step, count: points), values: values,
                  metric: "cpu", group: "g\(number % 10)")
}
