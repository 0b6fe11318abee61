@testable import Actuator
import Calibration
import Foundation
@testable import Scaling
import Testing
import TimeSeries

@Suite struct SizingStepTests {
    @Test func criticalRatioIsTheNewsvendorFraction() throws {
        // 10 / (10 + 0.5) = 0.952380952…; 3 / (3 + 1) = 0.75.
        #expect(close(try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 60).criticalRatio, 20.0 / 21.0, 1e-15))
        #expect(try CostModel(missCost: 3, reserveCost: 1, launchDelay: 60).criticalRatio == 0.75)
    }

    @Test(arguments: [0.0, -1, .infinity, .nan])
    func invalidCostsAreRejected(_ bad: Double) {
        #expect(throws: SizingError.self) { try CostModel(missCost: bad, reserveCost: 1, launchDelay: 60) }
        #expect(throws: SizingError.self) { try CostModel(missCost: 1, reserveCost: bad, launchDelay: 60) }
        #expect(throws: SizingError.self) { try CostModel(missCost: 1, reserveCost: 1, launchDelay: bad) }
    }

    @Test func targetStartsAtTheCriticalRatio() throws {
        let costs = try CostModel(missCost: 3, reserveCost: 1, launchDelay: 60)
        let t = NewsvendorTarget(costs: costs, aci: try AdaptiveConformal(targetLevel: 0.75))
        #expect(t.criticalRatio == 0.75 && t.correctedLevel == 0.75 && t.observedCoverage == nil)
    }

    @Test func quantileIsTheLargestOverTheLeadWindow() throws {
        // Level 0.75 between 0.5 and 0.9: weight 0.25 / 0.4 = 0.625.
        // Step 1: 100 + 0.625·40 = 125; step 2: 110 + 0.625·20 = 122.5; step 3: 200 + 0.625·100 = 262.5.
        let f = try forecast(levels: [0.5, 0.9], rows: [[100, 140], [110, 130], [200, 300]], step: 60)
        let aci = try AdaptiveConformal(targetLevel: 0.75)
        let two = DemandQuantile(forecast: f, aci: aci, leadTime: 120, window: .largestStep)
        #expect(two.kind == .finite && two.windowSteps == 2 && two.step == 1)
        #expect(close(two.value, 125, 1e-12) && two.largestStep == nil)
        let three = DemandQuantile(forecast: f, aci: aci, leadTime: 121, window: .largestStep)   // ⌈121 / 60⌉ = 3
        #expect(three.windowSteps == 3 && three.step == 3 && close(three.value, 262.5, 1e-12))
        let beyond = DemandQuantile(forecast: f, aci: aci, leadTime: 10_000, window: .largestStep)  // clipped to the horizon
        #expect(beyond.windowSteps == 3)
        let zero = DemandQuantile(forecast: f, aci: aci, leadTime: 0)
        #expect(zero.windowSteps == 1 && close(zero.value, 125, 1e-12) && zero.largestStep == nil)
    }

    @Test func windowMaximumIsTheQuantileOfTheLargestDemand() throws {
        // Two equal steps, F(x) = 0.5 + (x − 100) / 100 between 100 and 140: P(max ≤ x) = F(x)² = 0.75
        // at F = √0.75 = 0.866025…, x = 100 + 36.6025… = 136.6025…; the largest step's q0.75 is 125.
        let same = try forecast(levels: [0.5, 0.9], rows: [[100, 140], [100, 140]], step: 60)
        let aci = try AdaptiveConformal(targetLevel: 0.75)
        let q = DemandQuantile(forecast: same, aci: aci, leadTime: 120)
        #expect(q.kind == .finite && q.window == .maximum && q.windowSteps == 2)
        #expect(close(q.value, 100 + 100 * (0.75.squareRoot() - 0.5), 1e-6), "\(q.value ?? .nan)")
        #expect(close(q.largestStep, 125, 1e-12) && !q.extrapolated)
        // ACI is told the window maximum's quantile: demand 130 is covered, 140 is a miss.
        #expect(q.sizedAt?.covers(130) == true && q.sizedAt?.covers(140) == false)
        // A step far below the other adds nothing: its F is 1 where the other's quantile lies.
        let low = try forecast(levels: [0.5, 0.9], rows: [[100, 140], [0, 10]], step: 60)
        let m = try #require(WindowMaximum.quantile(of: low, level: 0.75, steps: 2))
        #expect(close(m.value, 125, 1e-6))
        #expect(DemandQuantile(forecast: low, aci: aci, leadTime: 120).largestStep == nil)
        // Three steps: F³ = 0.75 at F = 0.75^(1/3) = 0.908560…: beyond the 0.9 level, on the Gaussian
        // tail through (0.5, 100) and (0.9, 140), σ = 40 / Φ⁻¹(0.9).
        let three = try forecast(levels: [0.5, 0.9], rows: [[100, 140], [100, 140], [100, 140]], step: 60)
        let t = try #require(WindowMaximum.quantile(of: three, level: 0.75, steps: 3))
        let z = NormalDistribution.quantile(pow(0.75, 1.0 / 3)) - NormalDistribution.quantile(0.9)
        #expect(close(t.value, 140 + 40 / NormalDistribution.quantile(0.9) * z, 1e-6) && t.extrapolated)
        // Out of range: no quantile.
        #expect(WindowMaximum.quantile(of: three, level: 1, steps: 2) == nil)
        #expect(WindowMaximum.quantile(of: three, level: 0.5, steps: 4) == nil)
    }

