@testable import Scaling
import Testing
@testable import Actuator

@Suite("Activation trigger")
struct TriggerTests {
    @Test("live demand above the threshold asks for the fewest shadows that bring utilisation back under it")
    func liveDemand() throws {
        let policy = try TriggerPolicy(utilisationThreshold: 0.8, forecastLevel: nil)
        // running 100, threshold 0.8 → 80 served within the threshold; demand 100 needs 100/0.8 = 125
        // units of capacity: 25 more = 3 shadows of 10 (2 give 120 → 83 %).
        let d = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: 100, running: 100, unit: 10, readyShadows: 5),
                                           policy: policy, step: 60)
        #expect(d.activate == 3 && d.wanted == 3 && d.reason == .demand && d.ahead == 0)
        // Exactly at the threshold: nothing.
        let at = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: 80, running: 100, unit: 10, readyShadows: 5),
                                            policy: policy, step: 60)
        #expect(at.activate == 0 && at.reason == .none)
    }

    @Test("activations are capped by the ready shadows; the rest stays wanted")
    func cappedByPool() throws {
        let policy = try TriggerPolicy(utilisationThreshold: 0.5, forecastLevel: nil)
        let d = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: 100, running: 100, unit: 10, readyShadows: 4),
                                           policy: policy, step: 60)
        #expect(d.wanted == 10 && d.activate == 4)
    }

    @Test("a rise forecast within the activation lead time activates ahead; one beyond it does not")
    func forecastAhead() throws {
        // Steps of 60 s; the median rises to 150 at step 3 (180 s ahead).
        let f = try forecast(levels: [0.1, 0.5, 0.9], rows: [[50, 60, 70], [50, 60, 70], [140, 150, 160]])
        let within = try TriggerPolicy(utilisationThreshold: 1, activationLeadTime: 180, forecastLevel: 0.5)
        let d = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: 60, running: 100, unit: 25,
                                                        readyShadows: 9, forecast: f), policy: within, step: 60)
        #expect(d.reason == .forecast && d.activate == 2 && d.ahead == 180 && d.comparedDemand == 150)
        let short = try TriggerPolicy(utilisationThreshold: 1, activationLeadTime: 120, forecastLevel: 0.5)
        let e = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: 60, running: 100, unit: 25,
                                                        readyShadows: 9, forecast: f), policy: short, step: 60)
        #expect(e.activate == 0 && e.reason == .none)
    }

    @Test("NaN demand, a non-positive unit and NaN forecast quantiles activate nothing")
    func unusableInputs() throws {
        let policy = try TriggerPolicy()
        #expect(ActivationTrigger.shadowsNeeded(demand: .nan, running: 10, unit: 1, threshold: 0.8) == 0)
        #expect(ActivationTrigger.shadowsNeeded(demand: 100, running: 10, unit: 0, threshold: 0.8) == 0)
        #expect(ActivationTrigger.shadowsNeeded(demand: .infinity, running: 10, unit: 1, threshold: 0.8) == 0)
        let f = try forecast(levels: [0.5], rows: [[.nan]])
        let d = ActivationTrigger.evaluate(TriggerInput(group: "g", demand: .nan, running: 10, unit: 1,
                                                        readyShadows: 3, forecast: f), policy: policy, step: 60)
        #expect(d.activate == 0)
    }

    @Test("a policy out of range is refused with the parameter named")
    func invalidPolicy() {
        #expect(throws: SizingError.self) { try TriggerPolicy(utilisationThreshold: 0) }
        #expect(throws: SizingError.self) { try TriggerPolicy(utilisationThreshold: 1.5) }
        #expect(throws: SizingError.self) { try TriggerPolicy(activationLeadTime: -1) }
        #expect(throws: SizingError.self) { try TriggerPolicy(forecastLevel: 1) }
    }
}
