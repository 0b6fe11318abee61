@testable import Actuator
import Calibration
import Foundation
import MetricStore
@testable import Scaling
import Testing

/// The sizer's online state (ACI, hysteresis) and the cost loop's window survive a restart
/// through the store (docs/actuator.md, "Restarts and crashes").
@Suite("Actuator state across restarts")
struct RuntimeStateTests {
    /// Hourly cycles; a 3-hour cooldown and a 2-hour cost window, so a hysteresis stretch and a
    /// cost-loop change both cross the restart.
    static func fixture() throws -> RuntimeFixture {
        var f = try RuntimeFixture(running: 20, unit: 10, maximum: 4)
        f.configuration.sizing.hysteresis = try HysteresisPolicy(cooldown: 3 * 3600)
        f.configuration.costWindow = 2 * 3600
        return f
    }

    static let demand: [Double] = [10, 12, 9, 11, 10, 8, 12, 10]
    /// From hour 2 on, 30 more units run (on-demand VMs): the target falls below the pool.
    static func extra(_ hour: Int) -> Double { hour >= 2 ? 30 : 0 }

    /// Feeds hour `h` and runs its cycle.
    static func step(_ runtime: ActuatorRuntime, _ clock: ManualWallClock, _ f: RuntimeFixture, hour h: Int) async -> CycleReport {
        let t = f.start + Int64(h) * 3600
        if clock.now() < t { clock.advance(by: t - clock.now()) }
        await runtime.observe(group: "web", demand: demand[h], at: t)
        await runtime.setExtraRunning(group: "web", units: extra(h))
        return await runtime.cycle()
    }

    @Test("a restarted runtime restores the ACI level, the hysteresis stretch and the cost window, and decides as an uninterrupted one")
    func restartDecidesAsUninterrupted() async throws {
        let fa = try Self.fixture(), fb = try Self.fixture()
        defer { fa.cleanUp(); fb.cleanUp() }
        let ca = ManualWallClock(fa.start), cb = ManualWallClock(fb.start)
        let a = try await fa.runtime(clock: ca)
        var before: [CycleReport] = []
        var uninterrupted: [CycleReport] = []
        for h in 0..<Self.demand.count { uninterrupted.append(await Self.step(a, ca, fa, hour: h)) }

        let b1 = try await fb.runtime(clock: cb)
        for h in 0..<4 { before.append(await Self.step(b1, cb, fb, hour: h)) }
        let sizing = await b1.sizingState("web")
        let loop = await b1.costLoopState()
        // What has to carry over: ACI has scored demand, a stretch below the pool is running (since
        // hour 2), the cost loop has lowered the maximum at hour 2 and charged hour 3 to its new window.
        #expect(sizing.aci.observations == 3 && sizing.lastSized != nil)
        #expect(sizing.hysteresis.lowerSince == fb.start + 2 * 3600, "\(before.map { $0.decisions.first?.explanation ?? [] })")
        #expect(loop.bounds["web"]?.maximum == 3 && loop.windowStart == fb.start + 2 * 3600 && !loop.entries.isEmpty,
                "\(loop)")

        // The restart: a new runtime on the same store file and host.
        let b2 = try await fb.runtime(clock: cb)
        #expect(await b2.stateRestore == .restored(groups: 1, time: fb.start + 3 * 3600))
        #expect(await b2.sizingState("web") == sizing)
        #expect(await b2.costLoopState() == loop)
        // The model's observations are not part of this state (the catalog keeps them in memory):
        // give the new model the hours it saw, so that only the restored state can make a difference.
        let series = b2.catalog.scorer(group: "web")?.seriesIDs.first ?? "web"
        try b2.catalog.record(group: "web", seriesID: series, observations: Array(Self.demand[0..<4]), startingAt: fb.start,
                              step: 3600, events: [])
        var after: [CycleReport] = []
        for h in 4..<Self.demand.count { after.append(await Self.step(b2, cb, fb, hour: h)) }
        #expect(after.flatMap(\.problems).isEmpty, "\(after.flatMap(\.problems))")
        for (x, y) in zip(uninterrupted[4...], after) {
            #expect(x.decisions == y.decisions, "\(x.decisions.first?.explanation ?? []) vs \(y.decisions.first?.explanation ?? [])")
        }
        // The pool shrank at hour 5 (3 h after the stretch began at hour 2), not 3 h after the restart.
        #expect(after[1].decisions.first?.hysteresis.action == .scaleDown, "\(after[1].decisions.first?.explanation ?? [])")
        #expect(await b2.sizingState("web") == (await a.sizingState("web")))
        #expect(await b2.costLoopState() == (await a.costLoopState()))
    }

    @Test("a corrupted or unknown-version stored state is reported and the runtime starts fresh", arguments: [
        (1, "{\"groups\": {\"web\": 17}", "cannot be decoded"),
        (99, "{}", "format version 99 is unknown"),
    ])
    func badStoredStateStartsFresh(version: Int, json: String, words: String) async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let first = try await f.runtime(clock: clock)
        _ = await Self.step(first, clock, f, hour: 0)
        _ = await Self.step(first, clock, f, hour: 1)
        let fresh = try Sizer(policy: f.configuration.sizing, clock: clock).state(of: "web")
        #expect(await first.sizingState("web") != fresh)
        try first.store.save(states: [StoredState(name: "sizing", version: version, time: f.start + 3600, json: json)])

        let second = try await f.runtime(clock: clock)
        guard case .discarded(let reason) = await second.stateRestore else {
            Issue.record("restored: \(await second.stateRestore)")
            return
        }
        #expect(reason.contains(words) && reason.contains("starting fresh"), "\(reason)")
        #expect(await second.sizingState("web") == fresh)
        #expect(await second.costLoopState() == CostLoopState(windowStart: f.start + 3600, entries: [], bounds: [:]))
        // Said once, in the first cycle's problems (the service logs them), and the cycle goes on.
        let report = await Self.step(second, clock, f, hour: 2)
        #expect(report.problems.contains { $0.contains(words) }, "\(report.problems)")
        #expect(report.decisions.count == 1)
        #expect(await Self.step(second, clock, f, hour: 3).problems.allSatisfy { !$0.contains("sizing state") })
        // The next cycle wrote a good state again.
        let third = try await f.runtime(clock: clock)
        #expect(await third.stateRestore == .restored(groups: 1, time: f.start + 3 * 3600))
        #expect(await third.sizingState("web") == (await second.sizingState("web")))
    }

    @Test("a state written later than the clock (a replay of an earlier period on the same store) is not restored; a dry run writes none")
    func laterStateAndDryRun() async throws {
        let f = try Self.fixture()
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start + 5 * 3600)
        let first = try await f.runtime(clock: clock)
        _ = await Self.step(first, clock, f, hour: 5)
        let earlier = ManualWallClock(f.start)
        let replay = try await f.runtime(clock: earlier)
        guard case .discarded(let reason) = await replay.stateRestore else {
            Issue.record("restored: \(await replay.stateRestore)")
            return
        }
        #expect(reason.contains("after the clock"), "\(reason)")

        let g = try Self.fixture()
        defer { g.cleanUp() }
        let dry = try await ActuatorRuntime(configuration: g.configuration, clock: ManualWallClock(g.start), dryRun: true,
                                            connect: { _ in g.hypervisor })
        await dry.observe(group: "web", demand: 10, at: g.start)
        _ = await dry.cycle()
        #expect(try dry.store.state(named: "sizing") == nil)
        #expect(try dry.decisionLog.decisions(group: "web").count == 1)
    }
}
