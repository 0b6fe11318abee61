// psm-fleet-bench: issue 15's fleet check (bench/fleet.sh; docs/benchmarks.md, "Several actuators").
//
// Several actuator runtimes share one PostgreSQL store and the same libvirt test-driver hosts (one
// node XML file each), deciding every second over groups whose demand is replayed from recorded
// traces. At random moments a random actuator is killed — every hypervisor call it makes from then
// on never returns and it makes no further store call, so it stops exactly there, as SIGKILL
// stops a process — and a new one (a new id, as a restarted process gets) starts in its place.
//
// Why one process: libvirt's test driver keeps its domains inside the process that opened it, so
// separate psm-actuator processes on `test:///PATH.xml` would each see hosts of their own, and a
// takeover would find none of the dead actuator's domains. Here every actuator talks to the same
// test-driver connections: one libvirt truth, as actuators sharing real hosts over qemu+ssh see.
// The invariants are computed from that libvirt state and from the database, never from the
// actuators' reports.
import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import PostgresStore
import Synchronization
import Scaling

struct Options {
    var store = ""
    var json: String?
    var actuators = 3, hosts = 6, groups = 200, kills = 20
    var lease: Int64 = 3
    var datasets = "Datasets/nab-aws-cloudwatch/realAWSCloudwatch"
    var seed: UInt64 = 15

    init(_ args: [String]) {
        var i = 1
        func next() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--store": store = next()
            case "--json": json = next()
            case "--actuators": actuators = Int(next()) ?? actuators
            case "--hosts": hosts = Int(next()) ?? hosts
            case "--groups": groups = Int(next()) ?? groups
            case "--kills": kills = Int(next()) ?? kills
            case "--lease": lease = Int64(next()) ?? lease
            case "--datasets": datasets = next()
            case "--seed": seed = UInt64(next()) ?? seed
            default: fail("unknown argument \(args[i])")
            }
            i += 1
        }
        if store.isEmpty { fail("usage: psm-fleet-bench --store postgres://… [--json OUT] [--actuators 3] [--hosts 6] [--groups 200] [--kills 20] [--lease 3]") }
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-fleet-bench: \(message)\n".utf8))
    exit(2)
}

/// A seeded generator (SplitMix64): the same kill schedule for the same seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Recorded demand: the NAB CloudWatch CPU traces, each scaled so that its 90th percentile is 0.9
/// capacity units (the trigger activates above 0.8 of the 1 unit running).
func traces(_ folder: String) -> [[Double]] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix("ec2_cpu") }.sorted()
    let out: [[Double]] = files.compactMap { name in
        guard let text = try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8) else { return nil }
        let values = text.split(separator: "\n").dropFirst().compactMap { $0.split(separator: ",").last.flatMap { Double($0) } }
        let sorted: [Double] = values.sorted()
        guard !sorted.isEmpty else { return nil }
        let p90: Double = sorted[sorted.count * 9 / 10]
        guard p90 > 0 else { return nil }
        return values.map { $0 / p90 * 0.9 }
    }
    if out.isEmpty { fail("no ec2_cpu_*.csv traces in \(folder)") }
    return out
}

/// A kill switch.
final class Flag: Sendable {
    private let value = Mutex(false)
    var on: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}

/// One actuator: its runtime and its kill switch.
final class Actuator: @unchecked Sendable {
    let id: String
    let runtime: ActuatorRuntime
    let killed: Flag
    var task: Task<Void, Never>?
    var leaseTask: Task<Void, Never>?

    init(id: String, runtime: ActuatorRuntime, killed: Flag) {
        self.id = id
        self.runtime = runtime
        self.killed = killed
    }
}

nonisolated(unsafe) var parked: [CheckedContinuation<Void, Never>] = []
let parkLock = NSLock()

let options = Options(CommandLine.arguments)
var random = SplitMix(state: options.seed)
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("psm-fleet-\(UUID().uuidString.prefix(8))")
try FileManager.default.createDirectory(at: dir.appendingPathComponent("Models"), withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }

