// psm-realvm-bench: cold start versus shadow activation on real QEMU (TCG) guests, through psm's
// LibvirtHypervisor and Activator on qemu:///system (docs/realvm.md, docs/benchmarks.md).
// `psm bench activation` runs the same measurement (RealVMSupport.ActivationBenchmark).
//
//   swift run -c release psm-realvm-bench [--runs N] [--json OUT] [--images DIR]
//
// Needs `scripts/realvm.sh up` and `scripts/realvm.sh guest` first. Prints every sample and the
// medians; `--json OUT` writes them (cold_start_s, activation_paused_ms, activation_saved_ms,
// paused_shadow_rss_mb, activator_overhead_ms, …).
import Foundation
import LibvirtHypervisor
import RealVMSupport

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-realvm-bench: \(message)\n".utf8))
    exit(1)
}

var runs = 5
var jsonPath: String?
var imageDirectory: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--runs":
        guard let value = arguments.popFirst().flatMap({ Int($0) }), value >= 1 else { fail("--runs needs a positive integer") }
        runs = value
    case "--json":
        guard let value = arguments.popFirst() else { fail("--json needs a path") }
        jsonPath = value
    case "--images":
        guard let value = arguments.popFirst() else { fail("--images needs a directory") }
        imageDirectory = value
    case "-h", "--help":
        print("usage: psm-realvm-bench [--runs N] [--json OUT] [--images DIR (default out/realvm)]")
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}

guard let guest = RealVMGuest(packageRoot: FileManager.default.currentDirectoryPath, directory: imageDirectory) else {
    fail("guest images not found (run scripts/realvm.sh guest, or pass --images DIR)")
}
let hypervisor: LibvirtHypervisor
do { hypervisor = try LibvirtHypervisor(uri: RealVMGuest.uri) } catch { fail("\(error) (run scripts/realvm.sh up)") }
let benchmark = ActivationBenchmark(driver: ShadowDriver(hypervisor: hypervisor, guest: guest), runs: runs)
do {
    let result = try await benchmark.run { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    print(result.report)
    if let jsonPath { try result.json().write(to: URL(fileURLWithPath: jsonPath)) }
} catch {
    fail("\(error)")
}
