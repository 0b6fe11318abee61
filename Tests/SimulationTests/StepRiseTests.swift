import Foundation
import Testing
import TimeSeries
import Scaling
@testable import Simulation

/// Each policy on a step rise whose answer is computed by hand.
///
/// The trace: 5-minute intervals, demand 2 units for intervals 0…9, then 6 units for 10…19; one
/// VM = 1 unit, θ = 1 (a VM runs full), training window 2 intervals, so the simulation covers
/// intervals 2…19 (t = 0 … 5400 s) and the rise is at interval 10, t = (10 − 2) × 300 = 2400 s.
/// Launch 8 s, activation 0.043 s, detection 60 s (the shadow policy's live trigger too, unless a
/// test sets `triggerDetection`). Every policy starts with ⌈2 / 1⌉ = 2 VMs.
/// Times are sums of a few exactly representable numbers, so the tolerance is 1e-9 relative.
@Suite struct StepRiseTests {
    static let interval = 300.0
    static let riseAt = 2400.0
    static let end = 18 * 300.0

    static func trace(_ demand: [Double]) throws -> GroupTrace {
        try GroupTrace(series: Series(id: "g", grid: TimeGrid(axis: .time, start: 1_800_000_000, step: 300, count: demand.count),
                                      values: demand))
    }

    static let step: [Double] = Array(repeating: 2, count: 10) + Array(repeating: 6, count: 10)

    static func parameters() -> SimulationParameters {
        var p = SimulationParameters()
        p.unitsPerVM = 1
        p.targetUtilisation = 1
        p.trainingWindow = 600
        p.launchDelay = 8
        p.activationDelay = 0.043
        p.detectionDelay = 60
        p.evaluationPeriod = 60
        // psm's live trigger at the metric period too, unless a test says otherwise (default: 10 s).
        p.triggerDetection = 60
        return p
    }

    /// The oracle: every forecast step is the demand that will happen, with zero width.
    static func perfectForecasts(_ trace: GroupTrace, start: Int, horizon: Int, levels: [Double]) throws -> ForecastStream {
        var out: [ForecastDistribution?] = []
        for i in start..<trace.count {
            let values = (0..<horizon).map { trace.demand[min(i + $0, trace.count - 1)] }
            out.append(try ForecastDistribution(grid: TimeGrid(axis: .time, start: trace.grid.position(at: i), step: 300, count: horizon),
                                                levels: levels, mean: values,
                                                quantiles: values.map { v in levels.map { _ in v } }))
        }
        return ForecastStream(start: start, forecasts: out)
    }

