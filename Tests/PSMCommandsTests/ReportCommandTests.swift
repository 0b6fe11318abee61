import ArgumentParser
import Evaluation
import Foundation
import Testing
@testable import PSMCommands

@Suite struct ReportCommandTests {
    /// Two series of period 4 with a little noise, on a 5-minute time axis.
    static func csv() -> String {
        var lines = ["series_id,timestamp,value"]
        for (id, phase) in [("web<&\"1", 0), ("db", 1)] {
            for t in 0..<48 {
                let pattern: [Double] = [3, 1, 4, 1]
                let v: Double = pattern[(t + phase) % 4] * 10 + Double((t * 7 + phase) % 5) * 0.3
                lines.append("\"\(id.replacingOccurrences(of: "\"", with: "\"\""))\",\(1_700_000_000 + t * 300),\(v)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Backtests seasonal naive with the right season and (renamed) with a lag of 1, as two models.
    static func makeBacktests(in dir: TemporaryDirectory) throws -> [String] {
        let input = try dir.file("in.csv", csv())
        try runPSM(["backtest", "--input", input, "--horizon", "4", "--season", "4", "--folds", "3",
                    "--json", dir.path + "/seasonal.json"])
        try runPSM(["backtest", "--input", input, "--horizon", "4", "--season", "1", "--folds", "3",
                    "--json", dir.path + "/lag1.json"])
        // The same engine under another name stands in for a second model.
        var lag1 = try BacktestReport.load(path: dir.path + "/lag1.json")
        lag1.model = "lag-1"
        try JSONEncoder().encode(lag1).write(to: URL(fileURLWithPath: dir.path + "/lag1.json"))
        return [dir.path + "/lag1.json", dir.path + "/seasonal.json"]
    }

    @Test func reportComparesBacktestsOfTheSameSeriesAsOneGroup() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let files = try Self.makeBacktests(in: dir)
        try runPSM(["report"] + files.flatMap { ["--backtest", $0] }
                   + ["--out", dir.path + "/r.html", "--json", dir.path + "/r.json"])
        let report = try EvaluationReport.decode(json: Data(contentsOf: URL(fileURLWithPath: dir.path + "/r.json")))
        #expect(report.groups.count == 1)
        let g = try #require(report.groups.first)
        #expect(g.models.map(\.model) == ["seasonal-naive", "lag-1"])
        #expect(g.selection?.model == "seasonal-naive")
        #expect(g.fanCharts.count == 4)
        #expect(g.fanCharts.map(\.model) == ["seasonal-naive", "lag-1", "seasonal-naive", "lag-1"])
        let html = try String(contentsOfFile: dir.path + "/r.html", encoding: .utf8)
        #expect(html.contains("web&lt;&amp;&quot;1"))
        #expect(!html.contains("web<&"))
    }

    @Test func backtestsOfDifferentSeriesBecomeSeparateGroups() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let files = try Self.makeBacktests(in: dir)
        var other = try BacktestReport.load(path: files[1])
        other.series = other.series.filter { $0.seriesID == "db" }
        try JSONEncoder().encode(other).write(to: URL(fileURLWithPath: dir.path + "/db.json"))
        let report = EvaluationReport(comparing: try (files + [dir.path + "/db.json"]).map { try BacktestReport.load(path: $0) },
                                      title: "t", createdAt: 0, psmVersion: PSM.version, fanCharts: 4, historyTail: 48)
        #expect(report.groups.map(\.group) == ["db, web<&\"1", "db"])
    }

    @Test func aFileThatIsNotABacktestFailsWithItsName() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let bad = try dir.file("bad.json", "{\"model\": 3}")
        #expect {
            try runPSM(["report", "--backtest", bad, "--out", dir.path + "/r.html"])
        } throws: { error in
            "\(error)".contains("bad.json is not a psm backtest --json file")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/r.html"))
    }
}

/// The report opened in a real browser: Debian's Chromium, headless.
@Suite struct ReportBrowserTests {
    @Test func reportLoadsInChromiumWithoutErrorsAndDrawsItsChartsAndTables() throws {
        let chromium = try #require(Chromium.find(), Comment(rawValue: Chromium.missingMessage))
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let files = try ReportCommandTests.makeBacktests(in: dir)
        try runPSM(["report"] + files.flatMap { ["--backtest", $0] } + ["--out", dir.path + "/r.html"])
        let url = "file://" + dir.path + "/r.html"

        let dom = try chromium.run(["--dump-dom"], url: url, profile: dir.path + "/profile-dom")
        #expect(!dom.timedOut && dom.status == 0, "chromium --dump-dom failed: \(dom.stderr.suffix(2000))")
        #expect(dom.pageProblems.isEmpty, "the page logged problems: \(dom.pageProblems)")
        // The parsed DOM (not our string): 2 series × 2 models fan charts, PIT and reliability for
        // 2 models, the models and per-series tables, 4 nested bands per fan chart (99, 95, 90, 80 %).
        func count(_ s: String) -> Int { dom.stdout.components(separatedBy: s).count - 1 }
        #expect(count("<svg class=\"fan\"") == 4)
        #expect(count("<svg class=\"diag\"") == 4)
        #expect(count("<table class=\"metrics\"") == 2)
        #expect(count("<polygon class=\"band band") == 16)
        #expect(dom.stdout.contains("web&lt;&amp;\"1"))

        let png = dir.path + "/shot.png"
        let shot = try chromium.run(["--hide-scrollbars", "--screenshot=\(png)", "--window-size=1280,2000"],
                                    url: url, profile: dir.path + "/profile-shot")
        #expect(!shot.timedOut && shot.status == 0, "chromium --screenshot failed: \(shot.stderr.suffix(2000))")
        #expect(shot.pageProblems.isEmpty, "the page logged problems: \(shot.pageProblems)")
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR width and height, big-endian at bytes 16…23.
        let be = { (o: Int) in data[o..<(o + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be(16) == 1280 && be(20) == 2000)
        // A blank 1280 × 2000 page compresses to a few kB; charts and tables make it far larger.
        #expect(data.count > 30_000)
    }

    /// The detector above must see problems when there are some: a page that fetches a style
    /// sheet against the report's policy and throws a script error.
    @Test func consoleErrorsAndBlockedLoadsAreDetected() throws {
        let chromium = try #require(Chromium.find(), Comment(rawValue: Chromium.missingMessage))
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let page = try dir.file("bad.html", """
            <!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <link rel="stylesheet" href="https://example.invalid/x.css"></head><body><img src="missing.png"></body></html>
            """)
        let run = try chromium.run(["--dump-dom"], url: "file://" + page, profile: dir.path + "/profile")
        #expect(run.status == 0)
        #expect(run.pageProblems.count >= 2, "expected the blocked style sheet and image, got: \(run.stderr)")
    }
}
