// psm-realvm-bench: cold start versus shadow activation on real QEMU (TCG) guests, through psm's
// LibvirtHypervisor on qemu:///system (docs/realvm.md, docs/benchmarks.md).
//
//   swift run -c release psm-realvm-bench [--runs N] [--json OUT] [--images DIR]
//
// Needs `scripts/realvm.sh up` and `scripts/realvm.sh guest` first. Each run boots one shadow:
// define+start → PSM-READY (cold), suspend at baseline (RSS read), setVCPUs+setMemory+resume →
// next heartbeat (paused activation), suspend+managedSave, restore+resume → next heartbeat (saved
// activation), then removes it. Prints medians; `--json OUT` writes them.
import Foundation
import Hypervisor
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

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

guard let guest = RealVMGuest(packageRoot: FileManager.default.currentDirectoryPath, directory: imageDirectory) else {
    fail("guest images not found (run scripts/realvm.sh guest, or pass --images DIR)")
}
let hypervisor: LibvirtHypervisor
do { hypervisor = try LibvirtHypervisor(uri: RealVMGuest.uri) } catch { fail("\(error) (run scripts/realvm.sh up)") }
let driver = ShadowDriver(hypervisor: hypervisor, guest: guest)

var samples: [String: [Double]] = [:]
@MainActor func record(_ key: String, _ value: Double) { samples[key, default: []].append(value) }

for run in 1...runs {
    let name = RealVMGuest.namePrefix + "bench-\(run)-\(getpid())"
    do {
        let cold = try await driver.coldStart(name)
        record("cold_start_s", seconds(cold))
        // Park it once the guest's balloon is down to the baseline.
        try await driver.park(name)
        try await Task.sleep(for: .milliseconds(300))
        if let rss = RealVMGuest.qemuResidentKiB(of: name) { record("paused_shadow_rss_mb", Double(rss) / 1024) }

        let paused = try await driver.activatePaused(name)
        record("activation_paused_ms", seconds(paused.untilHeartbeat) * 1000)
        for (call, d) in paused.calls { record("paused_\(call)_ms", seconds(d) * 1000) }
        // The notes' C probe timed resume → heartbeat alone: the same figure without the resizes.
        let resizing = paused.calls.filter { $0.0 != "resume" }.reduce(Duration.zero) { $0 + $1.1 }
        record("paused_resume_to_heartbeat_ms", seconds(paused.untilHeartbeat - resizing) * 1000)
        let clock = ContinuousClock()
        let grownFrom = clock.now
        _ = try driver.waitForHeartbeat(name) { $0.cpus == ShadowDriver.activated.vcpus && $0.memoryKiB >= 700_000 }
        record("guest_sees_new_size_s", seconds(clock.now - grownFrom + paused.untilHeartbeat))

        try await hypervisor.suspend(name)
        let saveStart = clock.now
        try await hypervisor.managedSave(name)
        record("managed_save_s", seconds(clock.now - saveStart))
        let saved = try await driver.activateSaved(name)
        guard saved.restoredState == .paused else { fail("restore came back \(String(describing: saved.restoredState)), not paused") }
        record("activation_saved_ms", seconds(saved.untilHeartbeat) * 1000)
        for (call, d) in saved.calls { record("saved_\(call)_ms", seconds(d) * 1000) }

        let destroyStart = clock.now
        try await hypervisor.destroy(name)
        record("destroy_s", seconds(clock.now - destroyStart))
        await driver.remove(name)
        FileHandle.standardError.write(Data(String(format: "run %d: cold %.2f s, paused→heartbeat %.1f ms, saved→heartbeat %.0f ms\n",
                                                   run, seconds(cold), seconds(paused.untilHeartbeat) * 1000,
                                                   seconds(saved.untilHeartbeat) * 1000).utf8))
    } catch {
        await driver.remove(name)
        guest.removeLogs()
        fail("run \(run): \(error)")
    }
}
guest.removeLogs()

var medians: [String: Double] = [:]
for (key, values) in samples { medians[key] = median(values) }
let cold = medians["cold_start_s"] ?? .nan
for key in medians.keys.sorted() {
    let values = samples[key, default: []].map { String(format: "%.3f", $0) }.joined(separator: " ")
    print(String(format: "%-26@ median %10.3f   (%@)", key as NSString, medians[key] ?? .nan, values as NSString))
}
print(String(format: "cold start / paused activation = %.0f×, cold start / saved activation = %.1f×",
             cold * 1000 / (medians["activation_paused_ms"] ?? .nan), cold * 1000 / (medians["activation_saved_ms"] ?? .nan)))

if let jsonPath {
    var object: [String: Any] = ["runs": runs]
    for (key, value) in medians { object[key] = (value * 1000).rounded() / 1000 }
    object["samples"] = samples
    do {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: jsonPath))
    } catch { fail("cannot write \(jsonPath): \(error)") }
}
