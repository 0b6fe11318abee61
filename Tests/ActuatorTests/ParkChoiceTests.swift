@testable import Actuator
import Features
import Hypervisor
import LibvirtHypervisor
import MetricStore
import PSMConfiguration
@testable import Scaling
import Testing
import TimeSeries

@Suite("park = \"auto\": paused memory against a restore's extra misses")
struct ParkChoiceTests {
    /// Survival is linear on [0, 100] (levels 0.05 / 0.95): over (40, 60] it integrates to exactly 10.
    static func demand() throws -> ForecastDistribution { try forecast(levels: [0.05, 0.95], rows: [[0, 100]]) }
    static let latencies = ActivationLatencies(resume: 0, restore: 0.6)

    static func choose(memory: Double?, miss: Double = 10, forecast f: ForecastDistribution?, previous: ParkMode? = nil) throws -> ParkChoice {
        ParkChoice.choose(costs: try CostModel(missCost: miss, reserveCost: 0.5, launchDelay: 120, interval: 300), memoryCost: memory,
                          unit: 10, baselineMemoryMiB: 512, fullMemoryMiB: 2048, shadows: 2, running: 40, forecast: f,
                          latencies: latencies, previous: previous)
    }

    @Test("E[served] is the forecast's survival integrated over the pool's slice; miss and hold as documented")
    func figures() throws {
        let c = try Self.choose(memory: 0.3, forecast: Self.demand())
        #expect(close(c.expectedServed, 10, 1e-9))
        #expect(close(c.missCost, 10 * 0.6 / 300 * 10, 1e-12))
        #expect(close(c.holdCost, 2 * 0.5 * 0.3, 1e-12))
        #expect(c.mode == .save && c.note == nil)
        #expect(c.explanation.contains("park auto → save") && c.explanation.contains("< hold"), "\(c.explanation)")
    }

    @Test("expensive memory saves, expensive misses pause")
    func bothOutcomes() throws {
        #expect(try Self.choose(memory: 5, forecast: Self.demand()).mode == .save)
        #expect(try Self.choose(memory: 0.01, forecast: Self.demand()).mode == .pause)
        let costly = try Self.choose(memory: 0.3, miss: 1_000, forecast: Self.demand())
        #expect(costly.mode == .pause && costly.explanation.contains("≥ hold"), "\(costly.explanation)")
        // No memory price: nothing to save by saving, so the faster mode stays.
        #expect(try Self.choose(memory: 0, forecast: Self.demand()).mode == .pause)
    }

    @Test("the threshold: a hold cost equal to the miss cost pauses, one just above saves")
    func threshold() throws {
        let probe = try Self.choose(memory: 1, forecast: Self.demand())
        // hold = 2 shadows × 0.5 GiB × c_memory = c_memory.
        let atThreshold = try Self.choose(memory: probe.missCost, forecast: Self.demand())
        #expect(atThreshold.holdCost == atThreshold.missCost && atThreshold.mode == .pause)
        #expect(try Self.choose(memory: probe.missCost * (1 + 1e-9), forecast: Self.demand()).mode == .save)
        #expect(try Self.choose(memory: probe.missCost * (1 - 1e-9), forecast: Self.demand()).mode == .pause)
    }

    @Test("without a memory price the cost is derived from c_reserve; without a forecast the last mode stays")
    func defaultsAndGaps() throws {
        #expect(close(ParkChoice.derivedMemoryCost(unit: 10, reserveCost: 0.5, fullMemoryMiB: 2048), 1.25))
        let derived = try Self.choose(memory: nil, forecast: Self.demand())
        #expect(!derived.memoryCostConfigured && close(derived.memoryCost, 1.25) && derived.mode == .save)
        #expect(derived.explanation.contains("derived"))
        let blind = try Self.choose(memory: 5, forecast: nil)
        #expect(blind.mode == .pause && blind.note != nil && blind.missCost.isNaN)
        #expect(try Self.choose(memory: 0.001, forecast: nil, previous: .save).mode == .save)
    }

    @Test("latencies: medians of the group's activations, else all groups', else the defaults")
    func measuredLatencies() {
        var samples = LatencySamples()
        #expect(samples.latencies(group: "web") == .defaults)
        func record(_ group: String, _ steps: [String: Double], _ outcome: ActivationRecord.Outcome = .succeeded) -> ActivationRecord {
            ActivationRecord(id: "\(group)-\(steps)", shadowID: "s", group: group, requestedAt: 0, outcome: outcome, stepLatencies: steps)
        }
        for r in [0.4, 0.5, 0.9] { samples.add(record("api", ["restore": r, "resume": 0.01])) }
        for r in [0.002, 0.003] { samples.add(record("web", ["resume": r])) }
        samples.add(record("web", ["resume": 9], .rolledBack))
        let web = samples.latencies(group: "web")
        // web has two resumes (below 3): the default stands; its restores come from api's.
        #expect(web.resumeSamples == 0 && web.resume == ActivationLatencies.defaults.resume)
        #expect(web.restoreSamples == 3 && close(web.restore, 0.51))
        samples.add(record("web", ["resume": 0.004]))
        #expect(samples.latencies(group: "web").resume == 0.003 && samples.latencies(group: "web").resumeSamples == 3)
        #expect(close(samples.latencies(group: "web").extra, 0.507))
    }
}

