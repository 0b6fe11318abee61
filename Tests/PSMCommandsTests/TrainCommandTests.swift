import ArgumentParser
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
