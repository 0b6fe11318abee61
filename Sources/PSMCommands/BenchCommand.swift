import ArgumentParser
import Foundation
import ModelRegistry
import RealVMSupport

/// `psm bench`: measurements that need more than the unit tests (docs/benchmarks.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure psm on this machine.",
        subcommands: [Activation.self, ClosedLoop.self])
}

extension BenchCommand {
    /// `psm bench activation`: cold start versus shadow activation on real guests.
    struct Activation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "activation",
            abstract: "Cold start versus activation of a paused or saved shadow, on real QEMU guests.",
            discussion: """
            Needs libvirtd with QEMU and the tiny guest: `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest` \
            (docs/realvm.md). Each run boots one shadow on qemu:///system and times, from the guest's own \
            serial output: define+start until it is ready; setVCPUs+setMemory+resume of the paused shadow \
            until its next heartbeat; restore+resume of the managed-saved shadow until its next heartbeat; \
            the QEMU process's RSS while paused; and an activation through psm's Activator, whose wall time \
            minus the libvirt calls it made is psm's own overhead. Prints every sample and the medians; \
            --json writes cold_start_s, activation_paused_ms, activation_saved_ms, paused_shadow_rss_mb, \
            activator_overhead_ms (medians) and the samples. Same measurement as psm-realvm-bench.
            """)

        @Option(help: "Runs (one cold-started guest each); the medians need at least 5.")
        var runs = 5

        @Option(help: "Write the medians and samples as JSON to this file.")
        var json: String?

        @Option(help: "The guest images (default: $PSM_REALVM_DIR, else out/realvm).")
        var images: String?

        func validate() throws {
            try require(runs, in: 1...10_000, "--runs")
        }

        func run() async throws {
            let (guest, hypervisor) = try await RealVMSetup.connect(packageRoot: FileManager.default.currentDirectoryPath,
                                                                   images: images)
            let benchmark = ActivationBenchmark(driver: ShadowDriver(hypervisor: hypervisor, guest: guest), runs: runs)
            let result = try await benchmark.run { FileHandle.standardError.write(Data("psm bench: \($0)\n".utf8)) }
            print(result.report)
            if let json { try AtomicFile.write(try result.json(), to: json) }
        }
    }
}
extension BenchCommand {
    /// `psm bench closed-loop`: the deployed loop on real guests, load to first proxied answer.
    struct ClosedLoop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "closed-loop",
            abstract: "Load rises on a real guest behind HAProxy until psm activates a parked shadow that then serves.",
            discussion: """
            Needs libvirtd with QEMU, the tiny guest and the test bridge: `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest` \
            (docs/realvm.md), and haproxy (scripts/setup.sh). One regular guest serves HTTP behind a real HAProxy; psm's collector, \
            decision cycle, activator and router run as psm-actuator runs them, from a generated psm.toml, with a parked shadow; \
            an open-loop load on the HAProxy frontend rises in steps until the guest's CPU crosses the trigger. Reports \
            rise_detected_s, trigger_to_first_request_ms, failed_requests, predicted and applied vCPUs and memory, and the \
            drain check (the shadow drained and parked under load loses no request). --json writes them.
            """)

        @Option(help: "Write the result as JSON to this file.")
        var json: String?

        @Option(help: "The guest images (default: $PSM_REALVM_DIR, else out/realvm).")
        var images: String?

        @Option(help: "Seconds each load step lasts.")
        var step: Double = 15

        @Option(help: "The trigger's utilisation (default: the regular guest's idle utilisation + 0.1).")
        var threshold: Double?

        func validate() throws {
            guard step >= 2, step <= 600 else { throw ValidationError("--step must be from 2 to 600 seconds") }
            if let threshold, !(threshold > 0 && threshold <= 1) { throw ValidationError("--threshold must be in (0, 1]") }
        }

        func run() async throws {
            let (guest, hypervisor) = try await RealVMSetup.connect(packageRoot: FileManager.default.currentDirectoryPath,
                                                                   images: images)
            var settings = ClosedLoopBenchmark.Settings()
            settings.stepSeconds = step
            settings.threshold = threshold
            let result = try await ClosedLoopBenchmark(guest: guest, hypervisor: hypervisor, settings: settings)
                .run { FileHandle.standardError.write(Data("psm bench: \($0)\n".utf8)) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(result)
            print(String(decoding: data, as: UTF8.self))
            if let json { try AtomicFile.write(data, to: json) }
        }
    }
}
