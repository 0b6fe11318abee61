import Testing
import Scaling
@testable import Simulation

/// The accounting rules of docs/simulation.md on a hand-worked timeline.
@Suite struct FleetTests {
    @Test func billingCapacityAndUnservedFollowTheTimeline() {
        // unit 2, launch 10 s, activation 1 s; starts with 1 VM serving at t = 0; demand 5 throughout.
        var fleet = Fleet(unit: 2, launchDelay: 10, activationDelay: 1, initialVMs: 1, at: 0, logActions: true)
        var meter = Meter(slo: 1)
        meter.openRise(at: 0, level: 5)
        fleet.provision(1)                         // boots 0…10, parked from 10
        fleet.launch(1)                            // billed from 0, serves from 10
        fleet.advance(to: 20, demand: 5, meter: &meter)
        #expect(fleet.serving == 2 && fleet.parked == 1)
        #expect(fleet.activate(5) == 1)            // only one is parked; serves from 21
        fleet.advance(to: 30, demand: 5, meter: &meter)
        fleet.terminate(1)                         // removes a serving VM at 30
        fleet.advance(to: 40, demand: 5, meter: &meter)

        // VM-seconds: 1 VM 0…40, the launched one 0…40, the activated one 20…40, minus one terminated 30…40.
        #expect(fleet.vmSeconds == 40 + 40 + 20 - 10)
        #expect(fleet.shadowBootSeconds == 10 && fleet.shadowParkedSeconds == 10)
        // Capacity: 2 (0…10), 4 (10…21), 6 (21…30), 4 (30…40); demand 5 → short 3, 1, 0, 1.
        #expect(abs(meter.unservedUnitSeconds - (3 * 10 + 1 * 11 + 0 + 1 * 10)) < 1e-9)
        #expect(abs(meter.violationSeconds - (10 + 11 + 10)) < 1e-9)
        meter.finish(at: 40)
        // The rise to 5 was covered at 21 (capacity 6).
        #expect(meter.timesToCapacity == [21])
        #expect(fleet.actions?.map(\.kind) == [.provision, .launch, .activate, .terminate])
    }

    @Test func terminationTakesVMsNotYetServingFirstAndShadowRemovalBootingOnes() {
        var fleet = Fleet(unit: 1, launchDelay: 10, activationDelay: 0, initialVMs: 3, at: 0, logActions: false)
        var meter = Meter(slo: 1)
        fleet.launch(2)
        fleet.terminate(3)
        #expect(fleet.committed == 2 && fleet.serving == 2)
        fleet.provision(2)
        fleet.advance(to: 10, demand: .nan, meter: &meter)
        fleet.provision(1)
        fleet.removeShadows(2)
        #expect(fleet.parked == 1 && fleet.pool == 1)
        // NaN demand is not scored.
        #expect(meter.observedSeconds == 0 && meter.unservedUnitSeconds == 0)
    }
}
