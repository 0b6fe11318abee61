import Foundation
import Testing
import TimeSeries
@testable import Forecasting

/// Opt-in timing of the automatic ARIMA on the benchmark series (bench/peers/arima_benchmark_data.py):
/// `PSM_BENCH=1 swift test -c release --filter ARIMABenchmark`. Prints, asserts nothing about time.
@Suite struct ARIMABenchmarkTests {
    static var enabled: Bool { ProcessInfo.processInfo.environment["PSM_BENCH"] == "1" }

    @Test(.enabled(if: ARIMABenchmarkTests.enabled))
    func autoARIMAOnHourlyBenchmarkSeries() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("out/arima-bench/train.csv"), encoding: .utf8)
        var series: [String: [Double]] = [:], order: [String] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",")
            guard f.count == 3, let v = Double(f[2]) else { continue }
            let id = String(f[0])
            if series[id] == nil { order.append(id) }
            series[id, default: []].append(v)
        }
        for id in order {
            let y = series[id] ?? []
            let s = Series(id: id, grid: TimeGrid(axis: .index, start: 0, step: 1, count: y.count), values: y)
            let start = Date()
            let model = try AutoARIMA.fit(s, season: 24)
            let elapsed = Date().timeIntervalSince(start)
            print("\(id): \(model.name) aicc=\(model.aicc) \(String(format: "%.2f", elapsed)) s \(model.diagnostics)")
        }
    }
}
