// psm-fleet-bench: issue 15's fleet check (bench/fleet.sh; docs/benchmarks.md, "Several actuators").
//
// Separate `psm-actuator run` processes share one PostgreSQL store and the same hosts, deciding
// every second over groups whose demand is replayed from recorded traces and pushed to each of
// them through `POST /v1/metrics`. At random moments a random actuator is SIGKILLed and a new
// process (a new id) is started in its place.
//
// The hosts are libvirt test-driver hosts served by daemons (bench/fleet.sh starts one `libvirtd`
// per host, without hypervisor drivers, and passes `test+unix:///default?socket=…`): the test
// driver keeps its domains in the process that opened it, so every actuator must reach a host
// through that host's daemon — over libvirt's remote protocol, as actuators reach real hosts over
// qemu+ssh — to see one libvirt truth. This program holds a connection to every daemon for the
// whole run (the daemon's default test node lives while a connection is open).
//
// The invariants are computed from libvirt and the database, never from the actuators' reports;
// only the cycle times come from their logs.
import Actuator
import AsyncHTTPClient
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import NIOCore
import NIOHTTP1
import PostgresStore
import Synchronization

let options = Options(CommandLine.arguments)
var random = SplitMix(state: options.seed)
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("psm-fleet-\(UUID().uuidString.prefix(8))").path
try FileManager.default.createDirectory(atPath: dir + "/Models", withIntermediateDirectories: true)
let token = "fleet-bench-token-0123456789abcdef"
let started = Date()
func elapsed() -> Double { Date().timeIntervalSince(started) }

// The hosts: one connection each, held to the end; the default node's sample domain removed.
var connections: [String: LibvirtHypervisor] = [:]
for (i, uri) in options.hostURIs.enumerated() {
    let hypervisor = try LibvirtHypervisor(uri: uri)
    for d in try await hypervisor.list() where d.metadata == nil {
        if d.state == .running || d.state == .paused { try await hypervisor.destroy(d.name) }
        try await hypervisor.undefine(d.name, removingManagedSave: true)
    }
    connections["h\(i + 1)"] = hypervisor
}
let names = (1...options.groups).map { String(format: "g%03d", $0) }
let fleetConfig = FleetConfiguration(store: options.store, registry: dir + "/Models", hostURIs: options.hostURIs,
                                     groups: names, lease: options.lease)
let demand = traces(options.datasets)
let observer = try PostgresStore(url: options.store)

var generation = 0
/// Starts a new actuator process (a new id) and waits for its API.
@MainActor func launch() async throws -> ActuatorProcess {
    generation += 1
    let id = "actuator-\(generation)"
    let config = "\(dir)/\(id).toml"
    try fleetConfig.text(id: id).write(toFile: config, atomically: true, encoding: .utf8)
    let a = try ActuatorProcess(id: id, executable: options.actuator, config: config, log: "\(dir)/\(id).log", token: token)
    guard await a.waitForPort(within: 120) != nil else {
        a.kill()
        fail("\(id) did not start listening within 120 s:\n\(a.text.suffix(3000))")
    }
    return a
}

/// The live fleet; the demand pusher reads it.
let fleet = Mutex<[ActuatorProcess]>([])
let calm = Mutex(false)
let stopping = Mutex(false)
let pushFailures = Mutex(0)

/// Every second, each group's next recorded demand to every live actuator (one request each):
/// whichever holds the group's lease decides on it; the others keep it for a takeover.
let client = HTTPClient(eventLoopGroupProvider: .singleton)
let pusher = Task {
    var tick = 0
    while !stopping.withLock({ $0 }) {
        let quiet = calm.withLock { $0 }
        let samples = names.enumerated().map { i, g -> [String: Any] in
            let trace = demand[i % demand.count]
            return ["group": g, "metric": "demand_units", "value": quiet ? 0.1 : trace[(i * 37 + tick) % trace.count]]
        }
        let body = try! JSONSerialization.data(withJSONObject: samples)
        for a in fleet.withLock({ $0 }) where a.alive {
            guard let port = a.port else { continue }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/metrics")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
            do {
                let response = try await client.execute(request, timeout: .seconds(5))
                if response.status != .accepted { pushFailures.withLock { $0 += 1 } }
                _ = try? await response.body.collect(upTo: 1 << 20)
            } catch {
                pushFailures.withLock { $0 += 1 }  // a process being killed
            }
        }
        tick += 1
        try? await Task.sleep(for: .seconds(1))
    }
}

func owners(at now: Int64) -> [String: String] {
    var out: [String: String] = [:]
    for lease in (try? observer.leases()) ?? [] where lease.expiresAt > now && !lease.group.hasPrefix(LeaseKeeper.memberPrefix) {
        out[lease.group] = lease.owner
    }
    return out
}
func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

