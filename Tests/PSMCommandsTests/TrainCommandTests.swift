import ArgumentParser
import Features
import Foundation
import MetricStore
import ModelRegistry
@testable import PSMCommands
import Testing
import TimeSeries

@Suite struct TrainCommandTests {
    /// Two groups in a long CSV (hourly, 4 days): `web` with two series, `db` with one.
    static func csv() -> String {
        var lines = ["series_id,timestamp,value,group"]
        for (id, group, level) in [("w1", "web", 10.0), ("w2", "web", 30.0), ("d1", "db", 5.0)] {
            for t in 0..<96 {
                let v = level + 3 * sin(2 * Double.pi * Double(t % 24) / 24) + Double((t * 31) % 7) / 7
                lines.append("\(id),\(1_700_000_000 + t * 3600),\(v),\(group)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func trainPublishesEveryGroupAndWritesTheReport() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("load.csv", Self.csv())
        let config = try dir.file("psm.toml", """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        """)
        try runPSM(["train", "--config", config])
        // Relative paths resolve against psm.toml's directory.
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        #expect(try registry.groups().sorted() == ["db", "web"])
        #expect(try registry.verify(group: "web").manifest.kind == "seasonal-naive")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/reports/latest.json"))
        let html = try String(contentsOfFile: dir.path + "/reports/latest.html", encoding: .utf8)
        #expect(html.contains("web") && html.contains("db") && html.contains("<svg"))
    }

    /// `[models] candidates` may name `ets` and `theta`: on a trend (where seasonal naive lags)
    /// one of them is published, with its fitted models in `ets.json` / `theta.json`.
    @Test func trainPublishesETSOrThetaOnATrend() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        var lines = ["series_id,timestamp,value,group"]
        for t in 0..<80 {
            let value: Double = 10 + 0.5 * Double(t) + Double((t * 31) % 7) / 7
            lines.append("s1,\(1_700_000_000 + t * 3600),\(value),api")
        }
        _ = try dir.file("load.csv", lines.joined(separator: "\n") + "\n")
        let config = try dir.file("psm.toml", """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        season = 4
        [backtest]
        folds = 2
        [models]
        candidates = ["ets", "theta"]
        [calibration]
        min_samples = 10
        """)
        try runPSM(["train", "--config", config])
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        let model = try registry.verify(group: "api")
        let files = Set(model.manifest.files.keys)
        switch model.manifest.kind {
        case "ets": #expect(files == ["ets.json"])
        case "theta": #expect(files == ["theta.json"])
        default:
            #expect(model.manifest.kind == "combination" && files == ["ets.json", "theta.json"], "\(model.manifest.kind) \(files)")
        }
        let report = try String(contentsOfFile: dir.path + "/reports/latest.json", encoding: .utf8)
        #expect(report.contains("\"ets\"") && report.contains("\"theta\""))
    }

    /// The notices an actuator stored (its `[actuator] store`, same psm.toml) are training events
    /// of their group: the group's manifest gets a `notice_multiplier` column; other groups none.
    @Test func trainLearnsFromTheNoticesInTheActuatorsStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("load.csv", Self.csv())
        let store = try MetricStore(path: dir.path + "/actuator.sqlite")
        try store.insert(events: [10, 40, 70].map { t in
            Event(name: "notice", kind: .notice, start: 1_700_000_000 + Int64(t) * 3600, end: 1_700_000_000 + Int64(t + 3) * 3600,
                  scope: .groups(["web"]), multiplier: 1.5)
        })
        let base = """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        [actuator]
        store = "actuator.sqlite"

        """
        try runPSM(["train", "--config", try dir.file("psm.toml", base)])
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        #expect(try registry.load(group: "web").manifest.featureSchema?.columnNames == ["notice_multiplier"])
        #expect(try registry.load(group: "db").manifest.featureSchema == nil)

        // `[calendar] notices = false` leaves them out.
        try runPSM(["train", "--config", try dir.file("psm.toml", base + "[calendar]\nnotices = false\n")])
        #expect(try registry.load(group: "web").manifest.featureSchema == nil)
    }

    /// The memory the actuator's collector kept (`<group>/memory_mib`, group sums only) trains a
    /// memory model per group, published as `<group>.memory_mib` by the same trainer; the CPU
    /// models are as without it; a group without memory history gets a note, not a failure.
    @Test func trainPublishesAMemoryModelFromTheCollectedHistory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("load.csv", Self.csv())
        let store = try MetricStore(path: dir.path + "/actuator.sqlite")
        let grid = TimeGrid(axis: .time, start: 1_700_000_000, step: 3600, count: 96)
        let memory = (0..<96).map { t in 4096 + 512 * sin(2 * Double.pi * Double(t % 24) / 24) + Double((t * 17) % 5) }
        _ = try store.insert([
            Series(id: "web/memory_mib", grid: grid, values: memory, metric: "memory_mib", group: "web"),
            // Per-VM series are not group sums: no model of their own.
            Series(id: "vm/web-1/memory_mib", grid: grid, values: memory, metric: "memory_mib", group: "web"),
            Series(id: "web/cpu", grid: grid, values: memory.map { $0 / 1000 }, metric: "cpu", group: "web"),
        ])
        let config = try dir.file("psm.toml", """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        [actuator]
        store = "actuator.sqlite"
        """)
        try runPSM(["train", "--config", config])
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        #expect(try registry.groups().sorted() == ["db", "web", "web.memory_mib"])
        let model = try registry.verify(group: "web.memory_mib")
        #expect(model.manifest.kind == "seasonal-naive")
        #expect(model.manifest.trainingWindow == grid)
        #expect(model.manifest.hyperParameters["seasons"]?["web/memory_mib"] != nil)
        // The CPU model is the group's own, as without memory.
        #expect(try registry.versions(group: "web").count == 1)
        #expect(try registry.load(group: "web").manifest.hyperParameters["seasons"]?["w1"] != nil)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/latest.json"))) as? [String: Any]
        let notes = report?["notes"] as? [String] ?? []
        #expect(notes.contains { $0.hasPrefix("memory: group db: no collected memory history (db/memory_mib in ") })
        #expect(!notes.contains { $0.contains("group web:") })
        let trained = (report?["groups"] as? [[String: Any]] ?? []).filter { ($0["status"] as? String) == "trained" }
        #expect(Set(trained.compactMap { $0["group"] as? String }) == ["db", "web", "web.memory_mib"])
    }

