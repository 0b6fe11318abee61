@testable import Actuator
import Foundation
import Hypervisor
import MetricStore
import ModelRegistry
@testable import Scaling
import ScoringTestSupport
import Testing

/// The memory side live (issue 14 item 4): a group whose memory model `<group>.memory_mib` is
/// published is sized by the binding resource and activates VMs with its memory forecast's share;
/// a group without one decides exactly as before. On libvirt's test driver (which reports no
/// balloon, so the collector's memory sums are handed to the runtime as a collection would).
@Suite("Memory models in the runtime")
struct MemoryRuntimeTests {
    /// Publishes a seasonal-naive memory model for "web" (series `web/memory_mib`, MiB around `level`)
    /// on the CPU model's grid.
    static func publishMemoryModel(_ f: RuntimeFixture, level: Double) throws {
        let registry = ModelRegistry(root: URL(fileURLWithPath: f.configuration.registry))
        let values = ScoringFixture.values(count: 96, level: level)
        _ = try ScoringFixture.publish(registry, group: "web.memory_mib", kind: "seasonal-naive", components: ["seasonal-naive"],
                                       inputs: [ScoringFixture.input("web/memory_mib", values)])
    }

    /// What the collector hands over for "web": its memory sum (MiB) at `time`.
    static func collection(memory: Double, at time: Int64) -> CollectionReport {
        var report = CollectionReport(time: time)
        report.groups = [GroupSample(group: "web", time: time, sums: ["memory_mib": memory], members: [], memberUnits: 0)]
        return report
    }

    /// One dry-run cycle at the fixture's start with CPU demand 20 on 20 running and 4096 MiB held.
    static func decide(_ f: RuntimeFixture, collect: Bool = true) async throws -> SizingDecision {
        let runtime = try await ActuatorRuntime(configuration: f.configuration, clock: ManualWallClock(f.start), dryRun: true,
                                                connect: { _ in f.hypervisor })
        await runtime.observe(group: "web", demand: 20, at: f.start)
        if collect { await runtime.apply(Self.collection(memory: 4096, at: f.start)) }
        let report = await runtime.cycle()
        #expect(report.problems.isEmpty, "\(report.problems)")
        return try #require(report.decisions.first)
    }

    /// The JSON the decision log stores (`DecisionJSON`).
    static func json(_ d: SizingDecision) throws -> Data { Data(DecisionJSON.encode(d).utf8) }

    @Test("a memory forecast above what CPU needs makes memory bind and the pool larger; explain says both")
    func memoryBinds() async throws {
        let plain = try RuntimeFixture(maximum: 10)
        defer { plain.cleanUp() }
        let cpuOnly = try await Self.decide(plain)
        #expect(cpuOnly.memory == nil)

        let f = try RuntimeFixture(maximum: 10)
        defer { f.cleanUp() }
        // ≈ 8000 MiB forecast against 4096 held: ⌈(q − 4096) / 1024⌉ ≥ 4 shadows, more than CPU's 1.
        try Self.publishMemoryModel(f, level: 8000)
        let decision = try await Self.decide(f)
        let memory = try #require(decision.memory)
        #expect(memory.binding == .memory)
        #expect(memory.shortfall?.running == 4096 && memory.shortfall?.unit == 1024)
        let q = try #require(memory.quantile.value)
        #expect(q > 7900 && q < 9000, "\(q)")
        #expect(memory.shadows == Int(((q - 4096) / 1024).rounded(.up)) && memory.shadows >= 4, "\(memory)")
        #expect(memory.shadows > cpuOnly.rawTarget)
        #expect(decision.rawTarget == memory.shadows)
        #expect(decision.final == memory.shadows && decision.final > cpuOnly.final)
        // The CPU figures are the same as without a memory model.
        #expect(decision.quantile == cpuOnly.quantile && decision.shortfall == cpuOnly.shortfall)
        let lines = decision.explanation
        #expect(lines.contains { $0.hasPrefix("q") && $0.contains("units") })
        #expect(lines.contains { $0.hasPrefix("memory q") && $0.hasSuffix("memory binds") && $0.contains("running 4096 MiB") })
        // The stored decision (what `psm-actuator explain` prints) holds the memory line and key.
        let stored = try #require(try DecisionLog(store: MetricStore(path: f.configuration.store)).decisions(group: "web").first)
        #expect(stored.explanation.contains { $0.hasSuffix("memory binds") })
        #expect(String(decoding: try Self.json(decision), as: UTF8.self).contains("\"memory\":{"))
    }

