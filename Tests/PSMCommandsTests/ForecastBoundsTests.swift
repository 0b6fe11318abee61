import ArgumentParser
import Foundation
import Testing
@testable import PSMCommands

/// Issue 16 item 5: `--lower`/`--upper` keep every quantile and mean inside the support.
@Suite struct ForecastBoundsTests {
    /// A CPU-percent series that idles near 0 with bursts to ~90: wide Gaussian intervals reach
    /// far below 0 and above 100.
    static func cpuCSV() -> String {
        var rows = ["series_id,timestamp,value"]
        for t in 0..<96 {
            let v: Double = t % 12 == 11 ? 92 : (t % 12 == 10 ? 60 : Double(t % 3))
            rows.append("vm,\(t),\(v)")
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func values(_ path: String) throws -> [Double] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst()
        return lines.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst(3).compactMap { Double($0) } }
    }

    @Test(arguments: ["arima"])
    func declaredBoundsClipEveryQuantileAndMean(model: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("cpu.csv", Self.cpuCSV())
        let common = ["forecast", "--input", input, "--horizon", "24", "--model", model, "--jobs", "1",
                      "--quantiles", "0.005,0.05,0.5,0.95,0.995"]
        try runPSM(common + ["--out", dir.path + "/raw.csv"])
        let raw = try Self.values(dir.path + "/raw.csv")
        #expect(raw.contains { $0 < 0 } || raw.contains { $0 > 100 }, "the unclipped intervals must leave [0, 100] for the test to mean anything")
        try runPSM(common + ["--lower", "0", "--upper", "100", "--out", dir.path + "/clipped.csv"])
        let clipped = try Self.values(dir.path + "/clipped.csv")
        #expect(clipped.count == raw.count)
        #expect(clipped.allSatisfy { $0 >= 0 && $0 <= 100 })
        // Clipping is the only change.
        #expect(zip(raw, clipped).allSatisfy { abs(min(max($0, 0), 100) - $1) < 1e-9 })
    }

    @Test func boundsInTheWrongOrderAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("cpu.csv", Self.cpuCSV())
        #expect(throws: (any Error).self) {
            try runPSM(["forecast", "--input", input, "--horizon", "2", "--lower", "100", "--upper", "0", "--out", dir.path + "/f.csv"])
        }
    }
}