nonisolated(unsafe) var connections: [String: LibvirtHypervisor] = [:]
var hostConfigs: [HostConfig] = []
for h in 1...options.hosts {
    let path = dir.appendingPathComponent("h\(h).xml").path
    try """
    <node><cpu><mhz>2000</mhz><model>x86_64</model><active>256</active><nodes>1</nodes><sockets>1</sockets>
    <cores>256</cores><threads>1</threads></cpu><memory>\(1_048_576 * 1024)</memory></node>
    """.write(toFile: path, atomically: true, encoding: .utf8)
    connections["h\(h)"] = try LibvirtHypervisor(uri: "test://" + path)
    hostConfigs.append(HostConfig(name: "h\(h)", uri: "test://" + path, capVCPUs: nil, capMemoryMiB: nil, units: 100_000))
}
let demand = traces(options.datasets)
let names = (1...options.groups).map { String(format: "g%03d", $0) }
let costs = try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 1, interval: 1)
let bounds = try GroupBounds(minimum: 1, maximum: 1)
let sizing = try SizingPolicy(costs: costs, leadTime: 1, hysteresis: HysteresisPolicy(cooldown: 0), defaultBounds: bounds)
nonisolated(unsafe) var configuration = ActuatorConfiguration(
    store: options.store, registry: dir.appendingPathComponent("Models").path, hosts: hostConfigs,
    groups: names.map { GroupConfiguration(name: $0, template: ShadowTemplate(full: ResourceSize(vcpus: 1, memoryKiB: 524_288), units: 1),
                                           running: 1, bounds: bounds) },
    sizing: sizing, trigger: try TriggerPolicy(utilisationThreshold: 0.8, activationLeadTime: 0))
configuration.interval = 1
configuration.horizon = 1
configuration.leaseSeconds = options.lease
configuration.retry = .none
configuration.scaleInUtilisation = 0.5
configuration.scaleInWindow = 0
configuration.maximumActions = 400
configuration.hostGrace = 86_400

let cycleTimes = Mutex<[Double]>([])
/// After the kills: demand stays low, so the fleet settles (no new activations) before the audit.
let calm = Mutex(false)
let started = Date()
func elapsed() -> Double { Date().timeIntervalSince(started) }

/// Starts actuator `id`: its own store connection, the shared hosts behind its kill switch, a
/// cycle every second with the recorded demand of the groups it holds.
func start(_ id: String) async throws -> Actuator {
    var c = configuration
    c.actuatorID = id
    let killed = Flag()
    let shared = connections
    let runtime = try await ActuatorRuntime(configuration: c, store: try PostgresStore(url: options.store), connect: { host in
        guard let inner = shared[host.name] else { throw HypervisorError(code: .connectionFailed, operation: "connect", message: host.name) }
        return InterceptingHypervisor(inner, before: { _ in
            guard killed.on else { return }
            await withCheckedContinuation { (k: CheckedContinuation<Void, Never>) in parkLock.withLock { parked.append(k) } }
        })
    })
    let actuator = Actuator(id: id, runtime: runtime, killed: killed)
    actuator.task = Task {
        var tick = 0
        while !killed.on {
            let now = Int64(Date().timeIntervalSince1970)
            for (i, group) in names.enumerated() where runtime.leaseBook.holds(group, at: now) {
                let trace = demand[i % demand.count]
                let value = calm.withLock { $0 } ? 0.1 : trace[(i * 37 + tick) % trace.count]
                await runtime.observe(group: group, demand: value, at: now)
            }
            let t0 = ContinuousClock.now
            _ = await runtime.cycle()
            let d = ContinuousClock.now - t0
            if !killed.on {
                cycleTimes.withLock { $0.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) * 1e-15) }
            }
            tick += 1
            try? await Task.sleep(for: .seconds(1))
        }
    }
    // The lease loop psm-actuator runs beside the cycle (LeaseLoop): a pass every third of the lease.
    if let keeper = runtime.leaseKeeper {
        actuator.leaseTask = Task.detached {
            while !killed.on {
                keeper.pass(at: Int64(Date().timeIntervalSince1970), rebalance: false)
                try? await Task.sleep(for: .milliseconds(Int(keeper.seconds) * 1000 / 3))
            }
        }
    }
    return actuator
}

let observer = try PostgresStore(url: options.store)
func owners(at now: Int64) -> [String: String] {
    var out: [String: String] = [:]
    for lease in (try? observer.leases()) ?? [] where lease.expiresAt > now && !lease.group.hasPrefix(LeaseKeeper.memberPrefix) {
        out[lease.group] = lease.owner
    }
    return out
}

var generation = 0
var fleet: [Actuator] = []
for _ in 0..<options.actuators {
    generation += 1
    fleet.append(try await start("actuator-\(generation)"))
}
// Let the fleet divide the groups and provision the pools.
let settle = Date().addingTimeInterval(Double(options.lease) * 6)
while Date() < settle, owners(at: Int64(Date().timeIntervalSince1970)).count < options.groups {
    try await Task.sleep(for: .milliseconds(200))
}
try await Task.sleep(for: .seconds(Double(options.lease)))
FileHandle.standardError.write(Data("psm-fleet-bench: \(options.groups) groups divided at \(String(format: "%.1f", elapsed())) s\n".utf8))

