@testable import Actuator
import Calibration
import Foundation
import MetricStore
@testable import Scaling
import Testing
import TimeSeries

@Suite struct SizingCycleTests {
    /// c_miss 3, c_reserve 1: τ = 0.75. Levels 0.5 / 0.9.
    func policy(cooldown: Int64 = 900, decrease: Int = 1, learningRate: Double = 0.005,
                bounds: GroupBounds? = nil) throws -> SizingPolicy {
        try SizingPolicy(costs: CostModel(missCost: 3, reserveCost: 1, launchDelay: 120), leadTime: 60,
                         hysteresis: HysteresisPolicy(cooldown: cooldown, maximumDecrease: decrease),
                         defaultBounds: bounds, learningRate: learningRate)
    }

    /// A one-step forecast whose q0.75 is exactly `q` (q0.5 = q − 25, q0.9 = q + 15).
    func input(q: Double, running: Double = 0, unit: Double = 10, pool: Int) throws -> SizingInput {
        SizingInput(group: "web", forecast: try forecast(levels: [0.5, 0.9], rows: [[q - 25, q + 15]]),
                    running: running, unit: unit, currentPool: pool)
    }

    @Test func poolShrinksOnlyAfterTheCooldownOneStepAtATime() throws {
        let clock = ManualWallClock(0)
        var sizer = try Sizer(policy: try policy(cooldown: 900), clock: clock)
        var pool = 0
        var history: [Int] = []
        // Demand quantile 50 (5 shadows of 10) for one interval, then 20 (2 shadows) from t = 300.
        for (i, q) in ([50] + Array(repeating: 20, count: 7) as [Double]).enumerated() {
            if i > 0 { clock.advance(by: 300) }
            pool = try #require(sizer.decide([try input(q: q, pool: pool)], freeCapacity: .infinity).decisions.first).final
            history.append(pool)
        }
        // t = 0: up to 5 at once; 300, 600, 900: lower for 0, 300, 600 s < 900 s; 1200: 4; then 3, 2, 2.
        #expect(history == [5, 5, 5, 5, 4, 3, 2, 2])
    }

