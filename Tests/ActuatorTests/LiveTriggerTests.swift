import Foundation
import MetricStore
import Scaling
import Testing
@testable import Actuator

/// The live trigger between cycles (`ActuatorRuntime.liveTrigger`, `[actuator.trigger] live`) on
/// libvirt's test driver: the cycle's trigger and activation path on the demand just collected.
@Suite struct LiveTriggerTests {
    @Test("a rise seen by a collection between cycles activates ready shadows at once; nothing else moves")
    func activatesBetweenCycles() async throws {
        let f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let first = await runtime.cycle()
        #expect(first.problems.isEmpty, "\(first.problems)")
        let ready = try runtime.store.shadows(states: [.ready]).count
        #expect(ready >= 1)
        // Below the threshold (10 ≤ 0.8 × 20): the live trigger does nothing.
        let quiet = await runtime.liveTrigger()
        #expect(quiet.triggers.isEmpty && quiet.activations.isEmpty && quiet.problems.isEmpty)
        // Ten seconds later a collection sees 30 units on 20 running: 30 / 0.8 = 37.5 → two shadows of 10.
        clock.advance(by: 10)
        await runtime.observe(group: "web", demand: 30, at: f.start + 10)
        let live = await runtime.liveTrigger()
        #expect(live.problems.isEmpty, "\(live.problems)")
        let trigger = try #require(live.triggers.first)
        #expect(trigger.wanted == 2 && trigger.reason == .demand && trigger.activate == min(2, ready))
        let succeeded = live.activations.filter { $0.outcome == .succeeded }
        #expect(succeeded.count == min(2, ready))
        for a in succeeded {
            #expect(try runtime.store.shadow(id: a.shadowID)?.state == .active)
        }
        #expect(await runtime.runningCapacity("web") == 20 + 10 * Double(succeeded.count))
        // No sizing or reconciling between cycles: the pool is what the cycle left, less the activated.
        #expect(live.decisions.isEmpty && live.reconcile.created.isEmpty)
        #expect(try runtime.store.shadows(states: [.ready]).count == ready - succeeded.count)
        // The next collection with the same demand activates nothing more: the activated shadows
        // count as running (or, with one shadow, no ready one is left).
        let again = await runtime.liveTrigger()
        #expect(again.activations.isEmpty && again.triggers.isEmpty)
    }

    @Test("live = \"cycle\" and a dry run leave activation to the cycle")
    func cycleOnlyAndDryRunDoNothing() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.liveTriggerEachCollection = false
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        _ = await runtime.cycle()
        let ready = try runtime.store.shadows(states: [.ready]).count
        #expect(ready >= 1)
        await runtime.observe(group: "web", demand: 30, at: f.start + 10)
        let live = await runtime.liveTrigger()
        #expect(live.triggers.isEmpty && live.activations.isEmpty)
        #expect(try runtime.store.shadows(states: [.ready]).count == ready)
    }
}
