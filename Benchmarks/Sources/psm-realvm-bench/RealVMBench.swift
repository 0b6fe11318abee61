// psm-realvm-bench: measurements on real QEMU (TCG) guests under libvirtd, through psm's own
// LibvirtHypervisor, Activator and router (docs/realvm.md, docs/benchmarks.md). Was `psm bench`;
// benchmarks live in this package so that the shipped psm links none of them.
//
//   swift build -c release --package-path Benchmarks --scratch-path .build --disable-build-manifest-caching --product psm-realvm-bench
//   .build/release/psm-realvm-bench activation --runs 7 --json out/realvm-bench.json
//   .build/release/psm-realvm-bench closed-loop --step 10 --json out/closed-loop.json
//
// Needs `sudo scripts/realvm.sh up && sudo scripts/realvm.sh guest` first.
import ArgumentParser
import Foundation
import ModelRegistry
import RealVMSupport
import RealVMTestSupport

@main
struct RealVMBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psm-realvm-bench",
        abstract: "Measure psm on real QEMU guests.",
        subcommands: [Activation.self, ClosedLoop.self],
        defaultSubcommand: Activation.self)
}

extension RealVMBench {
    /// `psm-realvm-bench activation`: cold start versus shadow activation on real guests.
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
            activator_overhead_ms (medians) and the samples.
            """)

        @Option(help: "Runs (one cold-started guest each); the medians need at least 5.")
        var runs = 5

        @Option(help: "Write the medians and samples as JSON to this file.")
        var json: String?

        @Option(help: "The guest images (default: $PSM_REALVM_DIR, else out/realvm).")
        var images: String?

        func validate() throws {
            guard (1...10_000).contains(runs) else { throw ValidationError("--runs must be from 1 to 10000, not \(runs)") }
        }

        func run() async throws {
            let (guest, hypervisor) = try await RealVMSetup.connect(packageRoot: FileManager.default.currentDirectoryPath,
                                                                   images: images)
            let benchmark = ActivationBenchmark(driver: ShadowDriver(hypervisor: hypervisor, guest: guest), runs: runs)
            let result = try await benchmark.run { FileHandle.standardError.write(Data("psm-realvm-bench: \($0)\n".utf8)) }
            print(result.report)
            if let json { try AtomicFile.write(try result.json(), to: json) }
        }
    }
}
extension RealVMBench {
    /// `psm-realvm-bench closed-loop`: the deployed loop on real guests, load to first proxied answer.
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
                .run { FileHandle.standardError.write(Data("psm-realvm-bench: \($0)\n".utf8)) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let data = try encoder.encode(result)
            print(String(decoding: data, as: UTF8.self))
            if let json { try AtomicFile.write(data, to: json) }
        }
    }
}
