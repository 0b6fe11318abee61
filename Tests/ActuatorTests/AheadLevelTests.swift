@testable import Scaling
import Testing
@testable import Actuator

@Suite struct AheadLevelTests {
    @Test func theCostLevelIsOneMinusThePremiumOverTheMissOfTheWait() {
        // Simulator defaults: c_run 1, c_reserve 0.25, c_miss 5 per unit-interval; 60 s wait in 300 s.
        let d = AheadLevel(runCost: 1, reserveCost: 0.25, missCost: 5, wait: 60, interval: 300, floor: 0.5)
        #expect(abs(d.costLevel - 0.25) < 1e-12)
        #expect(d.level == 0.5)
        #expect(d.explanation.contains("forecast_level 0.5 holds"))
        // τ = 0.99: c_miss = 0.25 × 0.99 / 0.01 = 24.75 → 1 − 0.75 × 300 / (24.75 × 60) = 0.848484…
        let high = AheadLevel(runCost: 1, reserveCost: 0.25, missCost: 24.75, wait: 60, interval: 300, floor: 0.5)
        #expect(abs(high.costLevel - (1 - 225.0 / 1485)) < 1e-12)
        #expect(high.level == high.costLevel)
        #expect(high.explanation.hasPrefix("activate ahead at q0.848: ") && high.explanation.contains("above forecast_level 0.5"))
    }

    @Test func theLevelStaysBetweenTheFloorAndTheCeiling() {
        let capped = AheadLevel(runCost: 1, reserveCost: 0.25, missCost: 1e6, wait: 60, interval: 300, floor: 0.5)
        #expect(capped.costLevel > 0.999 && capped.level == AheadLevel.defaultCeiling)
        #expect(capped.explanation.contains("capped at 0.999"))
        // Nothing waits: a miss costs nothing more parked than running.
        let instant = AheadLevel(runCost: 1, reserveCost: 0.25, missCost: 5, wait: 0, interval: 300, floor: 0.6)
        #expect(instant.costLevel == -.infinity && instant.level == 0.6)
        // Running costs no more than parking: activate into the tail, up to the ceiling.
        let free = AheadLevel(runCost: 0.2, reserveCost: 0.25, missCost: 5, wait: 60, interval: 300, floor: 0.5)
        #expect(free.costLevel == 1 && free.level == 0.999)
        // A floor above the ceiling wins.
        #expect(AheadLevel(runCost: 1, reserveCost: 0.25, missCost: 5, wait: 60, interval: 300, floor: 0.9, ceiling: 0.8).level == 0.9)
    }

    @Test func costsRunRaisesTheTriggerLevelAndExplainShowsIt() throws {
        let plain = try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal, fileName: "psm.toml")
        #expect(plain.aheadLevel == nil && plain.trigger.forecastLevel == 0.5)
        // Runtime defaults c_miss 10, c_reserve 0.5, the live trigger once per 300 s cycle:
        // 1 − (2 − 0.5) × 300 / (10 × 300) = 0.85.
        let run = try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal + "\n[actuator.costs]\nrun = 2\n[actuator.trigger]\nlive = \"cycle\"\n",
                                                  fileName: "psm.toml")
        let ahead = try #require(run.aheadLevel)
        #expect(abs(ahead.costLevel - 0.85) < 1e-12 && ahead.wait == 300 && !run.liveTriggerEachCollection)
        #expect(run.trigger.forecastLevel == ahead.level)
        // The live trigger at every collection (the default, every 10 s): a miss waits 10 s,
        // 1 − 1.5 × 300 / (10 × 10) = −3.5, and forecast_level 0.5 holds.
        let each = try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal + "\n[actuator.costs]\nrun = 2\n", fileName: "psm.toml")
        let fast = try #require(each.aheadLevel)
        #expect(each.liveTriggerEachCollection && fast.wait == 10 && abs(fast.costLevel + 3.5) < 1e-12)
        #expect(fast.level == 0.5 && each.trigger.forecastLevel == 0.5)
        #expect(throws: (any Error).self) {
            try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal + "\n[actuator.trigger]\nlive = \"often\"\n", fileName: "psm.toml")
        }
        // Live demand only (forecast_level = 0): nothing to raise.
        let live = try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal + "\n[actuator.costs]\nrun = 2\n[actuator.trigger]\nforecast_level = 0\n",
                                                   fileName: "psm.toml")
        #expect(live.aheadLevel == nil && live.trigger.forecastLevel == nil)
        do {
            _ = try ActuatorConfiguration.parse(ParkAutoRuntimeTests.minimal + "\n[actuator.costs]\nrun = -1\n", fileName: "psm.toml")
            Issue.record("accepted run = -1")
        } catch {
            #expect("\(error)".contains("run"))
        }
    }
}