var takeovers: [Double] = []
var unfinished = 0
for k in 0..<options.kills {
    // A random moment within the next two seconds, a random actuator.
    try await Task.sleep(for: .milliseconds(Int.random(in: 200...2_000, using: &random)))
    let victim = Int.random(in: 0..<fleet.count, using: &random)
    let dead = fleet[victim]
    let held = Set(dead.runtime.leaseBook.leases.keys)
    dead.killed.set()
    let killedAt = Date()
    generation += 1
    fleet[victim] = try await start("actuator-\(generation)")
    // Taken over: every group the dead one held is held by a live actuator.
    let deadline = killedAt.addingTimeInterval(Double(options.lease) * 6)
    var taken: Double?
    while Date() < deadline {
        let o = owners(at: Int64(Date().timeIntervalSince1970))
        if held.allSatisfy({ o[$0] != nil && o[$0] != dead.id }) { taken = Date().timeIntervalSince(killedAt); break }
        try await Task.sleep(for: .milliseconds(100))
    }
    if let taken { takeovers.append(taken) } else { unfinished += 1 }
    FileHandle.standardError.write(Data("psm-fleet-bench: kill \(k + 1): \(dead.id) held \(held.count), taken over in \(taken.map { String(format: "%.2f s", $0) } ?? "NEVER")\n".utf8))
}
// Quiesce: demand drops, the last takeover is adopted, activated VMs retire, pools refill.
calm.withLock { $0 = true }
try await Task.sleep(for: .seconds(Double(options.lease) * 4))

/// The invariants, from libvirt and the database: records not gone, psm domains by shadow id,
/// domains without a record (orphans), records in a state their domain contradicts.
func audit() async throws -> (live: [ShadowRecord], orphans: Set<String>, doubles: Int, lost: Set<String>) {
    let live = try observer.shadows(states: [.planned, .defining, .ready, .activating, .active, .decommissioning])
    let liveIDs = Set(live.map(\.id))
    var domainsByShadow: [String: [String]] = [:]
    var orphans: Set<String> = []
    for (_, hypervisor) in connections {
        for domain in try await hypervisor.list() {
            guard let tag = domain.metadata else { continue }
            domainsByShadow[tag.shadowID, default: []].append(domain.name)
            if !liveIDs.contains(tag.shadowID) { orphans.insert(domain.name) }
        }
    }
    var doubles = domainsByShadow.values.filter { $0.count > 1 }.count
    for s in live where try observer.activations(shadow: s.id).filter({ $0.outcome == .succeeded }).count > 1 { doubles += 1 }
    // A record whose domain is gone, or an activation left open with nobody to finish it.
    let lost = Set(live.filter { ($0.state != .planned && domainsByShadow[$0.id] == nil) || $0.state == .activating }
        .map { "\($0.id)@\($0.updatedAt)" })
    return (live, orphans, doubles, lost)
}
// Twice, two seconds apart: a step in flight at the first look (a domain being defined) is not a loss.
let first = try await audit()
try await Task.sleep(for: .seconds(2))
let second = try await audit()
for a in fleet { a.killed.set() }
let live = second.live
let orphans = first.orphans.intersection(second.orphans).count
let doubles = second.doubles
let lost = first.lost.intersection(second.lost).count
let running = live.filter { $0.state == .active }.count
let times = cycleTimes.withLock { $0 }.sorted()
func percentile(_ p: Double) -> Double { times.isEmpty ? .nan : times[min(times.count - 1, Int(Double(times.count) * p))] }
let result: [String: Any] = [
    "actuators": options.actuators, "hosts": options.hosts, "groups": options.groups, "kills": options.kills,
    "lease_s": options.lease, "takeover_s_max": takeovers.max() ?? -1, "takeovers_unfinished": unfinished,
    "double_activations": doubles, "orphans": orphans, "lost_records": lost,
    "cycle_ms_p50": percentile(0.5), "cycle_ms_p99": percentile(0.99), "cycles": times.count,
    "shadows": live.count, "active_at_end": running,
    "activations": try names.reduce(0) { $0 + (try observer.activations(group: $1, limit: 100_000).count) },
    "seconds": elapsed(), "mode": "in-process actuators, shared test-driver connections",
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
if let path = options.json { try data.write(to: URL(fileURLWithPath: path)) }
print(String(decoding: data, as: UTF8.self))
let ok = doubles == 0 && orphans == 0 && lost == 0 && unfinished == 0 && (takeovers.max() ?? 0) <= 2 * Double(options.lease)
exit(ok ? 0 : 1)
