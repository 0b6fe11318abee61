import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import PostgresStore
import Scaling

/// Issue 15's speed target: the whole `ActuatorRuntime.cycle()` — the registry check, scoring,
/// triggers, sizing with a budget and host capacity that both bind, the shadow and host reads, the
/// reconcile pass, the cost ledger, the decision log and the sizing state written — for N groups on
/// one store, SQLite (the psm-actuator default, durability `process`) or PostgreSQL; optionally
/// with the groups split across several actuators (runtimes in this process) sharing the
/// PostgreSQL store by leases, each timed on its own.
///
/// The world is `BenchFixture`'s (each group's own published model), on `hosts` libvirt
/// test-driver hosts sized so that together they hold about one shadow per group (400 vCPUs and
/// 400 GiB each for 2-vCPU, 2-GiB shadows at 50 hosts per 10,000 groups), and a budget of one
/// shadow per group: both limits bind. Pools are provisioned in the warm-up cycles (no action
/// limit); the measured cycles are steady state, one new demand point per group each.
enum WholeCycleBench {
    struct Result {
        /// Per actuator, each measured cycle.
        var cycles: [[DecisionBench.Lap]]
        /// Per actuator, each measured cycle's steps (process CPU seconds by step name).
        var phases: [[[String: Double]]]
        /// Per actuator, each measured cycle's activations.
        var activations: [[Int]]
        var groupsHeld: [Int]
        var shadows: Int
        var problems: [String]
    }

    static func lap(_ body: () async -> Void) async -> DecisionBench.Lap {
        let c0 = DecisionBench.processCPU(), w0 = ContinuousClock.now
        await body()
        return DecisionBench.Lap(wall: DecisionBench.seconds(ContinuousClock.now - w0), cpu: DecisionBench.processCPU() - c0)
    }

    static func run(fixture: BenchFixture, store: String, hosts: Int, actuators: Int, warmup: Int, cycles: Int,
                    directory: URL, log: (String) -> Void) async throws -> Result {
        let dir = directory.appendingPathComponent("whole-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Hosts holding about one 2-vCPU, 2-GiB shadow per group in all.
        let perHost = max(1, (fixture.groups + hosts - 1) / hosts)
        var connections: [String: LibvirtHypervisor] = [:]
        var hostConfigs: [HostConfig] = []
        for h in 0..<hosts {
            let path = dir.appendingPathComponent("h\(h).xml").path
            try """
            <node><cpu><mhz>2000</mhz><model>x86_64</model><active>\(2 * perHost)</active><nodes>1</nodes><sockets>1</sockets>
            <cores>\(2 * perHost)</cores><threads>1</threads></cpu><memory>\(UInt64(perHost) * 2 * 1_048_576)</memory></node>
            """.write(toFile: path, atomically: true, encoding: .utf8)
            connections["h\(h)"] = try LibvirtHypervisor(uri: "test://" + path)
            hostConfigs.append(HostConfig(name: "h\(h)", uri: "test://" + path, capVCPUs: nil, capMemoryMiB: nil, units: 1 << 40))
        }
        let storeLocation = store == "sqlite" ? dir.appendingPathComponent("store.sqlite").path : store
        var base = try fixture.configuration(store: storeLocation)
        base.hosts = hostConfigs
        base.maximumActions = 1_000_000
        base.sizing.budget = fixture.groups
        // Leases are on with PostgreSQL. psm-actuator renews them every third of the period
        // between cycles (LeaseLoop); here the clock jumps an interval per cycle with no lease
        // loop, so the period must outlast the run.
        if actuators > 1 || store != "sqlite" { base.leaseSeconds = 3_600 }
        let clock = ManualWallClock(BenchFixture.origin + Int64(fixture.trainSteps) * BenchFixture.step)
        let shared = connections
        var runtimes: [ActuatorRuntime] = []
        for a in 0..<actuators {
            var c = base
            c.actuatorID = "bench-\(a)"
            let opened: any ActuatorStore = store == "sqlite"
                ? try MetricStore(path: storeLocation, durability: .process) : try PostgresStore(url: store)
            runtimes.append(try await ActuatorRuntime(configuration: c, clock: clock, store: opened, connect: { host in
                guard let h = shared[host.name] else { throw HypervisorError(code: .connectionFailed, operation: "connect", message: host.name) }
                return h
            }))
        }
        log("\(actuators) runtime(s) started on \(store == "sqlite" ? "SQLite" : "PostgreSQL"), \(hosts) hosts of \(2 * perHost) vCPUs")
        var step = fixture.trainSteps
        var laps = Array(repeating: [DecisionBench.Lap](), count: actuators)
        var phases = Array(repeating: [[String: Double]](), count: actuators)
        var activations = Array(repeating: [Int](), count: actuators)
        var problems: [String] = []
        for c in 0..<(warmup + cycles) {
            clock.advance(by: BenchFixture.step)
            let now = clock.now()
            for r in runtimes {
                for g in 0..<fixture.groups { await r.observe(group: BenchFixture.name(g), demand: fixture.demand(group: g, step: step), at: now) }
            }
            step += 1
            for (i, r) in runtimes.enumerated() {
                var report: CycleReport?
                let l = await lap { report = await r.cycle() }
                if c >= warmup {
                    laps[i].append(l)
                    activations[i].append(report?.activations.count ?? 0)
                    phases[i].append(Dictionary(report?.phases.map { ($0.name, $0.cpuSeconds) } ?? [], uniquingKeysWith: +))
                    problems += report?.problems.prefix(3) ?? []
                }
                log("cycle \(c)\(c < warmup ? " (warm-up)" : "") actuator \(i): \(ms(l.wall)) ms wall, \(ms(l.cpu)) ms CPU; created \(report?.reconcile.created.count ?? 0), removed \(report?.reconcile.removed.count ?? 0), unplaced \(report?.reconcile.unplaced.values.reduce(0, +) ?? 0), activations \(report?.activations.count ?? 0), problems \(report?.problems.count ?? 0)")
            }
        }
        let observer: any ActuatorStore = store == "sqlite"
            ? try MetricStore(path: storeLocation, durability: .process) : try PostgresStore(url: store)
        let shadows = try observer.shadows(states: [.ready]).count
        let now = clock.now()
        let held = runtimes.map { r in actuators == 1 ? fixture.groups : r.leaseBook.leases.values.filter { $0.expiresAt > now }.count }
        return Result(cycles: laps, phases: phases, activations: activations, groupsHeld: held, shadows: shadows, problems: problems)
    }
}
