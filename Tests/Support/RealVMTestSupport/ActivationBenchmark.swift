import Actuator
import Foundation
import Hypervisor
import HypervisorTestSupport
import MetricStore
import RealVMSupport
import Scaling

/// Cold start versus shadow activation on real QEMU guests (`psm bench activation`,
/// `psm-realvm-bench`; docs/realvm.md, docs/benchmarks.md "Real VMs").
///
/// Each run boots one shadow: define+start → `PSM-READY` (cold), park at the baseline (RSS read),
/// setVCPUs+setMemory+resume → next heartbeat (paused activation), suspend + managedSave,
/// restore+resume → next heartbeat (saved activation); then suspends it again and activates it
/// through psm's real `Activator` (claim in the store → scale → resume → monitoring → routing →
/// tag → outcome recorded), timing every libvirt call it makes: the activation's wall time minus
/// those calls is psm's own overhead. The run's domain is removed whatever happens.
public struct ActivationBenchmark: Sendable {
    public let driver: ShadowDriver
    public var runs: Int

    public init(driver: ShadowDriver, runs: Int) {
        self.driver = driver
        self.runs = max(1, runs)
    }

    /// Every sample per key (milliseconds unless the key ends in `_s` or `_mb`), and their medians.
    public struct Result: Sendable {
        public var runs: Int
        public var samples: [String: [Double]]

        /// The median of each key.
        public var medians: [String: Double] {
            samples.mapValues(Self.median)
        }

        /// The median of `xs` (mean of the middle two for an even count); NaN for none.
        public static func median(_ xs: [Double]) -> Double {
            let s = xs.sorted()
            guard !s.isEmpty else { return .nan }
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }

        /// One line per key (median and every sample), then the ratios.
        public var report: String {
            let m = medians
            var lines: [String] = []
            for key in m.keys.sorted() {
                let values = samples[key, default: []].map { String(format: "%.3f", $0) }.joined(separator: " ")
                lines.append(String(format: "%-34@ median %10.3f   (%@)", key as NSString, m[key] ?? .nan, values as NSString))
            }
            let cold = m["cold_start_s"] ?? .nan
            lines.append(String(format: "cold start / paused activation = %.0f×, cold start / saved activation = %.1f×",
                                cold * 1000 / (m["activation_paused_ms"] ?? .nan), cold * 1000 / (m["activation_saved_ms"] ?? .nan)))
            return lines.joined(separator: "\n")
        }

        /// The `--json` document: `runs`, every median under its key (rounded to µs/ms precision), `samples`.
        public func json() throws -> Data {
            var object: [String: Any] = ["runs": runs, "samples": samples]
            for (key, value) in medians { object[key] = (value * 1000).rounded() / 1000 }
            return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        }
    }

