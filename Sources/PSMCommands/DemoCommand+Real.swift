import ActuatorCommands
import ArgumentParser
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import RealVMSupport
import TimeSeries

/// `psm demo --real`: the same loop on real QEMU guests (docs/realvm.md, "psm demo --real").
///
/// One group (`realvm-api`, the demo's bursty "api" series: hourly spikes from ≈ 3 to 40–90) of one
/// to two shadows of the tiny guest (full 2 vCPUs / 1 GiB, parked paused at 1 vCPU / 256 MiB) on
/// qemu:///system. The replay is a short window of the held-out days that starts quiet and then
/// spikes above the trigger threshold,
/// paced at one interval per 2 s of wall time: the replay's clock moves 300 s per interval, so
/// `boot_grace` is five intervals (1500 s of replay time, at least 10 s of real time for the
/// guest to boot and inflate its balloon before it is paused). Every guest it made is removed at
/// the end, also when the replay fails.
extension DemoCommand {
    /// Intervals of replay before the first rise (the first shadows must be parked by then).
    static let realWarmup = 8
    /// Intervals replayed in all.
    static let realIntervals = 40
    /// Replay pace (intervals per second of wall time) and boot grace (replay seconds): ≥ 10 s real.
    static let realSpeed = 0.5
    static let realBootGrace = 1500
    static let realGroup = "realvm-api"
    static let realSeries = "ec2_cpu_utilization_fe7f93"

    func runReal() async throws {
        let out = self.out ?? "out/demo-real"
        let uri = hypervisor ?? RealVMGuest.uri
        let (guest, libvirt) = try await RealVMSetup.connect(packageRoot: FileManager.default.currentDirectoryPath, uri: uri)
        let fm = FileManager.default
        try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
        for stale in ["actuator.sqlite", "actuator.sqlite-wal", "actuator.sqlite-shm", "serial"] {
            try? fm.removeItem(atPath: "\(out)/\(stale)")
        }
        // The window: the first spike above the threshold (0.8 × running 50) in the held-out days
        // after `realWarmup` quiet intervals (shadows boot then); everything before it trains the model.
        let rows = try Self.series(Self.realSeries, datasets: datasets)
        guard let start = rows.first?.0 else { throw ValidationError("the bundled api series is empty") }
        let heldOut = rows.firstIndex { $0.0 - start >= Int64(trainDays) * 86_400 } ?? rows.count
        let threshold = 40.0
        let values = rows.map { Double($0.1) ?? .nan }
        guard let rise = (max(heldOut, Self.realWarmup)..<rows.count).first(where: { i in
            values[i] > threshold && values[(i - Self.realWarmup)..<i].allSatisfy { $0 <= threshold }
        }) else {
            throw ValidationError("no rise of demand above \(threshold) in the held-out days: pass a smaller --train-days")
        }
        let from = rise - Self.realWarmup
        var train = "series_id,timestamp,value\n"
        var replay = "series_id,timestamp,value\n"
        for (i, (t, value)) in rows.enumerated() where i < from + Self.realIntervals {
            let row = "\(Self.realGroup),\(Timestamp.format(t)),\(value)\n"
            if i < from { train += row } else { replay += row }
        }
        try train.write(toFile: "\(out)/train.csv", atomically: true, encoding: .utf8)
        try replay.write(toFile: "\(out)/replay.csv", atomically: true, encoding: .utf8)
        try realConfiguration(uri: uri, guest: guest).write(toFile: "\(out)/psm.toml", atomically: true, encoding: .utf8)

        note("training \(Self.realGroup) on the \(from) intervals before the replay window (\(out)/psm.toml)")
        let trainCommand = try TrainCommand.parse(["--config", "\(out)/psm.toml", "--once"])
        try trainCommand.run()
        note("replaying \(Self.realIntervals) intervals (\(Timestamp.format(rows[from].0)) on) at one per \(Int(1 / Self.realSpeed)) s "
             + "through the actuator on \(uri): real guests boot, park and activate")
        let arguments = ["run", "--config", "\(out)/psm.toml", "--replay", "\(out)/replay.csv", "--speed", "\(Self.realSpeed)",
                         "--json", "\(out)/summary.json"]
        do {
            var actuator = try ActuatorCommand.parseAsRoot(arguments)
            if var asyncCommand = actuator as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try actuator.run()
            }
        } catch {
            await removeGuests(libvirt)
            throw error
        }
        try await reportActivations(store: "\(out)/actuator.sqlite", serial: "\(out)/serial", libvirt: libvirt)
        await removeGuests(libvirt)
        print("psm demo: summary in \(out)/summary.json; the guests' serial logs in \(out)/serial/")
    }

    /// The demo's psm.toml for real guests.
    func realConfiguration(uri: String, guest: RealVMGuest) -> String {
        """
        # Written by `psm demo --real`: one VM group on real QEMU guests (docs/realvm.md).
        [data]
        inputs = ["train.csv"]
        aggregation = "max"
        fill = "linear:3"

        [forecast]
        horizon = 12

        [backtest]
        folds = 3

        [models]
        candidates = ["seasonal-naive", "arima"]

        [registry]
        dir = "Models"

        [report]
        dir = "reports"

        [actuator]
        store = "actuator.sqlite"
        interval = 300
        hypervisor = "\(uri)"
        # Replay seconds: the replay runs one 300 s interval per 2 s, so ≥ 10 s of real boot time.
        boot_grace = \(Self.realBootGrace)

        [actuator.costs]
        miss = 10
        reserve = 0.5
        launch_delay = 120

        [actuator.sizing]
        lead_time = 60
        min = 1
        max = 2
        cooldown = 900

        [actuator.trigger]
        utilisation = 0.8
        activation_lead_time = 300

        [[actuator.groups]]
        name = "\(Self.realGroup)"
        unit = 10
        running = 50
        vcpus = 2
        memory_mib = 1024
        baseline_vcpu_fraction = 0.5
        baseline_memory_fraction = 0.25
        kernel = "\(guest.kernel)"
        initrd = "\(guest.initrd)"
        cmdline = "console=ttyS0 quiet"
        virtualization = "qemu"
        machine = "q35"
        serial_log_dir = "serial"

        """
    }

    /// Prints each activation's step latencies and what its guest last reported on its console.
    func reportActivations(store path: String, serial: String, libvirt: LibvirtHypervisor) async throws {
        let store = try MetricStore(path: path)
        let shadows = try store.shadows().filter { $0.group == Self.realGroup }
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
    func removeGuests(_ libvirt: LibvirtHypervisor) async {
        let mine = ((try? await libvirt.list()) ?? []).filter { $0.name.hasPrefix("psm-\(Self.realGroup)-") }
        for d in mine {
            try? await libvirt.destroy(d.name)
            try? await libvirt.undefine(d.name, removingManagedSave: true)
        }
        note("removed the demo's \(mine.count) guests")
    }

    private func note(_ message: String) {
        FileHandle.standardError.write(Data("psm demo: \(message)\n".utf8))
    }
}
