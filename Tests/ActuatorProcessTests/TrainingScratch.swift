import Foundation
import MetricStore
import TimeSeries

/// A scratch training setup on a small subset of the bundled data: six VM groups, each the first
/// `rows` five-minute samples of one NAB EC2 CPU series, and an actuator store holding each
/// group's collected memory (`<group>/memory_mib`), so that `psm train` also trains a memory model
/// per group (registry group `<group>.memory_mib`). One psm.toml with `[actuator]` for the
/// actuator side (pools of 0 shadows on libvirt's test driver: nothing to place).
struct TrainingScratch {
    static let files = ["24ae8d", "53ea38", "5f5533", "77c1ca", "825cc2", "ac20cd"]
    let path: String
    var groups: [String] { Self.files.map { "ec2-\($0)" } }
    var allModels: [String] { (groups + groups.map { $0 + ".memory_mib" }).sorted() }
    var config: String { path + "/psm.toml" }
    var registry: String { path + "/Models" }

    /// The repository's root (this file is Tests/ActuatorProcessTests/TrainingScratch.swift).
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    init(rows: Int = 1200) throws {
        path = NSTemporaryDirectory() + "psm-fleet-train-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        var inputs: [String] = []
        var memory: [Series] = []
        for file in Self.files {
            let source = Self.root.appendingPathComponent("Datasets/nab-aws-cloudwatch/realAWSCloudwatch/ec2_cpu_utilization_\(file).csv")
            let lines = try String(contentsOf: source, encoding: .utf8).split(separator: "\n").prefix(rows + 1)
            try (lines.joined(separator: "\n") + "\n").write(toFile: path + "/data/\(file).csv", atomically: true, encoding: .utf8)
            inputs.append("{ path = \"data/\(file).csv\", group = \"ec2-\(file)\" }")
            let values = lines.dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
            // Collected up to now, as the actuator's collector leaves it: the memory model then takes
            // the live observations of `psm-actuator run` (a history that ended long ago would be
            // refused as too far past its next expected step).
            let now = Int64(Date().timeIntervalSince1970) / 300 * 300
            let grid = TimeGrid(axis: .time, start: now - Int64(values.count) * 300, step: 300, count: values.count)
            memory.append(Series(id: "ec2-\(file)/memory_mib", grid: grid, values: values.map { 2048 + 40 * $0 },
                                 metric: "memory_mib", group: "ec2-\(file)"))
        }
        let store = try MetricStore(path: path + "/actuator.sqlite")
        _ = try store.insert(memory)
        let groupTables = groups.map { "[[actuator.groups]]\nname = \"\($0)\"\nunit = 1\nmax = 0\n" }.joined(separator: "\n")
        try """
        [data]
        inputs = [\(inputs.joined(separator: ", "))]
        [forecast]
        horizon = 12
        season = 288
        [backtest]
        folds = 2
        stride = 144
        [models]
        candidates = ["seasonal-naive"]
        [calibration]
        min_samples = 10
        [registry]
        dir = "Models"
        [report]
        dir = "reports"
        [train]
        jobs = 1

        [actuator]
        store = "actuator.sqlite"
        interval = 300
        hypervisor = "test:///default"

        \(groupTables)
        """.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// The groups each shard's report says it trained (`reports/latest-shard-i-of-N.json`).
    func trained(shard: Int, of count: Int) throws -> [String] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path + "/reports/latest-shard-\(shard)-of-\(count).json"))
        let report = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let groups = report?["groups"] as? [[String: Any]] ?? []
        return groups.filter { $0["status"] as? String == "trained" }.compactMap { $0["group"] as? String }.sorted()
    }

    func cleanUp() { try? FileManager.default.removeItem(atPath: path) }
}