    @Test func anOscillatingTargetDoesNotFlapThePool() throws {
        // Target alternates 5 / 3 shadows every 300 s interval, for 40 intervals.
        func changes(cooldown: Int64, decrease: Int) throws -> Int {
            let clock = ManualWallClock(0)
            var sizer = try Sizer(policy: try policy(cooldown: cooldown, decrease: decrease), clock: clock)
            var pool = 0, changes = 0
            for i in 0..<40 {
                let d = try #require(sizer.decide([try input(q: i % 2 == 0 ? 50 : 30, pool: pool)],
                                                  freeCapacity: .infinity).decisions.first)
                if d.final != pool { changes += 1 }
                pool = d.final
                clock.advance(by: 300)
            }
            return changes
        }
        // With hysteresis: one change (0 → 5), then the stretches below last 300 s < 900 s.
        #expect(try changes(cooldown: 900, decrease: 1) == 1)
        // Without it the pool follows every swing: 0 → 5, then 39 swings.
        #expect(try changes(cooldown: 0, decrease: 10) == 40)
    }

    @Test func missesRaiseTheSizedLevel() throws {
        // γ = 0.01; each miss moves α by 0.01 · (0.25 − 1): after 5 misses level 0.7875 and
        // q = (q0.5 = 75) + (0.2875 / 0.4) · 40 = 103.75 → ⌈103.75 / 10⌉ = 11 shadows instead of 10.
        var sizer = try Sizer(policy: try policy(learningRate: 0.01, bounds: GroupBounds(maximum: 50)),
                              clock: ManualWallClock(0))
        let first = try #require(sizer.decide([try input(q: 100, pool: 0)], freeCapacity: .infinity).decisions.first)
        #expect(first.rawTarget == 10 && first.correctedLevel == 0.75)
        for _ in 0..<5 {
            #expect(sizer.recordDemand(group: "web", actual: 500) == true)
            _ = sizer.decide([try input(q: 100, pool: 10)], freeCapacity: .infinity)
        }
        let after = try #require(sizer.decide([try input(q: 100, pool: 10)], freeCapacity: .infinity).decisions.first)
        #expect(close(after.correctedLevel, 0.7875, 1e-12) && close(after.quantileValue, 103.75, 1e-9))
        #expect(after.rawTarget == 11 && after.target.observedCoverage == 0)
        #expect(after.explanation[0].contains("ACI moved it to 0.788 (observed coverage 0 % vs target 75 % over 5 intervals)"))
        // A covered interval lowers it again by 0.01 · 0.25; a second report of it is ignored.
        #expect(sizer.recordDemand(group: "web", actual: 0) == false)
        #expect(sizer.recordDemand(group: "web", actual: 0) == nil)
        #expect(close(sizer.state(of: "web").aci.level, 0.7875 - 0.0025, 1e-12))
    }

    @Test func aLevelAboveOneSizesAtTheGroupMaximum() throws {
        // γ = 1: one miss takes α from 0.25 to −0.5 (level 1.5): the quantile is +∞.
        var sizer = try Sizer(policy: try policy(learningRate: 1, bounds: GroupBounds(minimum: 1, maximum: 7)),
                              clock: ManualWallClock(0))
        _ = sizer.decide([try input(q: 100, pool: 0)], freeCapacity: .infinity)
        sizer.recordDemand(group: "web", actual: 1_000)
        let d = try #require(sizer.decide([try input(q: 100, pool: 7)], freeCapacity: .infinity).decisions.first)
        #expect(d.quantile.kind == .unboundedAbove && d.rawTarget == 7 && d.final == 7)
    }

    @Test func unusableInputsHoldThePool() throws {
        var sizer = try Sizer(policy: try policy(), clock: ManualWallClock(0))
        let noForecast = SizingInput(group: "x", forecast: nil, running: 0, unit: 10, currentPool: 4)
        let badUnit = SizingInput(group: "y", forecast: try forecast(levels: [0.5], rows: [[10]]), running: 0,
                                  unit: 0, currentPool: 3)
        let cycle = sizer.decide([noForecast, badUnit, noForecast], freeCapacity: .infinity)
        #expect(cycle.decisions.map(\.final) == [4, 3])
        #expect(cycle.diagnostics.count == 1 && cycle.diagnostics[0].contains("more than once"))
        #expect(cycle.decisions.allSatisfy { $0.diagnostic != nil && $0.shortfall == nil })
    }

    @Test func explanationShowsTheWindowMaximum() throws {
        // τ = 3 / (3 + 1) = 0.75; two equal steps: the quantile of their maximum is
        // 100 + 100 (√0.75 − 0.5) = 136.6025 (SizingStepTests), 36.6 units above running → 4 shadows;
        // the largest step's quantile alone (125) would ask for 3.
        let rows: [[Double]] = [[100, 140], [100, 140]]
        var sizer = try Sizer(policy: try SizingPolicy(costs: CostModel(missCost: 3, reserveCost: 1, launchDelay: 60), leadTime: 120),
                              clock: ManualWallClock(0))
        let input = SizingInput(group: "api", forecast: try forecast(levels: [0.5, 0.9], rows: rows), running: 100, unit: 10, currentPool: 0)
        let d = try #require(sizer.decide([input], freeCapacity: .infinity).decisions.first)
        #expect(d.rawTarget == 4)
        #expect(d.explanation[1] == "q0.75 of the maximum demand within 120 s (2 steps), steps taken independent = 136.603 units "
                + "(largest step's q0.75 125)", "\(d.explanation)")
        var largest = try Sizer(policy: try SizingPolicy(costs: CostModel(missCost: 3, reserveCost: 1, launchDelay: 60), leadTime: 120,
                                                         leadWindow: .largestStep), clock: ManualWallClock(0))
        let old = try #require(largest.decide([input], freeCapacity: .infinity).decisions.first)
        #expect(old.rawTarget == 3 && old.explanation[1] == "q0.75 of demand within 120 s (2 steps), largest at step 1 = 125 units")
    }

    @Test func explanationNamesEveryStep() throws {
        var sizer = try Sizer(policy: try SizingPolicy(costs: CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120),
                                                       leadTime: 60, budget: 50),
                              clock: ManualWallClock(0))
        // q0.952 = 412 exactly: levels 0.5 / 0.99 with a linear curve through (20/21, 412).
        let level = 20.0 / 21.0
        let slope = 100.0
        let q05 = 412 - slope * (level - 0.5), q099 = 412 + slope * (0.99 - level)
        let input = SizingInput(group: "api", forecast: try forecast(levels: [0.5, 0.99], rows: [[q05, q099]]),
                                running: 300, unit: 40, currentPool: 1)
        let d = try #require(sizer.decide([input], freeCapacity: 200).decisions.first)
        #expect(d.final == 3)
        let lines = d.explanation
        #expect(lines.count == 8, "\(lines)")
        #expect(lines[0] == "τ = 0.952 from c_miss 10, c_reserve 0.5; ACI has seen no outcome yet, level 0.952")
        #expect(lines[1] == "q0.952 of demand within 60 s (1 step) = 412 units")
        #expect(lines[2] == "running 300 → short 112 units = 3 shadows (unit 40)")
        #expect(lines[3] == "within bounds 0…10 → 3")
        #expect(lines[4] == "hysteresis: scale-up from 1, no delay → 3")
        #expect(lines[5] == "budget 50 covers the 3 shadows asked for in total → 3")
        #expect(lines[6] == "hosts have 200 units free, all new shadows need 80; 2 new here → 3")
        #expect(lines[7] == "final: 3 shadows (pool was 1, +2)")
    }

    @Test func decisionsArePersistedAndReadBack() throws {
        let log = DecisionLog(store: try MetricStore.inMemory())
        let clock = ManualWallClock(1_700_000_000)
        var sizer = try Sizer(policy: try policy(), clock: clock)
        let first = sizer.decide([try input(q: 50, pool: 0)], freeCapacity: .infinity).decisions
        try log.record(first)
        clock.advance(by: 300)
        let second = sizer.decide([try input(q: 20, pool: 5)], freeCapacity: .infinity).decisions
        try log.record(second)
        let back = try log.decisions(group: "web", limit: 5)
        #expect(back == second + first)   // newest first, every field equal after the JSON round trip
        #expect(try log.explain(group: "web") == second[0].explanation)
        #expect(try log.explain(group: "nobody") == nil)
        // The stored JSON carries the explanation for readers that do not link the actuator.
        let json = try #require(try log.store.decisions(group: "web").first?.json)
        #expect(json.contains("\"explanation\"") && json.contains("hysteresis: holding 5"))
        // A NaN input is stored too, not dropped.
        let nan = sizer.decide([SizingInput(group: "nan", forecast: nil, running: .nan, unit: 1, currentPool: 0)],
                               freeCapacity: .infinity).decisions
        try log.record(nan)
        #expect(try log.decisions(group: "nan").first?.running.isNaN == true)
    }
}