for _ in 0..<options.actuators {
    let a = try await launch()
    fleet.withLock { $0.append(a) }
}
// Let the fleet divide the groups (each actuator at its fair share) and provision the pools.
let share = (options.groups + options.actuators - 1) / options.actuators
func divided() -> Bool {
    let o = owners(at: now())
    return o.count == options.groups && Dictionary(grouping: o.values, by: { $0 }).values.allSatisfy { $0.count <= share }
}
let settle = Date().addingTimeInterval(Double(options.lease) * 20)
while Date() < settle, !divided() {
    try await Task.sleep(for: .milliseconds(200))
}
try await Task.sleep(for: .seconds(Double(options.lease)))
say("\(owners(at: now()).count) of \(options.groups) groups held, divided: \(divided()), at \(String(format: "%.1f", elapsed())) s")

var takeovers: [Double] = []
var unfinished = 0
var cycleTimes: [Double] = []
for k in 0..<options.kills {
    // A random moment within the next two seconds, a random actuator.
    try await Task.sleep(for: .milliseconds(Int.random(in: 200...2_000, using: &random)))
    let victim = Int.random(in: 0..<options.actuators, using: &random)
    let dead = fleet.withLock { $0[victim] }
    let held = Set(owners(at: now()).filter { $0.value == dead.id }.keys)
    dead.kill()
    let killedAt = Date()
    cycleTimes += dead.cycleMilliseconds
    let replacement = try await launch()
    fleet.withLock { $0[victim] = replacement }
    // Taken over: every group the dead one held is held by a live actuator.
    let deadline = killedAt.addingTimeInterval(Double(options.lease) * 6)
    var taken: Double?
    while true {
        let o = owners(at: now())
        if held.allSatisfy({ o[$0] != nil && o[$0] != dead.id }) { taken = Date().timeIntervalSince(killedAt); break }
        if Date() >= deadline { break }
        try await Task.sleep(for: .milliseconds(100))
    }
    if let taken { takeovers.append(taken) } else { unfinished += 1 }
    say("kill \(k + 1): \(dead.id) (pid \(dead.pid)) held \(held.count), taken over in \(taken.map { String(format: "%.2f s", $0) } ?? "NEVER")")
}
// Quiesce: demand drops, the last takeover is adopted, activated VMs retire, pools refill.
calm.withLock { $0 = true }
try await Task.sleep(for: .seconds(Double(options.lease) * 4))

// Twice, two seconds apart: a step in flight at the first look (a domain being defined) is not a loss.
let first = try await audit(store: observer, hosts: connections)
try await Task.sleep(for: .seconds(2))
let second = try await audit(store: observer, hosts: connections)
stopping.withLock { $0 = true }
_ = await pusher.value
let survivors = fleet.withLock { $0 }
for a in survivors {
    a.kill()
    cycleTimes += a.cycleMilliseconds
}
try await client.shutdown()
let orphans = first.orphans.intersection(second.orphans).count
let lost = first.lost.intersection(second.lost).count
let times = cycleTimes.sorted()
func percentile(_ p: Double) -> Double { times.isEmpty ? -1 : times[min(times.count - 1, Int(Double(times.count) * p))] }
let result: [String: Any] = [
    "actuators": options.actuators, "hosts": options.hostURIs.count, "groups": options.groups, "kills": options.kills,
    "lease_s": options.lease, "takeover_s_max": takeovers.max() ?? -1, "takeovers_unfinished": unfinished,
    "double_activations": second.doubles, "orphans": orphans, "lost_records": lost,
    "cycle_ms_p50": percentile(0.5), "cycle_ms_p99": percentile(0.99), "cycles": times.count,
    "shadows": second.live.count, "active_at_end": second.live.filter { $0.state == .active }.count,
    "activations": try names.reduce(0) { $0 + (try observer.activations(group: $1, limit: 100_000).count) },
    "push_failures": pushFailures.withLock { $0 },
    "seconds": elapsed(), "mode": "psm-actuator processes (SIGKILL), libvirtd test-driver hosts over test+unix",
]
let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
if let path = options.json { try data.write(to: URL(fileURLWithPath: path)) }
print(String(decoding: data, as: UTF8.self))
let ok = second.doubles == 0 && orphans == 0 && lost == 0 && unfinished == 0 && (takeovers.max() ?? 0) <= 2 * Double(options.lease)
if ok { try? FileManager.default.removeItem(atPath: dir) } else { say("logs kept in \(dir)") }
exit(ok ? 0 : 1)