    /// Without any memory history (the store holds none, or does not exist yet) no memory model
    /// is published and each group gets a note; the run succeeds.
    @Test func noMemoryHistoryMeansNoMemoryModelAndANote() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("load.csv", Self.csv())
        let config = try dir.file("psm.toml", """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        [actuator]
        store = "actuator.sqlite"
        """)
        try runPSM(["train", "--config", config])
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        #expect(try registry.groups().sorted() == ["db", "web"])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/latest.json"))) as? [String: Any]
        let notes = report?["notes"] as? [String] ?? []
        for group in ["db", "web"] {
            #expect(notes.contains { $0.hasPrefix("memory: group \(group): no collected memory history") })
        }
        // Without an [actuator] section nothing is said about memory.
        let plain = try dir.file("plain.toml", """
        [data]
        inputs = ["load.csv"]
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        """)
        try runPSM(["train", "--config", plain])
        let again = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.path + "/reports/latest.json"))) as? [String: Any]
        #expect(!(again?["notes"] as? [String] ?? []).contains { $0.hasPrefix("memory:") })
    }

    @Test func trainReadsAMetricStoreWrittenByIngest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let csv = try dir.file("load.csv", Self.csv())
        try runPSM(["ingest", csv, "--db", dir.path + "/metrics.sqlite"])
        let config = try dir.file("psm.toml", """
        [data]
        db = "metrics.sqlite"
        [forecast]
        horizon = 6
        [models]
        candidates = ["seasonal-naive"]
        """)
        try runPSM(["train", "--config", config])
        let registry = ModelRegistry(root: URL(fileURLWithPath: dir.path + "/Models"))
        #expect(try registry.groups().sorted() == ["db", "web"])
    }

    @Test func everyGroupSkippedOrFailedExitsNonZero() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        _ = try dir.file("load.csv", Self.csv())
        let config = try dir.file("psm.toml", "[data]\ninputs = [\"load.csv\"]\n[forecast]\nhorizon = 48\n[models]\ncandidates = [\"seasonal-naive\"]\n")
        // 96 points < 48 + 48 + 2 × 48: every group is skipped, nothing is trained.
        #expect(throws: ExitCode.self) { try runPSM(["train", "--config", config]) }
    }

    @Test func configurationErrorsNameTheFileAndKey() throws {
        let dir = try TemporaryDirectory()
        defer { dir.cleanUp() }
        let config = try dir.file("psm.toml", "[data]\ninputs = [\"x.csv\"]\n[forecast]\nhorizon = \"abc\"\n")
        do {
            try runPSM(["train", "--config", config])
            Issue.record("expected an error")
        } catch let error as ValidationError {
            #expect(error.message == "\(config): [forecast] horizon: expected an integer from 1 to 10000, got \"abc\"")
        }
    }

    @Test func flagsAreValidated() {
        #expect(throws: (any Error).self) { try PSM.parseAsRoot(["train", "--every", "6"]) }
        #expect(throws: (any Error).self) { try PSM.parseAsRoot(["train", "--shard", "3/3"]) }
        #expect(throws: (any Error).self) { try PSM.parseAsRoot(["train", "--once", "--every", "6h"]) }
    }
}
