@testable import Actuator
import Foundation
import Testing

/// `ReplayRunner`'s accounting on a trace small enough to compute by hand (docs/actuator.md, "Replay").
@Suite("Replay accounting")
struct ReplayAccountingTests {
    /// No shadow pool (maximum 0), 20 units running, unit 10, launch delay 120 s, hourly intervals.
    /// Hour 1: demand 45 → excess 25 → 3 on-demand VMs (30 units) arriving after 120 s, so
    /// 25 units go unserved for 120 s = 50 unit·min; hour 2: 45 is served by 20 + 30; hour 3:
    /// demand 10 fits 0.8 × 20 without them, so they are released.
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
        #expect(summary.onDemandLaunches == 3)
        #expect(summary.violationIntervals == 1)
        #expect(abs(summary.unservedUnitMinutes - 50) < 1e-9)
        // Miss cost: unserved unit-intervals (25 units × 120 s / 3600 s) × c_miss 10.
        #expect(abs(summary.missCost - 25 * 120 / 3600 * 10) < 1e-9)
        #expect(abs(summary.cost - (summary.reserveCost + summary.missCost)) < 1e-12)
        #expect(summary.shadowsCreated == 0 && summary.activations == 0)
        // The cost loop's adjustments are notes, never problems.
        #expect(summary.problemExamples.allSatisfy { !$0.hasPrefix("cost loop") }, "\(summary.problemExamples)")
        #expect(summary.problemExamples.count == min(summary.problems, ReplaySummary.exampleLimit))
        // The JSON carries the contract keys (the latency percentiles only once something was
        // activated) and the problem examples.
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as? [String: Any]
        for key in ["shadows_created", "activations", "unserved_unit_minutes", "cost", "problem_examples", "cost_loop_changes"] {
            #expect(json?.keys.contains(key) == true, "missing \(key)")
        }
    }
}
