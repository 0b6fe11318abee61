@testable import Actuator
import Foundation
@testable import Scaling
import Simulation
import Testing
import TimeSeries

/// `psm-actuator --replay` and `psm simulate` on the same trace, policy and parameters give the
/// same unserved demand and cost (issue 17, item 3; docs/actuator.md, "Replay").
@Suite("Replay agrees with psm simulate")
struct ReplaySimulationAgreementTests {
    /// The world both are given: hourly intervals, one VM = 10 units, θ = 0.8, a 2-VM group
    /// (20 units), a pool held at exactly 2 shadows (minimum = maximum), live trigger only (no
    /// forecast level), launch delay 120 s, activation delay 0.043 s, the live trigger one
    /// collection (10 s) into each interval; prices c_run = 1, c_reserve = 0.5, c_miss = 10 per
    /// unit-interval (a VM: 10 per hour, a parked shadow: 5 per hour).
    static let demand: [Double] = [16, 16, 30, 30, 50, 50]

    /// Worked by hand (t in seconds from the first interval):
    /// - t = 0: the pool's 2 shadows are created; they boot until 120 (at the VM price), then park.
    /// - i2 (7200): demand 30 > 0.8 × 20; at 7210 the live trigger wants ⌈(30/0.8 − 20)/10⌉ = 2:
    ///   both shadows activated, serving from 7210.043: 10 units unserved for 10.043 s.
    /// - i3 (10800): the pool is refilled (2 boot until 10920); 30 ≤ 0.8 × 40, nothing else.
    /// - i4 (14400): demand 50; at 14410 ⌈(50/0.8 − 40)/10⌉ = 3 wanted: 2 activated (serving from
    ///   14410.043) and 1 launched cold (from 14530): 10 units unserved for 10.043 s.
    /// - i5 (18000): the pool is refilled (boot until 18120); 50 ≤ 0.8 × 70. The end is 21600.
    /// Unserved: 2 × 10 × 10.043 = 200.86 unit·s = 3.347666… unit·min, costing 10 × 200.86 / 3600.
    /// VM·s: 2 × 21600 + 2 × (21600 − 7210) + 3 × (21600 − 14410) = 93,550 → 10 × 93550 / 3600.
    /// Shadows: boots 3 × 2 × 120 = 720 s at the VM price; parked 2 × (7090 + 3490 + 3480) =
    /// 28,120 s at 5 → (10 × 720 + 5 × 28120) / 3600.
    static let unservedUnitMinutes = 200.86 / 60
    static let vmCost = 10 * 93_550 / 3600.0
    static let shadowCost = (10 * 720 + 5 * 28_120) / 3600.0
    static let missCost = 10 * 200.86 / 3600

    @Test("a hand-computed trace: the replay and the simulator give the same unserved demand and cost, exactly")
    func handComputedTrace() async throws {
        // The replay: the real runtime on libvirt's test driver.
        var f = try RuntimeFixture(running: 20, unit: 10, maximum: 2)
        defer { f.cleanUp() }
        try f.fixPool(at: 2)
        f.configuration.runCost = 1
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        let csv = Self.demand.enumerated().map { h, d in "web,\(f.start + Int64(h) * 3600),\(d)" }.joined(separator: "\n")
        let trace = try ReplayTrace.parse("series_id,timestamp,value\n" + csv, file: "t.csv")
        let replay = await ReplayRunner(trace: trace).run(runtime, clock: clock)
        #expect(replay.problems == 0, "\(replay.problemExamples)")
        #expect(replay.activations == 4 && replay.onDemandLaunches == 1 && replay.shadowsCreated == 6, "\(replay.text)")

        // The simulator: a day of history at 16 (2 VMs at θ = 0.8), then the same six hours.
        var p = SimulationParameters()
        p.unitsPerVM = 10
        p.targetUtilisation = 0.8
        p.launchDelay = 120
        p.activationDelay = 0.043
        p.triggerDetection = 10
        p.triggerLevel = nil
        p.minimumShadows = 2
        p.maximumShadows = 2
        p.vmCost = 10
        p.shadowCost = 5
        p.missCost = 10
        p.model = "seasonal-naive"
        p.trainingWindow = 86_400
        let history = Array(repeating: 16.0, count: 24)
        let series = Series(id: "web", grid: TimeGrid(axis: .time, start: f.start - 86_400, step: 3600, count: 30),
                            values: history + Self.demand)
        let result = try Simulator(parameters: p, policies: [.shadow]).run(try GroupTrace(series: series))
        let sim = try #require(result.outcomes.first)

        // Both against the hand-computed figures, then against each other.
        #expect(abs(replay.unservedUnitMinutes - Self.unservedUnitMinutes) < 1e-9, "\(replay.text)")
        #expect(abs(sim.unservedUnitSeconds / 60 - Self.unservedUnitMinutes) < 1e-9)
        #expect(abs(replay.vmCost - Self.vmCost) < 1e-9 && abs(sim.vmCost - Self.vmCost) < 1e-9, "\(replay.vmCost) \(sim.vmCost)")
        #expect(abs(replay.shadowCost - Self.shadowCost) < 1e-9 && abs(sim.shadowCost - Self.shadowCost) < 1e-9,
                "\(replay.shadowCost) \(sim.shadowCost)")
        #expect(abs(replay.missCost - Self.missCost) < 1e-9 && abs(sim.unservedCost - Self.missCost) < 1e-9)
        #expect(replay.unservedUnitMinutes == sim.unservedUnitSeconds / 60)
        #expect(replay.cost == sim.vmCost + sim.shadowCost + sim.unservedCost)
        #expect(replay.activations == sim.activations && replay.onDemandLaunches == sim.launches)
        #expect(abs(replay.violationMinutes - sim.violationSeconds / 60) < 1e-12)
    }
}
