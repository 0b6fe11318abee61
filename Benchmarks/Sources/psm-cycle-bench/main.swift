// psm-cycle-bench: issue 6's speed targets (docs/benchmarks.md, "Actuator decision cycle").
//
//   swift build -c release --product psm-cycle-bench
//   OPENBLAS_NUM_THREADS=1 taskset -c 0 .build/release/psm-cycle-bench [options]
//
// 1. The decision part of one cycle for N groups (default 10,000), per phase: scoring, trigger
//    evaluation, sizing, planning; the registry check on its own. Median of the measured cycles.
// 2. `DecisionLog.record` of every cycle's decisions into a file store, against the Foundation
//    `JSONEncoder` path it used before (same rows, same transaction).
// 3. psm's own time in `Activator.activate` on libvirt's test driver (total − hypervisor calls).
// 5. The decision cycle's start delay with and without collections running (`--only jitter`).
// 4. One collection of N domains on one host (`--only collect`, `--domains N`): the bulk-stats
//    call, rates, group sums and the store write (CollectBench).
// 6. The whole `ActuatorRuntime.cycle()` (`--only whole`, `--store sqlite|postgres://…`,
//    `--hosts H`, `--actuators A`): everything a cycle does, per actuator (WholeCycleBench).
import Actuator
import Hypervisor
import Foundation
import MetricStore
import ModelRegistry
import Scaling
import TimeSeries

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("psm-cycle-bench: \(message)\n".utf8))
    exit(1)
}

func note(_ message: String) { FileHandle.standardError.write(Data("psm-cycle-bench: \(message)\n".utf8)) }

struct Options {
    var groups = 10_000
    var prototypes = 8
    var arimaPercent = 50
    var trainDays = 4
    var history = 4096
    var warmup = 2
    var cycles = 7
    var activations = 100
    var otherShadows = 0
    var work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("psm-cycle-bench")
    var json: String?
    /// Writes every measured cycle's forecasts (bit patterns), triggers, decisions and plan here,
    /// to compare two builds (run both with SWIFT_DETERMINISTIC_HASHING=1).
    var dump: String?
    var parts: Set<String> = ["decision", "log", "activation"]
    var domains = 1_000
    var store = "sqlite"
    var hosts = 50
    var actuators = 1
}

var options = Options()
var arguments = CommandLine.arguments.dropFirst()
@MainActor func intValue(_ name: String, atLeast minimum: Int) -> Int {
    guard let v = arguments.popFirst().flatMap({ Int($0) }), v >= minimum else { fail("\(name) needs an integer ≥ \(minimum)") }
    return v
}
while let argument = arguments.popFirst() {
    switch argument {
    case "--groups": options.groups = intValue(argument, atLeast: 1)
    case "--prototypes": options.prototypes = intValue(argument, atLeast: 1)
    case "--arima-percent": options.arimaPercent = min(intValue(argument, atLeast: 0), 100)
    case "--train-days": options.trainDays = intValue(argument, atLeast: 2)
    case "--history": options.history = intValue(argument, atLeast: 0)
    case "--warmup": options.warmup = intValue(argument, atLeast: 0)
    case "--cycles": options.cycles = intValue(argument, atLeast: 1)
    case "--activations": options.activations = intValue(argument, atLeast: 1)
    case "--other-shadows": options.otherShadows = intValue(argument, atLeast: 0)
    case "--domains": options.domains = intValue(argument, atLeast: 1)
    case "--hosts": options.hosts = intValue(argument, atLeast: 1)
    case "--actuators": options.actuators = intValue(argument, atLeast: 1)
    case "--store":
        guard let v = arguments.popFirst(), v == "sqlite" || v.hasPrefix("postgres") else { fail("--store takes sqlite or a postgres:// URL") }
        options.store = v
    case "--work":
        guard let v = arguments.popFirst() else { fail("--work needs a directory") }
        options.work = URL(fileURLWithPath: v)
    case "--dump":
        guard let v = arguments.popFirst() else { fail("--dump needs a path") }
        options.dump = v
    case "--json":
        guard let v = arguments.popFirst() else { fail("--json needs a path") }
        options.json = v
    case "--only":
        guard let v = arguments.popFirst() else { fail("--only needs decision, log, activation, collect, jitter and/or whole") }
        options.parts = Set(v.split(separator: ",").map(String.init))
        if !options.parts.isSubset(of: ["decision", "log", "activation", "collect", "jitter", "whole"]) { fail("--only takes decision, log, activation, collect, jitter, whole") }
    case "-h", "--help":
        print("""
        usage: psm-cycle-bench [--groups N] [--prototypes P] [--arima-percent X] [--train-days D] [--history H]
                               [--warmup W] [--cycles C] [--activations A] [--other-shadows S] [--work DIR]
                               [--only decision,log,activation,collect,jitter,whole] [--domains N] [--json OUT] [--dump FILE]
                               [--store sqlite|postgres://…] [--hosts H] [--actuators A]   (whole)
        Run pinned to one core: OPENBLAS_NUM_THREADS=1 taskset -c 0 psm-cycle-bench
        """)
        exit(0)
    default: fail("unknown argument \(argument) (--help lists the options)")
    }
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    guard !s.isEmpty else { return .nan }
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
func ms(_ seconds: Double) -> String { String(format: "%.1f", seconds * 1000) }
func us(_ seconds: Double) -> String { String(format: "%.0f", seconds * 1e6) }

var results: [String: Double] = [:]
@MainActor func record(_ key: String, _ value: Double) { results[key] = value }

/// The CPUs this process may run on (`taskset -c 0` makes it "0").
let cpuList = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
    .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) } ?? "?"
