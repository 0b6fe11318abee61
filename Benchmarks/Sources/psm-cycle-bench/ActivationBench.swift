import Actuator
import Foundation
import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import MetricStore
import Scaling

/// psm's own time in `Activator.activate` on libvirt's test driver: each activation's wall time
/// minus the time spent inside the hypervisor calls it made (an `InterceptingHypervisor` logging to a `CallLog` around the
/// driver). The shadows are provisioned by the `Reconciler` first (not timed), as in service.
enum ActivationBench {
    struct Sample {
        var total: Double
        var hypervisor: Double
        var calls: Int
        var overhead: Double { total - hypervisor }
    }

    struct Result {
        var durability: MetricStore.Durability
        var byShadow: [Sample]
        var byGroup: [Sample]
        var otherShadows: Int
    }

    /// `count` activations by shadow id and `count` by group, on a store at `durability`, with
    /// `otherShadows` ready shadows of other groups in the store (records only, no domains).
    static func run(directory: URL, count: Int, durability: MetricStore.Durability, otherShadows: Int,
                    log: (String) -> Void) async throws -> Result {
        let dir = directory.appendingPathComponent("activation-\(durability.rawValue)-\(otherShadows)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let node = dir.appendingPathComponent("node.xml").path
        try "<node/>".write(toFile: node, atomically: true, encoding: .utf8)
        let calls = CallLog()
        let timing = InterceptingHypervisor(try LibvirtHypervisor(uri: "test://" + node), after: { calls.record($0) })
        let clock = ManualWallClock(1_700_000_000)
        let path = dir.appendingPathComponent("store.sqlite").path
        let host = HostConfig(name: "h1", uri: "test://" + node, capacity: CapacityAmount(vcpus: 1 << 40, memoryMiB: 1 << 50, units: 1 << 40))
        let template = ShadowTemplate(full: ResourceSize(vcpus: 4, memoryKiB: 4_194_304), units: 4)
        if otherShadows > 0 {
            // Records of other groups' ready shadows, written fast (no fsync per commit) and then
            // reopened at the durability measured.
            let bulk = try MetricStore(path: path, durability: .process)
            try Inventory(store: bulk, clock: clock).register([host])
            let now = clock.now()
            for i in 0..<otherShadows {
                let b = CapacityAmount(template.baseline, units: 0), f = CapacityAmount(template.full, units: template.units)
                let record = ShadowRecord(id: "other\(i)", group: "g\(i % 10_000)", host: "h1", domainName: "psm-other-\(i)",
                                          state: .planned, baselineVCPUs: b.vcpus, baselineMemoryMiB: b.memoryMiB,
                                          fullVCPUs: f.vcpus, fullMemoryMiB: f.memoryMiB, reservedUnits: template.units,
                                          createdAt: now, updatedAt: now)
                _ = try bulk.reserve(shadow: record, on: "h1", at: now)
                _ = try bulk.transition(shadow: record.id, from: .planned, to: .defining, at: now)
                _ = try bulk.transition(shadow: record.id, from: .defining, to: .ready, at: now)
            }
        }
        let store = try MetricStore(path: path, durability: durability)
        let inventory = Inventory(store: store, clock: clock)
        try inventory.register([host])
        // Pools of 10 (the default bound): activations by id empty the first half of the groups,
        // activations by group the second half, so each group's listing holds at most 10 shadows.
        let pool = 10
        let groups = (2 * count + pool - 1) / pool
        let names = (0..<groups).map { "bench\($0)" }
        let reconciler = Reconciler(store: store, inventory: inventory, hypervisors: ["h1": timing],
                                    templates: Dictionary(uniqueKeysWithValues: names.map { ($0, template) }),
                                    clock: clock, maximumActions: groups * pool + 10)
        let report = await reconciler.reconcile(desired: Dictionary(uniqueKeysWithValues: names.map { ($0, pool) }))
        guard report.parked.count == groups * pool else {
            throw BenchError("provisioning \(groups * pool) shadows parked \(report.parked.count): \(report.problems.prefix(3))")
        }
        let activator = Activator(store: store, hypervisors: ["h1": timing], monitoring: MonitoredDomains(), clock: clock)
        let byIDGroups = Set(names.prefix(groups / 2))
        let ids = try store.shadows(states: [.ready]).filter { byIDGroups.contains($0.group) }.map(\.id)
        let byGroupNames = Array(names.dropFirst(groups / 2))
        var byShadow: [Sample] = [], byGroup: [Sample] = []
        for i in 0..<(2 * count) {
            clock.advance(by: 1)
            _ = calls.drain()
            let started = ContinuousClock.now
            let record: ActivationRecord
            if i % 2 == 0 {
                record = try await activator.activate(shadowID: ids[i / 2], activationID: "a\(i)")
            } else {
                record = try await activator.activate(group: byGroupNames[(i / 2) % byGroupNames.count], activationID: "a\(i)")
            }
            let d = ContinuousClock.now - started
            guard record.outcome == .succeeded else { throw BenchError("activation \(i) ended \(String(describing: record.outcome))") }
            let spent = calls.total
            let sample = Sample(total: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                                hypervisor: spent.seconds, calls: spent.calls)
            if i % 2 == 0 { byShadow.append(sample) } else { byGroup.append(sample) }
        }
        log("activations (\(durability.rawValue), \(otherShadows) other shadows): \(byShadow.count) by id, \(byGroup.count) by group")
        return Result(durability: durability, byShadow: byShadow, byGroup: byGroup, otherShadows: otherShadows)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
