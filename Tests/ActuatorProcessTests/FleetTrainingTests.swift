import Actuator
import Foundation
import ModelRegistry
import Testing
import Yams

/// Training across machines (issue 15, item 5): N `psm train --shard i/N` processes publishing
/// into one registry at once, and the deploy/ files' exact command lines run against a scratch
/// registry.
///
/// The deploy files name production paths; the tests substitute them, and nothing else:
/// `/usr/local/bin/psm` and `/usr/local/bin/psm-actuator` (systemd) or `psm` on the PATH
/// (Kubernetes) → the binaries built next to this test bundle; `/etc/psm/psm.toml` → the scratch
/// configuration; `%I` (systemd's unescaped instance name) → `i/N`; `$JOB_COMPLETION_INDEX`
/// is set in the environment as Kubernetes sets it.
@Suite(.serialized) struct FleetTrainingTests {
    static let timeout = 600.0

    /// Runs the processes at once and waits for all of them.
    static func concurrently(_ runs: [(URL, [String], [String: String])]) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for (i, run) in runs.enumerated() {
                group.addTask { (i, try await runProcess(run.0, run.1, environment: run.2, timeout: Self.timeout)) }
            }
            var out: [Int: Outcome] = [:]
            for try await (i, outcome) in group { out[i] = outcome }
            return (0..<runs.count).map { out[$0]! }
        }
    }

    /// Every model is in the registry and an actuator's catalogs (CPU models, and memory models as
    /// the runtime reads them) load every group.
    static func expectEveryGroupServed(_ scratch: TrainingScratch) throws {
        let registry = ModelRegistry(root: URL(fileURLWithPath: scratch.registry))
        #expect(try registry.groups().sorted() == scratch.allModels)
        let catalog = ModelCatalog(registry: registry, groups: scratch.groups)
        _ = catalog.refresh()
        for g in scratch.groups { #expect(catalog.version(group: g) != nil, "CPU model of \(g)") }
        let memoryGroups = Set(scratch.groups.map { $0 + ".memory_mib" })
        let memory = ModelCatalog(registry: registry, include: { memoryGroups.contains($0) })
        _ = memory.refresh()
        for g in memoryGroups { #expect(memory.version(group: g) != nil, "memory model \(g)") }
    }

    @Test func threeConcurrentShardsPublishEveryGroupAndAnActuatorSeesThem() async throws {
        let scratch = try TrainingScratch()
        defer { scratch.cleanUp() }
        let psm = try builtExecutable("psm")
        let outcomes = try await Self.concurrently((0..<3).map {
            (psm, ["train", "--config", scratch.config, "--once", "--shard", "\($0)/3"], [:])
        })
        for (i, o) in outcomes.enumerated() {
            #expect(o.status == 0 && !o.signalled, "shard \(i)/3: \(o.errors.suffix(1500))")
        }
        // The shards partition the models, and a group's memory model is trained beside it.
        let trained = try (0..<3).map { try scratch.trained(shard: $0, of: 3) }
        #expect(trained.flatMap { $0 }.sorted() == scratch.allModels)
        for models in trained {
            for g in models where !g.hasSuffix(".memory_mib") { #expect(models.contains(g + ".memory_mib"), "\(g) in \(models)") }
        }
        #expect(trained.filter { !$0.isEmpty }.count >= 2, "six groups over three shards: more than one shard works")
        try Self.expectEveryGroupServed(scratch)
    }

    @Test func theKubernetesIndexedJobsCommandLineTrainsEveryGroup() async throws {
        let scratch = try TrainingScratch()
        defer { scratch.cleanUp() }
        let text = try String(contentsOf: TrainingScratch.root.appendingPathComponent("deploy/k8s-cronjob.yaml"), encoding: .utf8)
        let yaml = try #require(try Yams.load(yaml: text) as? [String: Any])
        let job = try #require(((yaml["spec"] as? [String: Any])?["jobTemplate"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(job["completionMode"] as? String == "Indexed")
        let completions = try #require(job["completions"] as? Int)
        #expect(job["parallelism"] as? Int == completions)
        let pod = try #require((job["template"] as? [String: Any])?["spec"] as? [String: Any])
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        let command = try #require(container["command"] as? [String])
        let args = try #require(container["args"] as? [String])
        #expect(command == ["/bin/sh", "-c"] && args.count == 1)
        let script = args[0]
        #expect(script.contains("--shard \"${JOB_COMPLETION_INDEX}/\(completions)\""), "the shard count is the completion count: \(script)")
        // `psm` from the PATH is the built binary; the mounted configuration is the scratch one.
        let bin = scratch.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/psm", withDestinationPath: try builtExecutable("psm").path)
        let substituted = script.replacingOccurrences(of: "/etc/psm/psm.toml", with: scratch.config)
        let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let outcomes = try await Self.concurrently((0..<completions).map {
            (URL(fileURLWithPath: command[0]), [command[1], substituted], ["JOB_COMPLETION_INDEX": "\($0)", "PATH": path])
        })
        for (i, o) in outcomes.enumerated() {
            #expect(o.status == 0 && !o.signalled, "index \(i): \(o.errors.suffix(1500))")
        }
        try Self.expectEveryGroupServed(scratch)
    }

    /// The `ExecStart=` line of a unit file in deploy/, split into words (systemd does no shell
    /// expansion there, and these lines quote nothing).
    static func execStart(_ unit: String) throws -> [String] {
        let text = try String(contentsOf: TrainingScratch.root.appendingPathComponent("deploy/\(unit)"), encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }, "\(unit) has no ExecStart")
        return line.dropFirst("ExecStart=".count).split(separator: " ").map(String.init)
    }

    static func substitute(_ words: [String], _ scratch: TrainingScratch, instance: String? = nil) throws -> (URL, [String]) {
        var out = words.map { $0 == "/etc/psm/psm.toml" ? scratch.config : $0 }
        if let instance { out = out.map { $0 == "%I" ? instance : $0 } }
        #expect(!out.contains { $0.hasPrefix("%") || $0.hasPrefix("/etc/") }, "unsubstituted: \(out)")
        let binary = try #require(out.first?.split(separator: "/").last.map(String.init))
        return (try builtExecutable(binary), Array(out.dropFirst()))
    }

    @Test func theSystemdUnitsCommandLinesRun() async throws {
        let scratch = try TrainingScratch()
        defer { scratch.cleanUp() }
        // psm-train@.service on three machines: instances 0-3, 1-3, 2-3 (%I = 0/3, 1/3, 2/3) at once.
        let template = try Self.execStart("psm-train@.service")
        #expect(template.first == "/usr/local/bin/psm" && template.suffix(2) == ["--shard", "%I"])
        let runs = try (0..<3).map { i -> (URL, [String], [String: String]) in
            let (binary, arguments) = try Self.substitute(template, scratch, instance: "\(i)/3")
            return (binary, arguments, [:])
        }
        for (i, o) in try await Self.concurrently(runs).enumerated() {
            #expect(o.status == 0 && !o.signalled, "psm-train@\(i)-3: \(o.errors.suffix(1500))")
        }
        try Self.expectEveryGroupServed(scratch)

        // psm-train.service: the whole job on one machine, into the same registry (a new version each).
        let (train, trainArguments) = try Self.substitute(try Self.execStart("psm-train.service"), scratch)
        let whole = try await runProcess(train, trainArguments, timeout: Self.timeout)
        #expect(whole.status == 0, "\(whole.errors.suffix(1500))")
        let registry = ModelRegistry(root: URL(fileURLWithPath: scratch.registry))
        for g in scratch.groups { #expect(try registry.versions(group: g).count == 2, "\(g)") }

        // psm-actuator.service: the service loads every group's model; SIGTERM (systemctl stop) ends it cleanly.
        let (actuator, actuatorArguments) = try Self.substitute(try Self.execStart("psm-actuator.service"), scratch)
        let run = try await runProcess(actuator, actuatorArguments, environment: ["PSM_API_TOKEN": "fleet-training-token-0123456789"],
                                       terminateAfter: 0.5, whenStderrContains: "cycle", timeout: 60)
        #expect(!run.signalled && run.status == 0, "\(run.errors.suffix(1500))")
        // Every group forecast from its model (a missing one is a "no forecast" problem each cycle).
        #expect(run.errors.contains("problems=0") && !run.errors.contains("no forecast"), "\(run.errors.suffix(1500))")
    }
}
