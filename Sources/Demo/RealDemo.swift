import ActuatorCommands
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import RealVMSupport
import TimeSeries

/// `psm demo --real`: the same loop as `Demo` on real QEMU guests (docs/realvm.md, "psm demo --real").
///
/// One group (`realvm-api`, the demo's bursty "api" series: hourly spikes from ≈ 3 to 40–90) of one
/// to two shadows of the tiny guest (full 2 vCPUs / 1 GiB, parked paused at 1 vCPU / 256 MiB) on
/// qemu:///system. The replay is a short window of the held-out days that starts quiet and then
/// spikes above the trigger threshold,
/// paced at one interval per 2 s of wall time: the replay's clock moves 300 s per interval, so
/// `boot_grace` is five intervals (1500 s of replay time, at least 10 s of real time for the
/// guest to boot and inflate its balloon before it is paused). Every guest it made is removed at
/// the end, also when the replay fails.
package struct RealDemo: Sendable {
    package var datasets: String
    package var out: String
    /// The libvirt URI (default qemu:///system, the daemon `scripts/realvm.sh up` starts).
    package var uri: String
    package var trainDays: Int
    package var psmVersion: String

    /// Intervals of replay before the first rise (the first shadows must be parked by then).
    static let warmup = 8
    /// Intervals replayed in all.
    static let intervals = 40
    /// Replay pace (intervals per second of wall time) and boot grace (replay seconds): ≥ 10 s real.
    static let speed = 0.5
    static let bootGrace = 1500
    static let group = "realvm-api"
    static let series = "ec2_cpu_utilization_fe7f93"

    package init(datasets: String = "Datasets", out: String = "out/demo-real", uri: String = RealVMGuest.uri,
                trainDays: Int = 10, psmVersion: String) {
        self.datasets = datasets
        self.out = out
        self.uri = uri
        self.trainDays = trainDays
        self.psmVersion = psmVersion
    }

    package func run() async throws {
        let (guest, libvirt) = try await RealVMSetup.connect(packageRoot: FileManager.default.currentDirectoryPath, uri: uri)
        try DemoData.prepare(out, removing: ["serial"])
        // The window: the first spike above the threshold (0.8 × running 50) in the held-out days
        // after `warmup` quiet intervals (shadows boot then); everything before it trains the model.
        let rows = try DemoData.series(Self.series, datasets: datasets)
        guard let start = rows.first?.0 else { throw DemoError("the bundled api series is empty") }
        let heldOut = rows.firstIndex { $0.0 - start >= Int64(trainDays) * 86_400 } ?? rows.count
        let threshold = 40.0
        let values = rows.map { Double($0.1) ?? .nan }
        guard let rise = (max(heldOut, Self.warmup)..<rows.count).first(where: { i in
            values[i] > threshold && values[(i - Self.warmup)..<i].allSatisfy { $0 <= threshold }
        }) else {
            throw DemoError("no rise of demand above \(threshold) in the held-out days: pass a smaller --train-days")
        }
        let from = rise - Self.warmup
        let window = rows.prefix(from + Self.intervals).map { (group: Self.group, time: $0.0, value: $0.1) }
        try DemoData.csv(Array(window.prefix(from))).write(toFile: "\(out)/train.csv", atomically: true, encoding: .utf8)
        try DemoData.csv(Array(window.dropFirst(from))).write(toFile: "\(out)/replay.csv", atomically: true, encoding: .utf8)
        try configuration(guest: guest).text.write(toFile: "\(out)/psm.toml", atomically: true, encoding: .utf8)

        Demo.note("training \(Self.group) on the \(from) intervals before the replay window (\(out)/psm.toml)")
        try Demo.train(config: "\(out)/psm.toml", psmVersion: psmVersion)
        Demo.note("replaying \(Self.intervals) intervals (\(Timestamp.format(rows[from].0)) on) at one per \(Int(1 / Self.speed)) s "
                  + "through the actuator on \(uri): real guests boot, park and activate")
        do {
            try await Demo.replay(config: "\(out)/psm.toml", trace: "\(out)/replay.csv", speed: Self.speed, json: "\(out)/summary.json")
        } catch {
            await Self.removeGuests(libvirt)
            throw error
        }
        try await Self.reportActivations(store: "\(out)/actuator.sqlite", serial: "\(out)/serial", libvirt: libvirt)
        await Self.removeGuests(libvirt)
        print("psm demo: summary in \(out)/summary.json; the guests' serial logs in \(out)/serial/")
    }

    /// The demo's psm.toml for real guests.
    func configuration(guest: RealVMGuest) -> DemoConfiguration {
        let extra = ["baseline_vcpu_fraction = 0.5", "baseline_memory_fraction = 0.25",
                     "kernel = \"\(guest.kernel)\"", "initrd = \"\(guest.initrd)\"", "cmdline = \"console=ttyS0 quiet\"",
                     "virtualization = \"qemu\"", "machine = \"q35\"", "serial_log_dir = \"serial\""]
        return DemoConfiguration(
            comment: "Written by `psm demo --real`: one VM group on real QEMU guests (docs/realvm.md).",
            hypervisor: uri, groups: [.init(name: Self.group, memoryMiB: 1024, extra: extra)],
            backtest: ["folds = 3"],
            actuator: ["# Replay seconds: the replay runs one 300 s interval per 2 s, so ≥ 10 s of real boot time.",
                       "boot_grace = \(Self.bootGrace)",
                       "# A small machine holds the guests only by overcommitting vCPUs.", "cpu_allocation_ratio = 4"],
            sizingMin: 1, sizingMax: 2)
    }

    /// Prints each activation's step latencies and what its guest last reported on its console.
    static func reportActivations(store path: String, serial: String, libvirt: LibvirtHypervisor) async throws {
        let store = try MetricStore(path: path)
        let shadows = try store.shadows().filter { $0.group == Self.group }
        for shadow in shadows.sorted(by: { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }) {
            for a in try store.activations(shadow: shadow.id) {
                let steps = ["claim", "restore", "scale", "resume", "monitoring", "routing", "tag", "total"]
                    .compactMap { k in a.stepLatencies[k].map { String(format: "%@ %.1f ms", k, $0 * 1000) } }
                let beat = SerialLog(path: "\(serial)/\(shadow.domainName).log").lines(after: 0).compactMap { Heartbeat($0) }.last
                let guestSays = beat.map { "guest now reports cpus=\($0.cpus) mem_kb=\($0.memoryKiB)" } ?? "no heartbeat logged"
                print("activation of \(shadow.domainName): \(a.outcome?.rawValue ?? "open"); \(steps.joined(separator: ", ")); \(guestSays)")
            }
        }
    }

    /// Destroys and undefines every domain of the demo's group (save images included).
    static func removeGuests(_ libvirt: LibvirtHypervisor) async {
        let mine = ((try? await libvirt.list()) ?? []).filter { $0.name.hasPrefix("psm-\(Self.group)-") }
        for d in mine {
            try? await libvirt.destroy(d.name)
            try? await libvirt.undefine(d.name, removingManagedSave: true)
        }
        Demo.note("removed the demo's \(mine.count) guests")
    }
}