    @Test func quantileAtACorrectedLevelIsInterpolated() throws {
        // τ = 0.75, γ = 0.01, five misses: α = 0.25 − 5·0.01·0.75 = 0.2125, level 0.7875;
        // q = 100 + (0.2875 / 0.4)·40 = 128.75.
        var aci = try AdaptiveConformal(targetLevel: 0.75, learningRate: 0.01)
        for _ in 0..<5 { aci.update(miss: true) }
        let f = try forecast(levels: [0.5, 0.9], rows: [[100, 140]])
        let q = DemandQuantile(forecast: f, aci: aci, leadTime: 60)
        #expect(close(q.level, 0.7875, 1e-12) && close(q.value, 128.75, 1e-9))
    }

    @Test func shortfallRoundsUpToWholeShadows() throws {
        // 112 / 40 = 2.8 → 3; 120 / 40 = 3 exactly → 3; equal → 0; covered → 0.
        #expect(Shortfall(quantile: 412, running: 300, unit: 40)?.shadows == 3)
        #expect(Shortfall(quantile: 420, running: 300, unit: 40)?.shadows == 3)
        #expect(Shortfall(quantile: 300, running: 300, unit: 40)?.shadows == 0)
        let covered = try #require(Shortfall(quantile: 250, running: 300, unit: 40))
        #expect(covered.shadows == 0 && covered.shortUnits == -50)
        // (0.4 − 0.1) / 0.1 is 3.0000000000000004 in binary: still 3 shadows, not 4.
        #expect((0.4 - 0.1) / 0.1 > 3)
        #expect(Shortfall(quantile: 0.4, running: 0.1, unit: 0.1)?.shadows == 3)
        #expect(Shortfall(quantile: 1e300, running: 0, unit: 1)?.shadows == Shortfall.maximumShadows)
    }

    @Test func shortfallRejectsUnusableInputs() {
        #expect(Shortfall(quantile: 100, running: 0, unit: 0) == nil)
        #expect(Shortfall(quantile: .nan, running: 0, unit: 1) == nil)
        #expect(Shortfall(quantile: 100, running: .infinity, unit: 1) == nil)
    }

    @Test func boundsClip() throws {
        let b = try GroupBounds(minimum: 2, maximum: 6)
        #expect(b.clip(0) == 2 && b.clip(4) == 4 && b.clip(9) == 6)
        #expect(throws: SizingError.self) { try GroupBounds(minimum: 3, maximum: 2) }
        #expect(throws: SizingError.self) { try GroupBounds(minimum: -1, maximum: 2) }
    }

    @Test func hysteresisScalesUpAtOnceAndDownAfterTheCooldown() throws {
        let policy = try HysteresisPolicy(cooldown: 600, maximumDecrease: 1)
        var state = HysteresisState()
        let up = HysteresisStep(target: 5, current: 2, now: 0, policy: policy, state: &state)
        #expect(up.action == .scaleUp && up.result == 5)
        // Target 2 below a pool of 5 from t = 100: held until it has been lower for 600 s.
        let h1 = HysteresisStep(target: 2, current: 5, now: 100, policy: policy, state: &state)
        let h2 = HysteresisStep(target: 2, current: 5, now: 400, policy: policy, state: &state)
        #expect(h1.action == .holding && h1.result == 5 && h1.lowerFor == 0)
        #expect(h2.action == .holding && h2.result == 5 && h2.lowerFor == 300)
        let d1 = HysteresisStep(target: 2, current: 5, now: 700, policy: policy, state: &state)
        #expect(d1.action == .scaleDown && d1.result == 4 && d1.lowerFor == 600)
        // Still lower: one more per decision, no new cooldown.
        let d2 = HysteresisStep(target: 2, current: 4, now: 1000, policy: policy, state: &state)
        #expect(d2.result == 3)
        // The target comes back up to the pool: the stretch ends, a later drop waits again.
        let s = HysteresisStep(target: 3, current: 3, now: 1300, policy: policy, state: &state)
        #expect(s.action == .steady && state.lowerSince == nil)
        let again = HysteresisStep(target: 1, current: 3, now: 1600, policy: policy, state: &state)
        #expect(again.action == .holding && again.result == 3)
    }

    @Test func hysteresisStepsDownByAtMostK() throws {
        var state = HysteresisState()
        let policy = try HysteresisPolicy(cooldown: 0, maximumDecrease: 3)
        #expect(HysteresisStep(target: 1, current: 10, now: 0, policy: policy, state: &state).result == 7)
        #expect(HysteresisStep(target: 6, current: 7, now: 300, policy: policy, state: &state).result == 6)
    }
}