    static func close(_ a: Double?, _ b: Double) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= 1e-9 * max(1, abs(b))
    }

    @Test func reactiveServesAStepRiseAfterDetectionPlusLaunch() throws {
        let sim = try Simulator(parameters: Self.parameters(), policies: [.reactive])
        let o = try #require(try sim.run(Self.trace(Self.step)).outcomes.first)
        // Seen at 2400 + 60, four VMs launched, serving at 2468: 68 s short by 4 units.
        #expect(o.rises == 1)
        #expect(o.timesToCapacity.count == 1)
        #expect(Self.close(o.timesToCapacity.first, 68))
        #expect(Self.close(o.unservedUnitSeconds, 4 * 68))
        #expect(Self.close(o.violationSeconds, 68))
        #expect(o.launches == 4)
        // Billed: 2 VMs all along, 4 more from their launch at 2460 (booting included).
        #expect(Self.close(o.vmCost, (2 * Self.end + 4 * (Self.end - 2460)) / 300))
        #expect(Self.close(o.unservedCost, 5 * (4 * 68) / 300))
        #expect(o.activations == 0 && o.shadowHours == 0)
    }

    @Test func reactiveWaitsOutItsScaleOutCooldownOnASecondRise() throws {
        var p = Self.parameters()
        p.scaleOutCooldown = 400
        // 2 → 4 at interval 10 (t = 2400), 4 → 6 at interval 11 (t = 2700).
        let demand = Array(repeating: 2.0, count: 10) + [4] + Array(repeating: 6.0, count: 9)
        let o = try #require(try Simulator(parameters: p, policies: [.reactive]).run(Self.trace(demand)).outcomes.first)
        // First: launched at 2460, serving 2468 (68 s). Second: seen at 2760, held by the cooldown
        // at 2760 and 2820 (300 s, 360 s after 2460), launched at 2880 (420 s ≥ 400), serving 2888.
        #expect(o.rises == 2)
        #expect(o.timesToCapacity.count == 2)
        #expect(Self.close(o.timesToCapacity.first, 68))
        #expect(Self.close(o.timesToCapacity.last, 2888 - 2700))
        #expect(Self.close(o.unservedUnitSeconds, 2 * 68 + 2 * 188))
    }

    @Test func shadowWithAPerfectForecastServesTheRiseAfterOnlyTheActivationDelay() throws {
        let p = Self.parameters()
        let sim = try Simulator(parameters: p, policies: [.shadow])
        let trace = try Self.trace(Self.step)
        let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
        let o = try #require(try sim.run(trace, logActions: true, forecasts: oracle).outcomes.first)
        // The sizer saw the rise one interval ahead (its window is an interval plus the boot):
        // four shadows booted at 2100, parked at 2108; the trigger activated them at 2400 on the
        // forecast; they serve at 2400.043.
        #expect(o.timesToCapacity.count == 1)
        #expect(Self.close(o.timesToCapacity.first, 0.043))
        #expect(Self.close(o.unservedUnitSeconds, 4 * 0.043))
        #expect(o.activations == 4)
        #expect(o.shadowsCreated == 4)
        #expect(o.launches == 0)
        #expect(o.actions?.first == FleetAction(time: 2100, kind: .provision, count: 4))
        #expect(o.actions?.contains(FleetAction(time: 2400, kind: .activate, count: 4)) == true)
        // Shadow-hours: 4 shadows from 2100 to 2400; the boot at the VM rate, parked at the shadow rate.
        #expect(Self.close(o.shadowHours, 4 * 300 / 3600))
        #expect(Self.close(o.shadowCost, (p.vmCost * 4 * 8 + p.shadowCost * 4 * 292) / 300))
    }

    @Test func shadowWithoutForecastsFallsBackToLiveDemandAndColdLaunches() throws {
        // The live trigger sees the rise one collector interval in (10 s, the default) or at the
        // metric period (60 s): 4 VMs launched then, serving 8 s later.
        for detection in [60.0, 10] {
            var p = Self.parameters()
            p.triggerDetection = detection
            let sim = try Simulator(parameters: p, policies: [.shadow])
            let trace = try Self.trace(Self.step)
            // No forecast at any boundary: the sizer holds the (empty) pool, the trigger sees only live demand.
            let none = ForecastStream(start: 2, forecasts: Array(repeating: nil, count: trace.count - 2))
            let o = try #require(try sim.run(trace, logActions: true, forecasts: none).outcomes.first)
            #expect(o.shadowsCreated == 0)
            #expect(o.launches == 4)
            #expect(o.actions?.contains(FleetAction(time: Self.riseAt + detection, kind: .launch, count: 4)) == true)
            #expect(Self.close(o.timesToCapacity.first, detection + 8))
            #expect(Self.close(o.unservedUnitSeconds, 4 * (detection + 8)))
        }
    }

    @Test func predictiveLaunchesTheForecastAheadByTheSchedulingBuffer() throws {
        var p = Self.parameters()
        p.buffer = 0
        let sim = try Simulator(parameters: p, policies: [.predictiveBuffer])
        let trace = try Self.trace(Self.step)
        let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
        let o = try #require(try sim.run(trace, logActions: true, forecasts: oracle).outcomes.first)
        // Scheduled at 2400 − 8 = 2392 from the forecast issued at 2100 (its step 2): 4 VMs
        // serving exactly at 2400.
        #expect(o.actions?.first == FleetAction(time: 2392, kind: .launch, count: 4))
        #expect(Self.close(o.timesToCapacity.first, 0))
        #expect(o.unservedUnitSeconds == 0)
        #expect(Self.close(o.vmCost, (2 * Self.end + 4 * (Self.end - 2392)) / 300))
    }

    @Test func predictiveBufferAddsCapacityAboveThePointForecast() throws {
        var p = Self.parameters()
        p.buffer = 0.5
        let sim = try Simulator(parameters: p, policies: [.predictiveBuffer])
        let trace = try Self.trace(Self.step)
        let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
        let o = try #require(try sim.run(trace, logActions: true, forecasts: oracle).outcomes.first)
        // ⌈2 × 1.5⌉ = 3 from the first scheduled moment (t = 292 for interval 3), ⌈6 × 1.5⌉ = 9 from 2392.
        #expect(o.actions?.first == FleetAction(time: 292, kind: .launch, count: 1))
        #expect(o.actions?.contains(FleetAction(time: 2392, kind: .launch, count: 6)) == true)
        #expect(o.unservedUnitSeconds == 0)
    }

    @Test func shadowPoolStopsAtTheVMMaximum() throws {
        var p = Self.parameters()
        p.maximumVMs = 3
        let sim = try Simulator(parameters: p, policies: [.shadow])
        let trace = try Self.trace(Self.step)
        let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
        let o = try #require(try sim.run(trace, forecasts: oracle).outcomes.first)
        // The rise to 6 needs 6 VMs; only one more than the 2 running may exist: one shadow, activated once.
        #expect(o.shadowsCreated == 1)
        #expect(o.activations == 1)
        #expect(o.launches == 0)
        // 3 units short from the activation on: the maximum is binding, the rise is never covered.
        #expect(o.censoredRises == 1)
    }

    @Test func theSizerSeesRunningCapacityAtTheTriggerThresholdUnlessToldFull() throws {
        // θ = 0.5: 2 units run on ⌈2 / 0.5⌉ = 4 VMs; the rise to 6 needs ⌈6 / 0.5⌉ = 12 at the threshold.
        for (atThreshold, pool, cold) in [(true, 8, 0), (false, 2, 6)] {
            var p = Self.parameters()
            p.targetUtilisation = 0.5
            p.sizeAtThreshold = atThreshold
            let sim = try Simulator(parameters: p, policies: [.shadow])
            let trace = try Self.trace(Self.step)
            let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
            let o = try #require(try sim.run(trace, forecasts: oracle).outcomes.first)
            // threshold: ⌈(6 − 0.5·4) / 0.5⌉ = 8 shadows, all activated at the rise; full: ⌈(6 − 4) / 1⌉ = 2,
            // and the trigger's remaining 6 come up cold: launched at 2392 by the running headroom
            // beside the pool (a launch delay ahead), so they serve from 2400 with the 4 running.
            #expect(o.shadowsCreated == pool, "atThreshold \(atThreshold)")
            #expect(o.activations == pool, "atThreshold \(atThreshold)")
            #expect(o.launches == cold, "atThreshold \(atThreshold)")
            #expect(Self.close(o.timesToCapacity.first, atThreshold ? 0.043 : 0), "atThreshold \(atThreshold)")
        }
    }

    @Test func whatThePoolCannotCoverIsLaunchedALaunchDelayAhead() throws {
        // One shadow at most: the rise to 6 needs 4 more VMs beyond the 2 running.
        for launchAhead in [true, false] {
            var p = Self.parameters()
            p.maximumShadows = 1
            p.aheadLaunch = launchAhead
            let sim = try Simulator(parameters: p, policies: [.shadow])
            let trace = try Self.trace(Self.step)
            let oracle = try Self.perfectForecasts(trace, start: 2, horizon: sim.horizon(interval: 300), levels: p.levels)
            let o = try #require(try sim.run(trace, logActions: true, forecasts: oracle).outcomes.first)
            #expect(o.activations == 1)
            #expect(o.launches == 3)
            if launchAhead {
                // 3 launched at 2400 − 8, serving at 2400; the shadow activated at 2400 serves at 2400.043:
                // 1 unit short for 0.043 s.
                #expect(o.actions?.contains(FleetAction(time: 2392, kind: .launch, count: 3)) == true)
                #expect(Self.close(o.unservedUnitSeconds, 0.043))
                #expect(Self.close(o.timesToCapacity.first, 0.043))
            } else {
                // Seen at 2460, 3 launched, serving at 2468: 3 units short for 68 s, 1 for 0.043 s.
                #expect(o.actions?.contains(FleetAction(time: 2460, kind: .launch, count: 3)) == true)
                #expect(Self.close(o.unservedUnitSeconds, 3 * 68 + 0.043))
                #expect(Self.close(o.timesToCapacity.first, 68))
            }
        }
    }
}