print("machine: \(ProcessInfo.processInfo.processorCount) CPUs, this process on CPUs \(cpuList); OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "unset")")
if cpuList != "0" { note("not pinned to one core: run under taskset -c 0 for the issue's one-core figure") }

try FileManager.default.createDirectory(at: options.work, withIntermediateDirectories: true)
let fixtureDirectory = options.work.appendingPathComponent("fixture-\(options.groups)-\(options.prototypes)-\(options.arimaPercent)-\(options.trainDays)")
let fixture = BenchFixture(groups: options.groups, prototypes: options.prototypes, arimaPercent: options.arimaPercent,
                           trainSteps: options.trainDays * BenchFixture.season,
                           registry: fixtureDirectory.appendingPathComponent("Models"))

if options.parts.contains("decision") || options.parts.contains("log") {
    let published = try fixture.prepareRegistry(log: note)
    if published > 0 { note("published \(options.groups) models in \(String(format: "%.0f", published)) s") }
    let configuration = try fixture.configuration(store: fixtureDirectory.appendingPathComponent("unused.sqlite").path)
    let clock = ManualWallClock(BenchFixture.origin + Int64(fixture.trainSteps) * BenchFixture.step)
    let catalog = ModelCatalog(registry: ModelRegistry(root: fixture.registry), groups: configuration.groups.map(\.name),
                               historyLength: max(options.history, 1))
    var t0 = Date()
    let outcomes = catalog.refresh()
    let failed = outcomes.values.filter { if case .failed = $0 { return true } else { return false } }.count
    guard failed == 0 else { fail("\(failed) models failed to load: \(outcomes.values.first { if case .failed = $0 { return true } else { return false } }!)") }
    note("loaded \(outcomes.count) models in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
    // Live history as a long-running actuator holds it: `history` points per series already recorded.
    t0 = Date()
    var step = fixture.trainSteps
    if options.history > 0 {
        for (g, group) in configuration.groups.enumerated() {
            let values = (0..<options.history).map { fixture.demand(group: g, step: step + $0) }
            try catalog.record(group: group.name, seriesID: group.name, observations: values,
                               startingAt: BenchFixture.origin + Int64(step) * BenchFixture.step, step: BenchFixture.step)
        }
        step += options.history
        clock.advance(by: Int64(options.history) * BenchFixture.step)
        note("primed \(options.history) points of history per group in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
    }
    var bench = try DecisionBench(fixture: fixture, configuration: configuration, catalog: catalog, clock: clock, startStep: step)
    let logStore = try MetricStore(path: fixtureDirectory.appendingPathComponent("decisions-\(UUID().uuidString.prefix(8)).sqlite").path)
    defer { try? FileManager.default.removeItem(atPath: logStore.path ?? "") }
    let log = DecisionLog(store: logStore)
    // The same rows into a store without an fsync per commit, and the insert alone (rows encoded
    // beforehand), to split the log's cost into encoding, SQLite and the commit's fsync.
    let normalStore = try MetricStore(path: fixtureDirectory.appendingPathComponent("decisions-normal-\(UUID().uuidString.prefix(8)).sqlite").path,
                                      durability: .process)
    defer { try? FileManager.default.removeItem(atPath: normalStore.path ?? "") }
    let normalLog = DecisionLog(store: normalStore)
    var phases: [DecisionBench.Phases] = []
    var logNew: [DecisionBench.Lap] = [], logOld: [DecisionBench.Lap] = [], logNormal: [DecisionBench.Lap] = []
    var insertOnly: [DecisionBench.Lap] = []
    for c in 0..<(options.warmup + options.cycles) {
        let p = bench.cycle()
        if !bench.problems.isEmpty { fail("cycle \(c): \(bench.problems.count) problems, first: \(bench.problems[0])") }
        let measured = c >= options.warmup
        if measured { phases.append(p) }
        if options.parts.contains("log") {
            let decisions = bench.lastDecisions
            // Alternate which goes first, so neither always meets a freshly checkpointed file.
            let order = c % 2 == 0 ? [true, false] : [false, true]
            for new in order {
                let d = try DecisionBench.lap(process: true) {
                    if new { try log.record(decisions) } else { try ReferenceDecisionLog.record(decisions, store: logStore) }
                }
                if measured { if new { logNew.append(d) } else { logOld.append(d) } }
            }
            let normal = try DecisionBench.lap(process: true) { try normalLog.record(decisions) }
            let rows = try ReferenceDecisionLog.rows(decisions)
            let insert = try DecisionBench.lap(process: true) { try logStore.insert(decisions: rows) }
            if measured { logNormal.append(normal); insertOnly.append(insert) }
        }
        if measured, let path = options.dump { try dumpCycle(bench, to: path, first: c == options.warmup) }
        let pools = bench.lastDecisions.reduce(0) { $0 + $1.final }
        let activating = bench.lastTriggers.reduce(0) { $0 + $1.activate }
        let changes = bench.lastPlan?.changes.count ?? 0
        note("cycle \(c)\(measured ? "" : " (warm-up)"): decision \(ms(p.decision.wall)) ms wall, \(ms(p.decision.cpu)) ms CPU (scoring \(ms(p.scoring.cpu)), triggers \(ms(p.triggers.cpu)), sizing \(ms(p.sizing.cpu)), planning \(ms(p.planning.cpu)) CPU); refresh \(ms(p.refresh.cpu)) ms CPU; pools \(pools), activations asked \(activating), plan changes \(changes)")
    }
    if options.parts.contains("decision") {
        // The store reads around the decision (ActuatorRuntime.cycle lists the shadows and host
        // availability, the reconciler lists the shadows again): the pools reached, in a store.
        let inventoryStore = try MetricStore(path: fixtureDirectory.appendingPathComponent("inventory-\(UUID().uuidString.prefix(8)).sqlite").path,
                                             durability: .process)
        defer { try? FileManager.default.removeItem(atPath: inventoryStore.path ?? "") }
        let hosts = (0..<50).map { HostConfig(name: "h\($0)", uri: "test:///default", capacity: CapacityAmount(vcpus: 1 << 30, memoryMiB: 1 << 40, units: 1 << 30)) }
        try Inventory(store: inventoryStore, clock: clock).register(hosts)
        for shadow in bench.shadows {
            var s = shadow
            s.state = .planned
            _ = try inventoryStore.reserve(shadow: s, on: s.host, at: s.createdAt)
            _ = try inventoryStore.transition(shadow: s.id, from: .planned, to: .defining, at: s.createdAt)
            _ = try inventoryStore.transition(shadow: s.id, from: .defining, to: .ready, at: s.createdAt)
        }
        var listing: [Double] = [], availability: [Double] = [], pointers: [Double] = []
        let registry = ModelRegistry(root: fixture.registry)
        for _ in 0..<3 {
            pointers.append(DecisionBench.seconds(try ContinuousClock().measure {
                for group in configuration.groups { _ = try registry.current(group: group.name) }
            }))
        }
        let clockRef = ContinuousClock()
        for _ in 0..<5 {
            listing.append(DecisionBench.seconds(try clockRef.measure {
                _ = try inventoryStore.shadows(states: [.planned, .defining, .ready, .activating, .active])
            }))
            availability.append(DecisionBench.seconds(try clockRef.measure { _ = try inventoryStore.hostAvailability() }))
        }
        func row(_ name: String, _ laps: [DecisionBench.Lap]) -> (wall: Double, cpu: Double) {
            let wall = median(laps.map(\.wall)), cpu = median(laps.map(\.cpu))
            print("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(ms(wall).leftPad(7)) ms wall  \(ms(cpu).leftPad(7)) ms CPU")
            return (wall, cpu)
        }
        print("decision cycle, \(options.groups) groups (\(options.arimaPercent) % ARIMA, the rest seasonal naive m=288), median of \(phases.count) cycles after \(options.warmup) warm-up:")
        let decision = row("decision part", phases.map(\.decision))
        print("    per cycle (CPU ms): \(phases.map { ms($0.decision.cpu) }.joined(separator: " "))")
        let scoring = row("  scoring", phases.map(\.scoring))
        let triggers = row("  triggers", phases.map(\.triggers))
        let sizing = row("  sizing", phases.map(\.sizing))
        let planning = row("  planning", phases.map(\.planning))
        let refresh = row("registry check", phases.map(\.refresh))
        print("    (ModelCatalog.refresh: the change marker; every 12th refresh reads every CURRENT)")
        for (key, value) in [("decision", decision), ("scoring", scoring), ("triggers", triggers), ("sizing", sizing),
                             ("planning", planning), ("refresh", refresh)] {
            record(key + "_ms", value.wall * 1000)
            record(key + "_cpu_ms", value.cpu * 1000)
        }
        print("  full registry check (every group's CURRENT read) \(ms(median(pointers))) ms")
        record("full_registry_check_ms", median(pointers) * 1000)
        print("  store reads: \(bench.shadows.count) shadows listed in \(ms(median(listing))) ms, host availability (50 hosts) in \(ms(median(availability))) ms")
        record("shadow_listing_ms", median(listing) * 1000); record("host_availability_ms", median(availability) * 1000)
    }
    if options.parts.contains("log") {
        print("decision log, \(options.groups) decisions per cycle, median of \(logNew.count) (process CPU includes GRDB's threads):")
        for (name, key, laps) in [("DecisionLog.record, FULL store", "decision_log", logNew),
                                  ("JSONEncoder path (before), FULL", "decision_log_reference", logOld),
                                  ("DecisionLog.record, NORMAL store", "decision_log_normal", logNormal),
                                  ("insert alone (rows encoded), FULL", "decision_insert_only", insertOnly)] {
            let wall = median(laps.map(\.wall)), cpu = median(laps.map(\.cpu))
            print("  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(ms(wall).leftPad(7)) ms wall  \(ms(cpu).leftPad(7)) ms CPU  (\(us(wall / Double(options.groups))) µs per decision)")
            record(key + "_ms", wall * 1000)
            record(key + "_cpu_ms", cpu * 1000)
        }
    }
}

if options.parts.contains("whole") {
    let published = try fixture.prepareRegistry(log: note)
    if published > 0 { note("published \(options.groups) models in \(String(format: "%.0f", published)) s") }
    let r = try await WholeCycleBench.run(fixture: fixture, store: options.store, hosts: options.hosts, actuators: options.actuators,
                                          warmup: options.warmup, cycles: options.cycles, directory: options.work, log: note)
    let kind = options.store == "sqlite" ? "sqlite" : "postgres"
    print("whole cycle (ActuatorRuntime.cycle), \(options.groups) groups on \(kind), \(options.hosts) hosts, \(options.actuators) actuator(s), median of \(options.cycles) after \(options.warmup) warm-up; \(r.shadows) ready shadows:")
    for (i, laps) in r.cycles.enumerated() {
        let wall = median(laps.map(\.wall)), cpu = median(laps.map(\.cpu)), mean = laps.map(\.cpu).reduce(0, +) / Double(max(laps.count, 1))
        print("  actuator \(i) (\(r.groupsHeld[i]) groups): \(ms(wall)) ms wall, \(ms(cpu)) ms CPU (mean \(ms(mean)), per cycle: \(laps.map { ms($0.cpu) }.joined(separator: " ")))")
        record("whole_\(kind)_a\(i)_ms", wall * 1000)
        record("whole_\(kind)_a\(i)_cpu_ms", cpu * 1000)
        record("whole_\(kind)_a\(i)_cpu_mean_ms", mean * 1000)
        // Each step's median CPU time over the measured cycles, in the order the cycle runs them.
        let steps = CyclePhase.names.map { name in (name, median(r.phases[i].map { $0[name] ?? 0 })) }
        print("    steps (median CPU ms): " + steps.map { "\($0.0) \(ms($0.1))" }.joined(separator: ", ")
              + "; activations per cycle: \(r.activations[i].map(String.init).joined(separator: " "))")
        for (name, seconds) in steps { record("whole_\(kind)_a\(i)_\(name)_cpu_ms", seconds * 1000) }
    }
    if !r.problems.isEmpty { note("problems in measured cycles: \(r.problems.prefix(5))") }
}

if options.parts.contains("activation") {
    for durability in [MetricStore.Durability.powerLoss, .process] {
        let r = try await ActivationBench.run(directory: options.work, count: options.activations, durability: durability,
                                              otherShadows: options.otherShadows, log: note)
        print("activation on test:///default, store synchronous=\(durability == .powerLoss ? "FULL" : "NORMAL"), \(r.otherShadows) other shadows in the store, median of \(r.byShadow.count):")
        for (name, samples) in [("by shadow id", r.byShadow), ("by group", r.byGroup)] {
            let total = median(samples.map(\.total)), hv = median(samples.map(\.hypervisor)), over = median(samples.map(\.overhead))
            print("  \(name): total \(ms(total)) ms, libvirt calls \(ms(hv)) ms (\(samples.first?.calls ?? 0) calls), psm overhead \(String(format: "%.3f", over * 1000)) ms (p90 \(String(format: "%.3f", samples.map(\.overhead).sorted()[samples.count * 9 / 10] * 1000)) ms)")
            let key = "activation_\(durability.rawValue)_\(name == "by group" ? "group" : "id")"
            record(key + "_total_ms", total * 1000); record(key + "_libvirt_ms", hv * 1000); record(key + "_overhead_ms", over * 1000)
        }
    }
}

if options.parts.contains("jitter") {
    let r = try await JitterBench.run(directory: options.work, domains: options.domains, groups: 10, cycles: options.cycles)
    func p(_ xs: [Double], _ q: Double) -> Double { let s = xs.sorted(); return s.isEmpty ? .nan : s[min(s.count - 1, Int(Double(s.count) * q))] }
    print("decision cycle start delay (1,000-domain test-driver host, 10 groups, cycles every 250 ms after the previous one):")
    print("  collector off: median \(ms(median(r.quiet))) ms, p90 \(ms(p(r.quiet, 0.9))) ms, max \(ms(r.quiet.max() ?? .nan)) ms (\(r.quiet.count) cycles)")
    print("  collector on:  median \(ms(median(r.collecting))) ms, p90 \(ms(p(r.collecting, 0.9))) ms, max \(ms(r.collecting.max() ?? .nan)) ms (\(r.collecting.count) cycles; \(r.collections) collections every 1 s, each writing its samples, median \(ms(median(r.collectionSeconds))) ms)")
    record("jitter_quiet_median_ms", median(r.quiet) * 1000); record("jitter_quiet_max_ms", (r.quiet.max() ?? .nan) * 1000)
    record("jitter_collecting_median_ms", median(r.collecting) * 1000); record("jitter_collecting_max_ms", (r.collecting.max() ?? .nan) * 1000)
    record("jitter_collecting_p90_ms", p(r.collecting, 0.9) * 1000); record("jitter_quiet_p90_ms", p(r.quiet, 0.9) * 1000)
}
if options.parts.contains("collect") {
    let r = try await CollectBench.run(directory: options.work, domains: options.domains, groups: 10, collections: options.cycles)
    let stats = median(r.stats), plain = median(r.plain), writing = median(r.writing)
    print("collection of \(options.domains) domains on one host (test driver; counters synthetic), 10 groups, 60 s model interval:")
    print("  bulk stats call alone \(ms(stats)) ms (median of \(r.stats.count))")
    print("  collection without a store write \(ms(plain)) ms (median of \(r.plain.count): stats, rates, group sums)")
    print("  collection closing an interval \(ms(writing)) ms (median of \(r.writing.count): the same + \(r.written) samples written)")
    record("collect_stats_ms", stats * 1000); record("collect_plain_ms", plain * 1000); record("collect_writing_ms", writing * 1000)
    record("collect_samples_written", Double(r.written))
}

if let path = options.json {
    let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path))
}

/// Appends one cycle's results to `path`: every forecast value as its bit pattern, then the
/// triggers, decisions and plan as sorted-key JSON (Foundation's encoder, independent of psm's).
func dumpCycle(_ bench: DecisionBench, to path: String, first: Bool) throws {
    var bytes = Data()
    for f in bench.lastForecasts {
        guard let f else { bytes.append(contentsOf: Array("none\n".utf8)); continue }
        var line = "\(f.grid.start) \(f.grid.step) \(f.grid.count)"
        for v in f.mean + f.quantiles.joined() { line += " " + String(v.bitPattern, radix: 16) }
        bytes.append(contentsOf: Array((line + "\n").utf8))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
    for t in bench.lastTriggers { bytes.append(try encoder.encode(t)); bytes.append(10) }
    for d in bench.lastDecisions { bytes.append(try encoder.encode(d)); bytes.append(10) }
    for change in bench.lastPlan?.changes ?? [] { bytes.append(contentsOf: Array("\(change)\n".utf8)) }
    if first { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { fail("cannot write \(path)") }
    handle.seekToEndOfFile()
    handle.write(bytes)
    handle.closeFile()
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
