import ArgumentParser
import Foundation
import Testing
@testable import PSMCommands

@Suite struct ForecastCommandTests {
    /// Two integer-indexed series with a period of 3: a repeats 1 2 3, b repeats 10 20 30.
    static let longCSV = """
        series_id,timestamp,value
        a,0,1
        a,1,2
        a,2,3
        a,3,1
        a,4,2
        a,5,3
        b,0,10
        b,1,20
        b,2,30
        b,3,10
        b,4,20
        b,5,30

        """

    @Test func writesTheContractCSVWithQuantileColumnsNamedAsWritten() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("in.csv", Self.longCSV)
        try runPSM(["forecast", "--input", input, "--horizon", "4", "--season", "3",
                    "--quantiles", "0.1,0.50,0.9", "--out", dir.path + "/f.csv"])
        let lines = try String(contentsOfFile: dir.path + "/f.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "series_id,step,timestamp,mean,q0.1,q0.50,q0.9")
        #expect(lines.count == 1 + 2 * 4)
        // Exact seasonal series: σ = 0, so every quantile equals the mean; no timestamps on an index axis.
        #expect(lines[1] == "a,1,,1.0,1.0,1.0,1.0")
        #expect(lines[4] == "a,4,,1.0,1.0,1.0,1.0")
        #expect(lines[6] == "b,2,,20.0,20.0,20.0,20.0")
    }

    @Test func timeAxisForecastsCarryISOTimestampsPastTheEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("nab.csv", """
            timestamp,value
            2026-01-01 00:00:00,1
            2026-01-01 01:00:00,2
            2026-01-01 02:00:00,3

            """)
        try runPSM(["forecast", "--input", input, "--horizon", "2", "--season", "1", "--out", dir.path + "/f.csv"])
        let lines = try String(contentsOfFile: dir.path + "/f.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines[1].hasPrefix("nab,1,2026-01-01T03:00:00Z,3.0,"))
        #expect(lines[2].hasPrefix("nab,2,2026-01-01T04:00:00Z,3.0,"))
    }

    @Test func badArgumentsAreRefusedWithOneClearMessage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("in.csv", Self.longCSV)
        let out = dir.path + "/f.csv"
        func message(_ args: [String]) -> String {
            do { try runPSM(args); return "" } catch { return PSM.message(for: error) }
        }
        #expect(message(["forecast", "--input", input, "--horizon", "2", "--model", "prophet", "--out", out])
            .contains("unknown model \"prophet\""))
        #expect(message(["forecast", "--input", input, "--horizon", "2", "--quantiles", "0.5,abc", "--out", out])
            .contains("\"abc\" is not a level"))
        #expect(message(["forecast", "--input", input, "--horizon", "0", "--out", out]).contains("--horizon"))
        // Upper bounds too: 100,000,000 steps grew to 23.9 GB before the kernel killed the process.
        #expect(message(["forecast", "--input", input, "--horizon", "100000000", "--out", out])
            .contains("--horizon must be from 1 to 10000, not 100000000"))
        #expect(message(["forecast", "--input", input, "--horizon", "2", "--season", "9223372036854775807", "--out", out])
            .contains("--season must be from 1 to 100000"))
        #expect(message(["backtest", "--input", input, "--horizon", "2", "--folds", "9223372036854775807"])
            .contains("--folds must be from 1 to 1000"))
        #expect(message(["forecast", "--input", dir.path + "/missing.csv", "--horizon", "2", "--out", out])
            .contains("missing.csv"))
        #expect(message(["forecast", "--input", input, "--horizon", "2", "--out", dir.path + "/no/such/dir/f.csv"])
            .contains("does not exist"))
        // Nothing was written by any failed run.
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func backtestWritesPerSeriesAndOverallMetrics() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // y = 0…19 as one series: the naive forecast's errors from every origin are 1, 2 (MAE 1.5),
        // and the in-sample scale is 1, so MASE = 1.5.
        let rows = (0..<20).map { "line,\($0),\($0)" }.joined(separator: "\n")
        let input = try dir.file("line.csv", "series_id,timestamp,value\n" + rows + "\n")
        try runPSM(["backtest", "--input", input, "--horizon", "2", "--season", "1", "--folds", "4",
                    "--json", dir.path + "/b.json"])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/b.json"))) as? [String: Any]
        let overall = try #require(json?["overall"] as? [String: Any])
        #expect(overall["mase"] as? Double == 1.5)
        #expect(overall["mae"] as? Double == 1.5)
        let series = try #require(json?["series"] as? [[String: Any]])
        #expect((series.first?["folds"] as? [Any])?.count == 4)
    }

    @Test func arimaModelWritesFiniteOrderedQuantilesForEverySeries() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // Two seasonal series (period 12, 8 cycles) with a little deterministic wiggle.
        var rows = ["series_id,timestamp,value"]
        for id in ["x", "y"] {
            for t in 0..<96 {
                let season = sin(2 * Double.pi * Double(t) / 12) * (id == "x" ? 5 : 2)
                rows.append("\(id),\(t),\(20 + season + 0.3 * sin(Double(t) * 1.7))")
            }
        }
        let input = try dir.file("s.csv", rows.joined(separator: "\n") + "\n")
        try runPSM(["forecast", "--input", input, "--horizon", "6", "--season", "12", "--model", "arima",
                    "--quantiles", "0.05,0.5,0.95", "--jobs", "2", "--out", dir.path + "/f.csv"])
        let lines = try String(contentsOfFile: dir.path + "/f.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(lines.count == 12)
        for line in lines {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            let numbers = fields[3...].compactMap { Double($0) }
            #expect(numbers.count == 4 && numbers.allSatisfy(\.isFinite))
            #expect(numbers[1] <= numbers[2] && numbers[2] <= numbers[3])
        }
    }
}