    @Test("the API's forecast view carries the memory model's forecast and the MiB held; without one it has no memory")
    func forecastViewShowsMemory() async throws {
        let f = try RuntimeFixture(maximum: 10)
        defer { f.cleanUp() }
        try Self.publishMemoryModel(f, level: 8000)
        let runtime = try await ActuatorRuntime(configuration: f.configuration, clock: ManualWallClock(f.start), dryRun: true,
                                                connect: { _ in f.hypervisor })
        await runtime.observe(group: "web", demand: 20, at: f.start)
        await runtime.apply(Self.collection(memory: 4096, at: f.start))
        _ = await runtime.cycle()
        let view = try await runtime.forecast(group: "web")
        let memory = try #require(view.memory)
        #expect(memory.modelVersion == runtime.memoryCatalog.version(group: "web.memory_mib")?.id)
        #expect(memory.heldMiB == 4096 && memory.steps.count == f.configuration.horizon)
        #expect(memory.steps.allSatisfy { ($0.quantiles["0.5"] ?? 0) > 7000 })

        let plain = try RuntimeFixture(maximum: 10)
        defer { plain.cleanUp() }
        let other = try await ActuatorRuntime(configuration: plain.configuration, clock: ManualWallClock(plain.start), dryRun: true,
                                              connect: { _ in plain.hypervisor })
        await other.observe(group: "web", demand: 20, at: plain.start)
        _ = await other.cycle()
        #expect(try await other.forecast(group: "web").memory == nil)
    }

    @Test("a memory forecast below what runs leaves CPU binding; before any collection the template's memory per unit is held")
    func cpuBindsAndTemplateFallback() async throws {
        let f = try RuntimeFixture(maximum: 10)
        defer { f.cleanUp() }
        try Self.publishMemoryModel(f, level: 1000)
        let decision = try await Self.decide(f)
        #expect(decision.memory?.binding == .cpu && decision.memory?.shadows == 0)
        // No memory collected: 20 running units at 1024 MiB per 10 units.
        let g = try RuntimeFixture(maximum: 10).withMemoryModel(level: 1000)
        defer { g.cleanUp() }
        let uncollected = try await Self.decide(g, collect: false)
        #expect(uncollected.memory?.shortfall?.running == 2048)
    }

    @Test("without a memory model the decision is byte-identical whatever memory was collected")
    func noMemoryModelIsUnchanged() async throws {
        let a = try RuntimeFixture(maximum: 10)
        defer { a.cleanUp() }
        let b = try RuntimeFixture(maximum: 10)
        defer { b.cleanUp() }
        let collected = try await Self.decide(a, collect: true)
        let untouched = try await Self.decide(b, collect: false)
        #expect(collected.memory == nil)
        #expect(try Self.json(collected) == Self.json(untouched))
        #expect(!String(decoding: try Self.json(collected), as: UTF8.self).contains("memory"))
    }

    @Test("a triggered activation gets its memory forecast's share: above the CPU share's memory, below the full size")
    func activationUsesTheMemoryForecast() async throws {
        var f = try RuntimeFixture(running: 26, maximum: 10, forecastLevel: 0.9)
        defer { f.cleanUp() }
        f.configuration.groups[0].template.baselinePolicy = BaselinePolicy(vcpuFraction: 0.5, memoryFraction: 0.25)
        // ≈ 4700 MiB forecast against 4096 held: about 600 MiB more for the one VM activated.
        try Self.publishMemoryModel(f, level: 4700)
        let clock = ManualWallClock(f.start)
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        await runtime.apply(Self.collection(memory: 4096, at: f.start))
        _ = await runtime.cycle()
        #expect(try runtime.store.shadows(states: [.ready]).count >= 1)
        clock.advance(by: 3600)
        // 22 units on 26 running (θ 0.8 → 20.8): one VM.
        await runtime.observe(group: "web", demand: 22, at: f.start + 3600)
        let report = await runtime.cycle()
        let record = try #require(report.activations.first { $0.outcome == .succeeded })
        let predicted = try #require(record.predicted)
        // The CPU share (a few units of 10 at 102.4 MiB each) would give well under 600 MiB.
        #expect((590...720).contains(predicted.memoryMiB), "\(predicted)")
        #expect(record.applied?.memoryMiB == predicted.memoryMiB)
    }
}

extension RuntimeFixture {
    /// The fixture with a memory model for "web" around `level` MiB.
    func withMemoryModel(level: Double) throws -> RuntimeFixture {
        try MemoryRuntimeTests.publishMemoryModel(self, level: level)
        return self
    }
}
