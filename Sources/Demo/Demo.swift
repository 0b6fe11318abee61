import Actuator
import ActuatorCommands
import Foundation
import Pipeline

/// `psm demo`: the whole loop on bundled data — train on the first days of two NAB EC2 CPU series,
/// then replay the remaining days through the actuator on libvirt's test driver (docs/actuator.md,
/// "Demo"). Writes train.csv, replay.csv, psm.toml, the models, the training report, the
/// actuator's store and summary.json into `out`.
package struct Demo: Sendable {
    package var datasets: String
    package var out: String
    /// The libvirt URI; nil: the test driver on a node file of 64 CPUs and 64 GiB in `out`
    /// (`demoNode`).
    package var hypervisor: String?
    /// Days of each series used for training (the rest is replayed).
    package var trainDays: Int
    package var psmVersion: String

    static let groups = [("web", "ec2_cpu_utilization_5f5533"), ("api", "ec2_cpu_utilization_fe7f93")]

    package init(datasets: String = "Datasets", out: String = "out/demo", hypervisor: String? = nil,
                trainDays: Int = 10, psmVersion: String) {
        self.datasets = datasets
        self.out = out
        self.hypervisor = hypervisor
        self.trainDays = trainDays
        self.psmVersion = psmVersion
    }

    package func run() async throws {
        try DemoData.prepare(out)
        // Host capacity is measured from the host: test:///default is 16 CPUs and 3 GiB with a 2 GiB
        // domain of its own, too small for two pools, so the demo's host is a node file of its own.
        let hypervisor = try self.hypervisor ?? Self.demoNode(in: out)
        var train: [(group: String, time: Int64, value: Substring)] = [], replay = train
        for (group, file) in Self.groups {
            let rows = try DemoData.series(file, datasets: datasets)
            let first = rows.first?.0 ?? 0
            for (time, value) in rows {
                if time - first < Int64(trainDays) * 86_400 { train.append((group, time, value)) } else { replay.append((group, time, value)) }
            }
        }
        try DemoData.csv(train).write(toFile: "\(out)/train.csv", atomically: true, encoding: .utf8)
        try DemoData.csv(replay).write(toFile: "\(out)/replay.csv", atomically: true, encoding: .utf8)
        let config = DemoConfiguration(
            comment: "Written by `psm demo`: two VM groups whose demand is their CPU utilisation (capacity units).",
            hypervisor: hypervisor, groups: Self.groups.map { .init(name: $0.0, memoryMiB: 512) },
            backtest: ["folds = 4", "stride = 288"], calibration: ["window = 288", "refresh = 72"], sizingMax: 6)
        try config.text.write(toFile: "\(out)/psm.toml", atomically: true, encoding: .utf8)
        Self.note("training on the first \(trainDays) days (\(out)/psm.toml)")
        try Self.train(config: "\(out)/psm.toml", psmVersion: psmVersion)
        Self.note("replaying the rest through the actuator on \(hypervisor)")
        try await Self.replay(config: "\(out)/psm.toml", trace: "\(out)/replay.csv", json: "\(out)/summary.json")
        print("psm demo: summary in \(out)/summary.json; explain a pool with: psm-actuator explain web --config \(out)/psm.toml")
    }

    /// A libvirt test-driver node of 64 CPUs and 64 GiB (`test:///ABS/node.xml`) in `out`.
    static func demoNode(in out: String) throws -> String {
        let path = URL(fileURLWithPath: out).standardizedFileURL.appendingPathComponent("node.xml").path
        try """
        <node>
          <cpu><mhz>2000</mhz><model>x86_64</model><active>64</active>
               <nodes>1</nodes><sockets>1</sockets><cores>64</cores><threads>1</threads></cpu>
          <memory>67108864</memory>
        </node>
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return "test://" + path
    }

    /// `psm train --once` on the demo's psm.toml: throws when no group was trained.
    static func train(config path: String, psmVersion: String) throws {
        let configuration = try TrainingConfiguration.load(path: path)
        let report = try TrainingRun(configuration: configuration, psmVersion: psmVersion,
                                     log: { FileHandle.standardError.write(Data("\($0)\n".utf8)) })()
        if report.everyGroupFailed { throw DemoError("no group was trained (\(path)); the training report says why") }
    }

    /// `psm-actuator run --replay` on the demo's psm.toml: the summary printed and written to `json`.
    static func replay(config path: String, trace: String, speed: Double = 0, json: String) async throws {
        let configuration = try ActuatorConfiguration.load(path: path)
        try await ReplayRun(configuration: configuration, trace: trace, speed: speed).run { summary in
            print(summary.text)
            try ReplayRun.write(summary, to: json)
        }
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data("psm demo: \(message)\n".utf8))
    }
}