@Suite("park = \"auto\" in the configuration and on libvirt's test driver")
struct ParkAutoRuntimeTests {
    static let minimal = """
        [registry]
        dir = "Models"
        [actuator]
        [[actuator.groups]]
        name = "web"
        unit = 10
        """

    @Test("park = \"auto\" and [actuator.costs] memory parse; a bad park value names the key and the choices")
    func configuration() throws {
        let plain = try ActuatorConfiguration.parse(Self.minimal, fileName: "psm.toml")
        #expect(plain.groups[0].autoPark == false && plain.memoryCost == nil)
        let auto = try ActuatorConfiguration.parse(Self.minimal + "\npark = \"auto\"\n[actuator.costs]\nmemory = 0.02\n", fileName: "psm.toml")
        #expect(auto.groups[0].autoPark && auto.groups[0].template.park == .pause && auto.memoryCost == 0.02)
        let saved = try ActuatorConfiguration.parse(Self.minimal + "\npark = \"save\"\n", fileName: "psm.toml")
        #expect(!saved.groups[0].autoPark && saved.groups[0].template.park == .save)
        for bad in [Self.minimal + "\npark = \"automatic\"\n", Self.minimal + "\npark = 1\n",
                    Self.minimal + "\n[actuator.costs]\nmemory = -1\n"] {
            do {
                _ = try ActuatorConfiguration.parse(bad, fileName: "psm.toml")
                Issue.record("accepted: \(bad)")
            } catch {
                let key = bad.contains("memory") ? "memory" : "park"
                #expect(error.description.hasPrefix("psm.toml") && error.description.contains(key), "\(error)")
                if bad.contains("automatic") { #expect(error.description.contains("\"auto\""), "\(error)") }
            }
        }
    }

    /// One cycle of the runtime fixture (demand 10 on 20 running: a pool, no activation) with the
    /// group on `park = "auto"` at these prices; returns the decision and the parked domains' states.
    static func run(miss: Double, memory: Double) async throws -> (SizingDecision, [DomainState], String?) {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.groups[0].autoPark = true
        f.configuration.memoryCost = memory
        f.configuration.sizing.costs = try CostModel(missCost: miss, reserveCost: 0.5, launchDelay: 120, interval: 3600)
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let report = await runtime.cycle()
        #expect(report.problems.isEmpty, "\(report.problems)")
        let decision = try #require(report.decisions.first)
        var states: [DomainState] = []
        for s in try runtime.store.shadows(states: [.ready]) { states.append(try await f.hypervisor.info(s.domainName).state) }
        return (decision, states, try runtime.decisionLog.explain(group: "web")?.last)
    }

    @Test("expensive memory: the group's new shadows are saved; expensive misses: paused; explain says why")
    func runtimeChoosesPerCosts() async throws {
        let (saveDecision, saved, saveLine) = try await Self.run(miss: 10, memory: 1_000)
        let save = try #require(saveDecision.park)
        #expect(save.mode == .save && saveDecision.final > 0, "\(saveDecision.explanation)")
        #expect(!saved.isEmpty && saved.allSatisfy { $0 == .saved }, "\(saved)")
        #expect(saveLine?.hasPrefix("park auto → save") == true, "\(saveLine ?? "no explanation")")
        #expect(save.latencies == .defaults, "nothing measured yet: the documented defaults")

        let (pauseDecision, paused, pauseLine) = try await Self.run(miss: 1_000_000, memory: 0.01)
        let pause = try #require(pauseDecision.park)
        #expect(pause.mode == .pause && (pause.expectedServed ?? 0) > 0, "\(pauseDecision.explanation)")
        #expect(!paused.isEmpty && paused.allSatisfy { $0 == .paused }, "\(paused)")
        #expect(pauseLine?.contains("≥ hold") == true && pauseLine?.contains("E[served]") == true, "\(pauseLine ?? "")")
    }

    @Test("a group without park = \"auto\" carries no choice in its decision")
    func fixedModeHasNoChoice() async throws {
        let f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        await runtime.observe(group: "web", demand: 10, at: f.start)
        let report = await runtime.cycle()
        #expect(report.decisions.first?.park == nil)
    }

    @Test("activation latencies are measured as activations run and seeded from the store at a restart")
    func latenciesAreMeasured() async throws {
        var f = try RuntimeFixture(running: 20)
        defer { f.cleanUp() }
        f.configuration.groups[0].autoPark = true
        f.configuration.memoryCost = 0 // memory free: stays paused, so activations resume
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        var succeeded = 0
        for (i, demand) in [10.0, 30, 45, 60].enumerated() {
            await runtime.observe(group: "web", demand: demand, at: f.start + Int64(i) * 3600)
            succeeded += await runtime.cycle().activations.filter { $0.outcome == .succeeded }.count
            clock.advance(by: 3600)
        }
        #expect(succeeded >= 3)
        let live = await runtime.latencySamples.latencies(group: "web")
        #expect(live.resumeSamples == succeeded && live.restoreSamples == 0 && live.resume < 1, "\(live)")
        let restarted = try await f.runtime(clock: clock)
        let seeded = await restarted.latencySamples.latencies(group: "web")
        #expect(seeded == live, "the store's activations give the same medians after a restart")
        #expect(seeded.restore == ActivationLatencies.defaults.restore, "no saved shadow was activated: the default stands")
    }
}