    /// Runs the measurement; `progress` gets one line per run.
    public func run(progress: (String) -> Void = { _ in }) async throws -> Result {
        let scratch = NSTemporaryDirectory() + "psm-realvm-bench-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            driver.guest.removeLogs()
        }
        // The store as psm-actuator opens it (every commit fsynced), and one that only survives a
        // process crash (no fsync): the Activator commits twice per activation (claim, outcome).
        var stores: [MetricStore] = []
        for (file, durability) in [("store.sqlite", MetricStore.Durability.powerLoss), ("store-process.sqlite", .process)] {
            let store = try MetricStore(path: scratch + "/" + file, durability: durability)
            try store.upsertHost(HostRecord(name: "local", uri: RealVMGuest.uri,
                                            capacity: CapacityAmount(vcpus: 1024, memoryMiB: 1 << 24, units: 1 << 20),
                                            updatedAt: Int64(Date().timeIntervalSince1970)))
            stores.append(store)
        }
        var samples: [String: [Double]] = [:]
        for run in 1...runs {
            let name = RealVMGuest.namePrefix + "bench-\(run)-\(getpid())"
            do {
                let (measured, line) = try await measure(name, store: stores[0], processDurabilityStore: stores[1])
                for (key, value) in measured { samples[key, default: []].append(value) }
                await driver.remove(name)
                progress("run \(run): \(line)")
            } catch {
                await driver.remove(name)
                throw error
            }
        }
        return Result(runs: runs, samples: samples)
    }

    /// One run's samples (key, value) and its progress line.
    private func measure(_ name: String, store: MetricStore,
                         processDurabilityStore: MetricStore) async throws -> ([(String, Double)], String) {
        var measured: [(String, Double)] = []
        let hypervisor = driver.hypervisor
        let clock = ContinuousClock()
        let cold = try await driver.coldStart(name)
        measured.append(("cold_start_s", cold.seconds))
        // Parked once the guest's balloon is down to the baseline.
        try await driver.park(name)
        try await Task.sleep(for: .milliseconds(300))
        if let rss = RealVMGuest.qemuResidentKiB(of: name) { measured.append(("paused_shadow_rss_mb", Double(rss) / 1024)) }

        let paused = try await driver.activatePaused(name)
        measured.append(("activation_paused_ms", paused.untilHeartbeat.milliseconds))
        for (call, d) in paused.calls { measured.append(("paused_\(call)_ms", d.milliseconds)) }
        // The notes' C probe timed resume → heartbeat alone: the same figure without the resizes.
        let resizing = paused.calls.filter { $0.0 != "resume" }.reduce(Duration.zero) { $0 + $1.1 }
        measured.append(("paused_resume_to_heartbeat_ms", (paused.untilHeartbeat - resizing).milliseconds))
        let grownFrom = clock.now
        _ = try driver.waitForHeartbeat(name) { $0.cpus == ShadowDriver.activated.vcpus && $0.memoryKiB >= 700_000 }
        measured.append(("guest_sees_new_size_s", (clock.now - grownFrom + paused.untilHeartbeat).seconds))

        try await hypervisor.suspend(name)
        let saveStart = clock.now
        try await hypervisor.managedSave(name)
        measured.append(("managed_save_s", (clock.now - saveStart).seconds))
        let saved = try await driver.activateSaved(name)
        guard saved.restoredState == .paused else {
            throw GuestSilent(awaited: "a restore that comes back paused (got \(String(describing: saved.restoredState)))",
                              domain: name, tail: "")
        }
        measured.append(("activation_saved_ms", saved.untilHeartbeat.milliseconds))
        for (call, d) in saved.calls { measured.append(("saved_\(call)_ms", d.milliseconds)) }

        let psm = try await activateThroughActivator(name, store: store)
        measured.append(("activator_activation_ms", psm.untilHeartbeat.milliseconds))
        measured.append(("activator_total_ms", psm.total.milliseconds))
        measured.append(("activator_libvirt_ms", psm.libvirt.milliseconds))
        measured.append(("activator_overhead_ms", (psm.total - psm.libvirt).milliseconds))
        measured.append(("activator_overhead_until_serving_ms", psm.untilServing.milliseconds))
        measured.append(("activator_before_first_call_ms", psm.beforeFirstCall.milliseconds))
        measured.append(("activator_after_last_call_ms", psm.afterLastCall.milliseconds))
        // Once more (the guest is at its full size now: the scale calls change nothing) on a store
        // without fsync, to separate the two commits' fsyncs from the rest of psm's path.
        let again = try await activateThroughActivator(name, store: processDurabilityStore)
        measured.append(("activator_overhead_nofsync_ms", (again.total - again.libvirt).milliseconds))
        measured.append(("activator_overhead_until_serving_nofsync_ms", again.untilServing.milliseconds))
        measured.append(("activator_before_first_call_nofsync_ms", again.beforeFirstCall.milliseconds))
        measured.append(("activator_after_last_call_nofsync_ms", again.afterLastCall.milliseconds))

        let destroyStart = clock.now
        try await hypervisor.destroy(name)
        measured.append(("destroy_s", (clock.now - destroyStart).seconds))
        return (measured, String(format: "cold %.2f s, paused→heartbeat %.1f ms, saved→heartbeat %.0f ms, psm activation %.1f ms (psm's own %.3f ms)",
                      cold.seconds, paused.untilHeartbeat.milliseconds, saved.untilHeartbeat.milliseconds,
                      psm.total.milliseconds, (psm.total - psm.libvirt).milliseconds))
    }

    /// What one activation through the `Activator` took.
    struct ActivatorTiming {
        /// From calling `activate` until it returned (store claim and outcome included).
        var total: Duration
        /// The sum of the libvirt calls it made.
        var libvirt: Duration
        /// From calling `activate` until the guest's next heartbeat.
        var untilHeartbeat: Duration
        /// psm's time before its first libvirt call (the claim in the store) and after its last
        /// (the outcome recorded); the rest of its own time lies between the calls.
        var beforeFirstCall: Duration
        var afterLastCall: Duration
        /// psm's own time until the guest serves: before the first call, between the calls up to
        /// `resume`, and the monitoring and routing steps (tagging and recording the outcome follow).
        var untilServing: Duration
    }

    /// Suspends the running guest, records it as a ready shadow of full size 4 vCPUs / 1 GiB and
    /// activates it through psm's `Activator`, every libvirt call timed.
    private func activateThroughActivator(_ name: String, store: MetricStore) async throws -> ActivatorTiming {
        try await driver.hypervisor.suspend(name)
        let now = Int64(Date().timeIntervalSince1970)
        let full = CapacityAmount(ShadowDriver.full, units: 1)
        let baseline = CapacityAmount(ShadowDriver.baseline, units: 0)
        try store.adopt(shadow: ShadowRecord(id: name, group: "realvm", host: "local", domainName: name, state: .ready,
                                             baselineVCPUs: baseline.vcpus, baselineMemoryMiB: baseline.memoryMiB,
                                             fullVCPUs: full.vcpus, fullMemoryMiB: full.memoryMiB, reservedUnits: 1,
                                             createdAt: now, updatedAt: now),
                        reserving: true, at: now)
        let calls = CallLog()
        let observed = InterceptingHypervisor(driver.hypervisor, after: { calls.record($0) })
        let activator = Activator(store: store, hypervisors: ["local": observed], monitoring: MonitoredDomains(),
                                  clock: SystemWallClock())
        let log = driver.guest.serialLog(for: name)
        let mark = log.offset()
        let clock = ContinuousClock()
        let start = clock.now
        let activation = try await activator.activate(shadowID: name, activationID: "bench-\(UUID().uuidString)")
        let total = clock.now - start
        guard activation.outcome == .succeeded else {
            throw GuestSilent(awaited: "a succeeded activation (got \(String(describing: activation.outcome)))", domain: name, tail: "")
        }
        let made = calls.drain()
        let libvirt = made.reduce(Duration.zero) { $0 + $1.duration }
        let end = start + total
        guard let beat = log.waitForLine(after: mark, timeout: driver.heartbeatTimeout, where: { Heartbeat($0) != nil }) else {
            throw GuestSilent(awaited: "heartbeat after the Activator's resume", domain: name, tail: "")
        }
        var untilServing = (made.first?.start ?? end) - start
        if let resumed = made.firstIndex(where: { $0.method == "resume" }), resumed > 0 {
            for i in 1...resumed { untilServing += made[i].start - (made[i - 1].start + made[i - 1].duration) }
        }
        untilServing += .seconds((activation.stepLatencies["monitoring"] ?? 0) + (activation.stepLatencies["routing"] ?? 0))
        return ActivatorTiming(total: total, libvirt: libvirt, untilHeartbeat: beat.seen - start,
                               beforeFirstCall: (made.first?.start ?? end) - start,
                               afterLastCall: made.last.map { end - ($0.start + $0.duration) } ?? .zero,
                               untilServing: untilServing)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var milliseconds: Double { seconds * 1000 }
}
