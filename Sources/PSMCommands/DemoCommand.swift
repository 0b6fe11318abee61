import Actuator
import ActuatorCommands
import ArgumentParser
import Foundation
import Pipeline
import TimeSeries

/// `psm demo`: the whole loop on bundled data — train on the first days of two NAB EC2 CPU series,
/// then replay the remaining days through the actuator on libvirt's test driver (docs/actuator.md, "Demo").
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Train on bundled data, then replay the held-out days through the actuator (libvirt test driver).",
        discussion: """
        Writes out/demo/: train.csv and replay.csv (two groups of 5-minute CPU demand, split after \
        day 10), psm.toml, the models, the training report, the actuator's store and summary.json. \
        The demand is a VM group's CPU utilisation read as capacity units.
        """)

    @Option(help: "The bundled datasets directory.")
    var datasets = "Datasets"

    @Option(help: "Where the demo writes everything (default out/demo, out/demo-real with --real).")
    var out: String?

    @Option(help: "The libvirt URI the actuator drives (default test:///default, qemu:///system with --real).")
    var hypervisor: String?

    @Option(help: "Days of each series used for training (the rest is replayed).")
    var trainDays = 10

    @Flag(help: """
        Run on real QEMU guests under libvirtd (needs `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest`): \
        one group of at most two shadows of the tiny guest, a short replay paced in real time so that the \
        shadows boot before they are parked; a few minutes (docs/realvm.md, "psm demo --real").
        """)
    var real = false

    func run() async throws {
        if real { return try await runReal() }
        let out = self.out ?? "out/demo"
        let hypervisor = self.hypervisor ?? "test:///default"
        let groups = [("web", "ec2_cpu_utilization_5f5533"), ("api", "ec2_cpu_utilization_fe7f93")]
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        for stale in ["actuator.sqlite", "actuator.sqlite-wal", "actuator.sqlite-shm"] {
            try? fm.removeItem(atPath: "\(out)/\(stale)")
        }
        var train = "series_id,timestamp,value\n"
        var replay = "series_id,timestamp,value\n"
        for (group, file) in groups {
            var first: Int64?
            for (aligned, value) in try Self.series(file, datasets: datasets) {
                first = first ?? aligned
                let row = "\(group),\(Timestamp.format(aligned)),\(value)\n"
                if aligned - (first ?? aligned) < Int64(trainDays) * 86_400 { train += row } else { replay += row }
            }
        }
        try train.write(toFile: "\(out)/train.csv", atomically: true, encoding: .utf8)
        try replay.write(toFile: "\(out)/replay.csv", atomically: true, encoding: .utf8)
        let config = """
        # Written by `psm demo`: two VM groups whose demand is their CPU utilisation (capacity units).
        [data]
        inputs = ["train.csv"]
        aggregation = "max"
        fill = "linear:3"

        [forecast]
        horizon = 12

        [backtest]
        folds = 4
        stride = 288

        [calibration]
        window = 288
        refresh = 72

        [models]
        candidates = ["seasonal-naive", "arima"]

        [registry]
        dir = "Models"

        [report]
        dir = "reports"

        [actuator]
        store = "actuator.sqlite"
        interval = 300
        hypervisor = "\(hypervisor)"

        [actuator.costs]
        miss = 10
        reserve = 0.5
        launch_delay = 120

        [actuator.sizing]
        lead_time = 60
        max = 6
        cooldown = 900

        [actuator.trigger]
        utilisation = 0.8
        activation_lead_time = 300

        [[actuator.groups]]
        name = "web"
        unit = 10
        vcpus = 2
        memory_mib = 512
        running = 50

        [[actuator.groups]]
        name = "api"
        unit = 10
        vcpus = 2
        memory_mib = 512
        running = 50

        """
        try config.write(toFile: "\(out)/psm.toml", atomically: true, encoding: .utf8)
        FileHandle.standardError.write(Data("psm demo: training on the first \(trainDays) days (\(out)/psm.toml)\n".utf8))
        let trainCommand = try TrainCommand.parse(["--config", "\(out)/psm.toml", "--once"])
        try trainCommand.run()
        FileHandle.standardError.write(Data("psm demo: replaying the rest through the actuator on \(hypervisor)\n".utf8))
        var actuator = try ActuatorCommand.parseAsRoot(["run", "--config", "\(out)/psm.toml", "--replay", "\(out)/replay.csv",
                                                        "--json", "\(out)/summary.json"])
        if var asyncCommand = actuator as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try actuator.run()
        }
        print("psm demo: summary in \(out)/summary.json; explain a pool with: psm-actuator explain web --config \(out)/psm.toml")
    }

    /// A bundled NAB EC2 CPU series: (time aligned down to its 5-minute step, value as written).
    static func series(_ file: String, datasets: String) throws -> [(Int64, Substring)] {
        let path = "\(datasets)/nab-aws-cloudwatch/realAWSCloudwatch/\(file).csv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read \(path): run psm demo from the repository root, or pass --datasets")
        }
        var rows: [(Int64, Substring)] = []
        for line in text.split(separator: "\n").dropFirst() {
            let parts = line.split(separator: ",")
            guard parts.count == 2, let t = Timestamp.parse(parts[0])?.seconds, Double(parts[1]) != nil else { continue }
            // NAB stamps are at :02, :07…; the actuator's grid is whole 5-minute steps.
            rows.append((t - ((t % 300) + 300) % 300, parts[1]))
        }
        return rows
    }
}