@Suite struct SizingCostLedgerTests {
    /// c_miss 10, c_reserve 0.5 per unit·interval; launch delay 120 s of a 300 s interval.
    func ledger() throws -> CostLedger {
        CostLedger(costs: try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120, interval: 300))
    }

    @Test func ledgerAccumulatesCostAndAvoidedMisses() throws {
        var l = try ledger()
        l.recordReserve(group: "a", shadows: 3, unit: 40, intervals: 12)   // 36 shadow-intervals · 40 · 0.5 = 720
        l.recordActivation(group: "a", servedUnits: 100)                   // 100 · 120/300 · 10 = 400
        l.recordActivation(group: "a", servedUnits: 50)                    // + 200
        l.recordReserve(group: "a", shadows: -1, unit: 40)                 // ignored
        let r = try #require(l.costReport().first)
        #expect(r.shadowIntervals == 36 && close(r.reserveCost, 720) && r.activations == 2)
        #expect(close(r.avoidedMissValue, 600) && close(r.net, -120))
    }

    @Test func ledgerChargesDecidedPools() throws {
        // Budget 8 of the allocation groups: a 3 × 20, b 1 × 10, c 4 × 40 units, for 2 intervals
        // at c_reserve 0.5: a 60, b 10, c 160.
        var sizer = try Sizer(policy: try SizingPolicy(costs: try allocationCosts(), budget: 8), clock: ManualWallClock(0))
        let decisions = sizer.decide(try allocationGroups(), freeCapacity: .infinity).decisions
        var l = try ledger()
        l.recordReserve(decisions, intervals: 2)
        #expect(l.costReport().map(\.reserveCost) == [60, 10, 160])
        #expect(l.costReport().map(\.shadowIntervals) == [6, 2, 8])
    }

    @Test func costlyGroupsLoseAShadowAndValuableOnesGetItBack() throws {
        var l = try ledger()
        l.recordReserve(group: "costly", shadows: 2, unit: 10, intervals: 10)   // 100
        l.recordActivation(group: "costly", servedUnits: 20)                     // 80 < 100
        l.recordReserve(group: "useful", shadows: 1, unit: 10, intervals: 10)   // 50
        l.recordActivation(group: "useful", servedUnits: 25)                     // 100 ≥ 2 · 50
        let configured = try SizingPolicy(costs: l.costs, defaultBounds: GroupBounds(minimum: 1, maximum: 5))
        var live = configured
        live.bounds["useful"] = try GroupBounds(minimum: 1, maximum: 3)
        let changed = l.adjust(&live, configured: configured)
        #expect(live.bounds(for: "costly").maximum == 4 && live.bounds(for: "useful").maximum == 4)
        #expect(changed.count == 2 && l.costReport().isEmpty)
        // Never below the minimum.
        var low = configured
        low.bounds["costly"] = try GroupBounds(minimum: 1, maximum: 1)
        var again = try ledger()
        again.recordReserve(group: "costly", shadows: 1, unit: 10)
        again.adjust(&low, configured: configured)
        #expect(low.bounds(for: "costly").maximum == 1)
    }
}
