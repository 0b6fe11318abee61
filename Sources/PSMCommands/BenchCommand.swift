import ArgumentParser
import Foundation
import ModelRegistry
import RealVMSupport

/// `psm bench`: measurements that need more than the unit tests (docs/benchmarks.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure psm on this machine.",
        subcommands: [Activation.self])
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
