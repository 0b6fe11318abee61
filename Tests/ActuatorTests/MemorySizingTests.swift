@testable import Actuator
import Foundation
@testable import Scaling
import Testing

/// Issue 14 item 4, sizer part: shadows needed = max over CPU and memory.
@Suite("Sizing by the binding resource")
struct MemorySizingTests {
    func sizer() throws -> Sizer {
        let costs = try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120, interval: 60)
        return try Sizer(policy: try SizingPolicy(costs: costs, leadTime: 60, hysteresis: HysteresisPolicy(cooldown: 0),
                                                  defaultBounds: GroupBounds(minimum: 0, maximum: 20)),
                         clock: ManualWallClock(0))
    }

    /// CPU demand 50 units on 40 running, unit 10 → 1 shadow.
    func input(memory: MemoryInput?) throws -> SizingInput {
        var input = SizingInput(group: "web", forecast: try forecast(levels: [0.05, 0.5, 0.99], rows: [[45, 48, 50]]),
                                running: 40, unit: 10, currentPool: 0)
        input.memory = memory
        return input
    }

    @Test("memory that needs more shadows than CPU sizes the pool, and explain says memory binds")
    func memoryBinds() throws {
        var s = try sizer()
        // Memory q ≈ 12,000 MiB on 8,192 running, 1,024 MiB per shadow → 4 shadows.
        let memory = MemoryInput(forecast: try forecast(levels: [0.05, 0.5, 0.99], rows: [[11_000, 11_500, 12_000]]),
                                 running: 8_192, unit: 1_024)
        let d = try #require(s.decide([try input(memory: memory)], freeCapacity: .infinity).decisions.first)
        #expect(d.shortfall?.shadows == 1)
        #expect(d.memory?.binding == .memory && d.memory?.shadows == 4)
        #expect(d.rawTarget == 4 && d.final == 4)
        #expect(d.explanation.contains { $0.contains("MiB") && $0.hasSuffix("memory binds") })
        #expect(DecisionJSON.encode(d) == (try DecisionLogTests.reference(d)))
        #expect(DecisionJSON.encode(d).contains(#""binding":"memory""#))
    }

    @Test("memory covered: CPU binds; no memory input: the decision is exactly as before")
    func cpuBindsOrUnchanged() throws {
        var s = try sizer()
        let memory = MemoryInput(forecast: try forecast(levels: [0.05, 0.5, 0.99], rows: [[1_000, 1_100, 1_200]]),
                                 running: 8_192, unit: 1_024)
        let d = try #require(s.decide([try input(memory: memory)], freeCapacity: .infinity).decisions.first)
        #expect(d.memory?.binding == .cpu && d.final == 1)
        var t = try sizer()
        let plain = try #require(t.decide([try input(memory: nil)], freeCapacity: .infinity).decisions.first)
        #expect(plain.memory == nil && plain.final == 1)
        #expect(!DecisionJSON.encode(plain).contains("memory"))
        #expect(!plain.explanation.contains { $0.contains("binds") })
    }
}
