@testable import Actuator
import Foundation
import MetricStore
@testable import Scaling
import Testing

/// `ReplayRunner`'s accounting on a trace small enough to compute by hand (docs/actuator.md, "Replay").
@Suite("Replay accounting")
struct ReplayAccountingTests {
    /// No shadow pool (maximum 0), 20 units running (2 VMs), unit 10, θ = 0.8, launch delay 120 s,
    /// hourly intervals, the live trigger one collection (10 s) in (`psm simulate`'s accounting).
    /// Hour 1: demand 45 is seen at 3610; it needs ⌈(45/0.8 − 20)/10⌉ = 4 more VMs, launched cold
    /// and serving from 3730, so 25 units go unserved for 130 s = 54.1666… unit·min; hour 2: 45
    /// is served by 60; hour 3: demand 10 at 10810 wants 2 VMs, the scale-in cooldown (300 s after
    /// the launch at 3610) has passed, so the 4 on-demand VMs are terminated.
    @Test("unserved demand, on-demand launches and miss cost follow the documented accounting")
    func handComputedTrace() async throws {
        var f = try RuntimeFixture(running: 20, unit: 10, maximum: 0)
        defer { f.cleanUp() }
        f.configuration.costWindow = 3600
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        let csv = (0..<4).map { h in "web,\(f.start + Int64(h) * 3600),\([10, 45, 45, 10][h])" }.joined(separator: "\n")
        let trace = try ReplayTrace.parse("series_id,timestamp,value\n" + csv, file: "t.csv")
        let summary = await ReplayRunner(trace: trace).run(runtime, clock: clock)

        #expect(summary.intervals == 4)
        #expect(summary.onDemandLaunches == 4)
        #expect(summary.violationIntervals == 1)
        #expect(abs(summary.unservedUnitMinutes - 25 * 130 / 60) < 1e-9)
        #expect(abs(summary.violationMinutes - 130 / 60) < 1e-9)
        // Miss cost: unserved unit-intervals (25 units × 130 s / 3600 s) × c_miss 10.
        #expect(abs(summary.missCost - 25 * 130 / 3600 * 10) < 1e-9)
        // Without `[actuator.costs] run` VMs are not priced; no pool, no shadow cost.
        #expect(summary.vmCost == 0 && summary.shadowCost == 0)
        #expect(abs(summary.cost - (summary.vmCost + summary.shadowCost + summary.missCost)) < 1e-12)
        #expect(summary.shadowsCreated == 0 && summary.activations == 0)
        // The cost loop's adjustments are notes, never problems.
        #expect(summary.problemExamples.allSatisfy { !$0.hasPrefix("cost loop") }, "\(summary.problemExamples)")
        #expect(summary.problemExamples.count == min(summary.problems, ReplaySummary.exampleLimit))
        // The JSON carries the contract keys (the latency percentiles only once something was
        // activated) and the problem examples.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        for key in ["shadows_created", "activations", "unserved_unit_minutes", "cost", "problem_examples", "cost_loop_changes",
                    "vm_cost", "shadow_cost", "violation_minutes"] {
            #expect(json?.keys.contains(key) == true, "missing \(key)")
        }
    }

    /// A pool held at exactly 2 shadows (minimum = maximum = 2) of 10 units on 20 running, demand
    /// 10 (never above the trigger's 16): 8 hourly intervals hold 2 × 10 × 8 = 160 unit-intervals,
    /// a reserve cost of 160 × c_reserve 0.5 = 80 — although the cost loop's window (1 hour) is
    /// reset seven times on the way.
    @Test("reserve cost totals the whole replay across cost-loop windows: shadow_unit_intervals × c_reserve")
    func reserveCostCoversEveryWindow() async throws {
        var f = try RuntimeFixture(running: 20, unit: 10, maximum: 2)
        defer { f.cleanUp() }
        try f.fixPool(at: 2)
        f.configuration.costWindow = 3600
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        let csv = (0..<8).map { h in "web,\(f.start + Int64(h) * 3600),10" }.joined(separator: "\n")
        let trace = try ReplayTrace.parse("series_id,timestamp,value\n" + csv, file: "t.csv")
        // Counted independently: the shadows the store holds in reserve after each interval's cycle.
        let store = runtime.store
        let counted = Counter()
        let summary = await ReplayRunner(trace: trace).run(runtime, clock: clock) { _, _ in
            counted.add(Double((try? store.shadows(states: [.planned, .defining, .ready]).count) ?? -1000) * 10)
        }
        #expect(summary.intervals == 8 && summary.shadowsCreated == 2 && summary.activations == 0, "\(summary.text)")
        #expect(summary.problems == 0, "\(summary.problemExamples)")
        #expect(counted.value == 160)
        #expect(summary.shadowUnitIntervals == 160)
        #expect(abs(summary.reserveCost - 80) < 1e-9)
        // The accounting's shadow cost (psm simulate's): the 2 shadows boot for 120 s at the VM
        // price (0 here: no `run`), then park at c_reserve × unit = 5 an hour for the rest of the
        // 8 hours — less than the ledger's 80, which charges the boot as parked.
        #expect(abs(summary.shadowCost - 5 * 2 * (8 * 3600 - 120) / 3600) < 1e-9)
        #expect(summary.missCost == 0 && summary.vmCost == 0)
        #expect(abs(summary.cost - (summary.vmCost + summary.shadowCost + summary.missCost)) < 1e-12)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        #expect(json?["shadow_unit_intervals"] as? Double == 160)
        #expect(json?["reserve_cost"] as? Double == 80)
        // The cost loop's window was reset at the last cycle: what the summary used to report.
        #expect(await runtime.costReport().isEmpty)
    }
}

/// A running sum shared with a progress callback.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0.0
    func add(_ v: Double) { lock.withLock { total += v } }
    var value: Double { lock.withLock { total } }
}
