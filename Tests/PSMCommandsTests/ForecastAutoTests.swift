import ArgumentParser
import Foundation
import Testing
@testable import PSMCommands

/// `psm forecast --model auto|combination` end to end on a small CSV.
@Suite struct ForecastAutoTests {
    /// Two integer-indexed series of 72 points with a period-4 cycle: `up` on a trend, `noisy` flat.
    static func csv() -> String {
        var text = "series_id,timestamp,value\n"
        for t in 0..<72 {
            let cycle = [0.0, 2, 0, -2][t % 4]
            let noise = Double((t * 7919) % 13) / 13
            text += "up,\(t),\(10 + 0.3 * Double(t) + cycle + noise)\n"
        }
        for t in 0..<72 { text += "noisy,\(t),\(50 + [0.0, 5, 0, -5][t % 4] + 3 * Double((t * 104_729) % 17) / 17)\n" }
        return text
    }

    struct Entry: Decodable {
        struct Decision: Decodable {
            var winner: String
            var components: [String]
            var crps: [String: Double]
            var rule: String?
            var weights: [String: Double]?
        }
        var series: String
        var model: String
        var selection: Decision?
    }

    @Test(arguments: ["auto", "combination"])
    func forecastsEverySeriesAndWritesWhichMembersCarryWeight(model: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("in.csv", Self.csv())
        let out = dir.path + "/f.csv", selection = dir.path + "/selection.json"
        try runPSM(["forecast", "--input", input, "--horizon", "8", "--season", "4", "--model", model, "--lower", "0",
                    "--quantiles", "0.05,0.5,0.95", "--jobs", "2", "--out", out, "--selection", selection])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "series_id,step,timestamp,mean,q0.05,q0.5,q0.95")
        #expect(lines.count == 1 + 2 * 8)
        for line in lines.dropFirst() {
            let v = line.split(separator: ",", omittingEmptySubsequences: false).suffix(4).compactMap { Double($0) }
            #expect(v.count == 4 && v.allSatisfy(\.isFinite) && v[1] <= v[2] && v[2] <= v[3] && v[1] >= 0, "\(line)")
        }
        // The trend continues: step 8 of `up` is above its last observed cycle's level.
        let up8 = try #require(lines.first { $0.hasPrefix("up,8,") }).split(separator: ",")
        #expect((Double(up8[5]) ?? 0) > 28, "\(up8)")

        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: URL(fileURLWithPath: selection)))
        #expect(entries.map(\.series) == ["up", "noisy"])
        for e in entries {
            let d = try #require(e.selection, "\(e.series): \(e.model)")
            #expect(Set(d.crps.keys) == ["seasonal-naive", "arima", "ets", "theta"], "\(d.crps)")
            if model == "combination" {
                #expect(d.winner == "combination" && d.rule == "weighted")
                #expect(d.components == ["seasonal-naive", "arima", "ets", "theta"])
            }
            if d.winner == "combination" {
                let w = try #require(d.weights)
                #expect(Set(w.keys) == Set(d.components) && abs(w.values.reduce(0, +) - 1) < 1e-9, "\(w)")
                #expect(e.model.hasPrefix("combination["), "\(e.model)")
            } else {
                #expect(d.components == [d.winner] && d.weights == nil)
            }
        }
    }

    @Test func badCombinationOptionsAreRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let input = try dir.file("in.csv", Self.csv())
        func message(_ args: [String]) -> String {
            do { try runPSM(args); return "" } catch { return PSM.message(for: error) }
        }
        let base = ["forecast", "--input", input, "--horizon", "4", "--out", dir.path + "/f.csv"]
        #expect(message(base + ["--model", "combination", "--combination-rule", "mode"]).contains("--combination-rule must be weighted or median"))
        #expect(message(base + ["--model", "arima", "--selection", dir.path + "/s.json"]).contains("--selection needs --model auto"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/f.csv"))
    }
}
