import ArgumentParser
import Foundation
import Testing
@testable import PSMCommands

@Suite struct SimulateCommandTests {
    /// Two groups, 5-minute steps, 48 intervals each: a flat one and one with a step rise.
    static func csv(rows transform: (String, Int, Double) -> String? = { _, _, v in String(v) }) -> String {
        var lines = ["series_id,timestamp,value"]
        for (group, base) in [("web", 4.0), ("api", 2.0)] {
            for i in 0..<48 {
                let minute = i * 5
                let stamp = String(format: "2026-03-01T%02d:%02d:00Z", minute / 60, minute % 60)
                let value = group == "api" && i >= 30 ? base * 3 : base + Double(i % 3)
                if let text = transform(group, i, value) { lines.append("\(group),\(stamp),\(text)") }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static let quick = ["--training-window", "1h", "--retrain-every", "1h", "--model", "seasonal-naive", "--jobs", "1"]

    @Test func writesJSONWithTheContractKeysAndAnHTMLPage() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("trace.csv", Self.csv())
        try runPSM(["simulate", "--trace", trace, "--policy", "all", "--json", dir.path + "/r.json", "--html", dir.path + "/r.html",
                    "--sweep", "buffer=0:0.4:3", "--sweep", "tau=0.6:0.9:2"] + Self.quick)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/r.json")))
            as? [String: Any])
        let policies = try #require(json["policies"] as? [String: [String: Any]])
        #expect(Set(policies.keys) == ["reactive", "predictive-buffer", "shadow"])
        for metrics in policies.values {
            for key in ["unserved_unit_minutes", "violation_minutes", "time_to_capacity_p95_s", "cost", "shadow_hours", "activations"] {
                #expect(metrics.keys.contains(key), "missing \(key)")
            }
        }
        #expect((json["groups"] as? [Any])?.count == 2)
        #expect((json["sweeps"] as? [Any])?.count == 2)
        let html = try String(contentsOfFile: dir.path + "/r.html", encoding: .utf8)
        #expect(html.contains("<svg") && !html.contains("<script"))
    }

    @Test func unknownPolicyIsOneClearError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("trace.csv", Self.csv())
        #expect {
            try runPSM(["simulate", "--trace", trace, "--policy", "predictive"] + Self.quick)
        } throws: { error in
            "\(error)".contains("unknown policy \"predictive\"")
        }
    }

    @Test func negativeDemandNamesTheGroupAndTime() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("trace.csv", Self.csv { g, i, v in g == "web" && i == 20 ? "-1" : String(v) })
        #expect {
            try runPSM(["simulate", "--trace", trace] + Self.quick)
        } throws: { error in
            "\(error)".contains("web") && "\(error)".contains("2026-03-01T01:40:00Z") && "\(error)".contains("negative")
        }
    }

    @Test func nanAndMissingRowsBecomeGapsThatAreNotScored() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        // A NaN cell (rejected by the reader with file:line) and a missing row: two gaps in "web".
        let trace = try dir.file("trace.csv", Self.csv { g, i, v in
            g != "web" ? String(v) : (i == 20 ? "NaN" : (i == 25 ? nil : String(v)))
        })
        try runPSM(["simulate", "--trace", trace, "--policy", "reactive", "--json", dir.path + "/r.json"] + Self.quick)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/r.json")))
            as? [String: Any])
        let web = try #require((json["groups"] as? [[String: Any]])?.first { $0["group"] as? String == "web" })
        #expect(web["missing_intervals"] as? Int == 2)
        let reactive = try #require((web["policies"] as? [String: [String: Any]])?["reactive"])
        #expect(reactive["missing_minutes"] as? Double == 10)
    }

    @Test func aSingleIntervalTraceIsRefusedWithAReason() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("one.csv", "series_id,timestamp,value\nweb,2026-03-01T00:00:00Z,3\n")
        #expect {
            try runPSM(["simulate", "--trace", trace] + Self.quick)
        } throws: { error in
            "\(error)".contains("no series to simulate")
        }
        let two = try dir.file("two.csv", "series_id,timestamp,value\nweb,2026-03-01T00:00:00Z,3\nweb,2026-03-01T00:05:00Z,4\n")
        #expect {
            try runPSM(["simulate", "--trace", two] + Self.quick)
        } throws: { error in
            "\(error)".contains("leaves none to simulate")
        }
    }

    @Test func badFlagsAreRefusedNamingTheFlag() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("trace.csv", Self.csv())
        for (args, text) in [(["--launch-delay", "soon"], "--launch-delay"), (["--tau", "1.5"], "--tau"),
                             (["--sweep", "tau=0.9:0.5:3"], "--sweep"), (["--series", "nope"], "--series"),
                             (["--target-utilisation", "0"], "--target-utilisation")] {
            #expect(throws: (any Error).self, "\(args)") { try runPSM(["simulate", "--trace", trace] + args + Self.quick) }
            do { try runPSM(["simulate", "--trace", trace] + args + Self.quick) } catch {
                #expect("\(error)".contains(text), "\(args): \(error)")
            }
        }
    }
}

/// The simulation report opened in a real browser (Debian's Chromium, headless), as the training
/// report is: both are drawn with the same kit (`Markup`).
@Suite struct SimulateBrowserTests {
    @Test func pageLoadsInChromiumWithoutErrorsAndDrawsItsCharts() throws {
        let chromium = try #require(Chromium.find(), Comment(rawValue: Chromium.missingMessage))
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let trace = try dir.file("trace<1>.csv", SimulateCommandTests.csv())
        try runPSM(["simulate", "--trace", trace, "--policy", "all", "--html", dir.path + "/r.html",
                    "--sweep", "buffer=0:0.4:3"] + SimulateCommandTests.quick)
        let url = "file://" + dir.path + "/r.html"
        let dom = try chromium.run(["--dump-dom"], url: url, profile: dir.path + "/profile-dom")
        #expect(!dom.timedOut && dom.status == 0, "chromium --dump-dom failed: \(dom.stderr.suffix(2000))")
        #expect(dom.pageProblems.isEmpty, "the page logged problems: \(dom.pageProblems)")
        // The parsed DOM: the frontier chart and one chart per group and policy (2 groups × 3
        // policies), each with its accessible title; demand and capacity bands in every group chart.
        func count(_ s: String) -> Int { dom.stdout.components(separatedBy: s).count - 1 }
        #expect(count("<svg class=\"chart\"") == 7)
        #expect(count("<title>") == 1 + 7)
        #expect(count("<polygon class=\"demand-band\"") == 6 && count("<polygon class=\"capacity-band\"") == 6)
        #expect(dom.stdout.contains("trace&lt;1&gt;.csv"))

        let png = dir.path + "/shot.png"
        let shot = try chromium.run(["--hide-scrollbars", "--screenshot=\(png)", "--window-size=1280,2000"],
                                    url: url, profile: dir.path + "/profile-shot")
        #expect(!shot.timedOut && shot.status == 0, "chromium --screenshot failed: \(shot.stderr.suffix(2000))")
        #expect(shot.pageProblems.isEmpty, "the page logged problems: \(shot.pageProblems)")
        // A blank 1280 × 2000 page compresses to a few kB; charts and tables make it far larger.
        #expect(try Data(contentsOf: URL(fileURLWithPath: png)).count > 30_000)
    }
}
