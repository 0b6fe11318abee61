@testable import Actuator
import Calibration
import Foundation
import MetricStore
@testable import Scaling
import Testing
import TimeSeries

/// The decision log's hand-written JSON against Foundation's `JSONEncoder` (the independent
/// reference: what the log stored before, and what readers without the actuator parse).
@Suite struct DecisionLogTests {
    /// The encoder the log used before `DecisionJSON`: sorted keys, non-finite numbers as strings.
    static func reference(_ d: SizingDecision) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = DecisionLog.floats
        return String(decoding: try encoder.encode(d), as: UTF8.self)
    }

    /// Real decisions from a sizer with a budget and host capacity that bind (every step has values).
    static func decisions() throws -> [SizingDecision] {
        let policy = try SizingPolicy(costs: CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120), leadTime: 120,
                                      hysteresis: HysteresisPolicy(cooldown: 300), budget: 12,
                                      defaultBounds: GroupBounds(minimum: 1, maximum: 8))
        let clock = ManualWallClock(1_700_000_000)
        var sizer = try Sizer(policy: policy, clock: clock)
        var out: [SizingDecision] = []
        var pools = [0, 3, 9, 2]
        for round in 0..<4 {
            let inputs = try (0..<4).map { g in
                SizingInput(group: "g/\(g)", forecast: try forecast(levels: [0.1, 0.5, 0.9, 0.99],
                                                                    rows: [[10, 40, 70, 95], [12, 44, 80, 101 + Double(round * g)]]),
                            running: 20 + 7.5 * Double(g), unit: 3 + 0.1 * Double(g), currentPool: pools[g])
            }
            let cycle = sizer.decide(inputs, freeCapacity: 17.25)
            pools = cycle.decisions.map(\.final)
            for (g, d) in cycle.decisions.enumerated() { sizer.recordDemand(group: d.group, actual: Double(60 + 13 * g * round)) }
            out += cycle.decisions
            clock.advance(by: 300)
        }
        return out
    }

    @Test("the log's JSON is byte for byte what JSONEncoder writes, for decisions that reach every step")
    func matchesJSONEncoderOnRealDecisions() throws {
        let all = try Self.decisions()
        #expect(all.contains { $0.budget.cutoffValue != nil } && all.contains { $0.hysteresis.lowerFor != nil }
                && all.contains { $0.target.observedCoverage != nil }, "the fixture must reach the optional fields")
        for d in all {
            #expect(DecisionJSON.encode(d) == (try Self.reference(d)))
        }
    }

    @Test("every optional, enum case, non-finite number and escaped character is written as JSONEncoder writes it")
    func matchesJSONEncoderOnEdgeCases() throws {
        let base = try #require(try Self.decisions().last)
        let numbers: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 412, 0.1 + 0.2, 1e-7, 1e21, -3.5e-300, 123_456_789.125,
                                 Double.greatestFiniteMagnitude, Double.leastNonzeroMagnitude]
        var cases: [SizingDecision] = []
        for (i, x) in numbers.enumerated() {
            var d = base
            d.running = x
            d.unit = numbers[(i + 3) % numbers.count]
            d.target.observedCoverage = i % 2 == 0 ? nil : x
            d.target.correctedLevel = x
            d.quantile.value = i % 3 == 0 ? nil : x
            d.quantile.step = i % 4 == 0 ? nil : i
            d.quantile.sizedAt = [nil, .unboundedAbove, .unboundedBelow, .finite(value: x, level: 0.97, extrapolated: i % 2 == 0)][i % 4]
            d.quantile.kind = [.finite, .unboundedAbove, .unboundedBelow, .unavailable][i % 4]
            d.shortfall = i % 2 == 0 ? nil : Shortfall(quantile: 50, running: 20, unit: 3)
            d.diagnostic = i % 3 == 1 ? nil : "running \(x) \"is\" not/usable\\ \n\t\r\u{8}\u{c}\u{1}\u{1f} é → ∞"
            d.budget.budget = i % 2 == 0 ? nil : 7
            d.budget.cutoffValue = i % 3 == 0 ? nil : x
            d.budget.firstCutValue = i % 5 == 0 ? nil : -x
            d.capacity.free = x
            d.hysteresis.lowerFor = i % 2 == 0 ? nil : Int64(i) * 300
            d.hysteresis.action = [.scaleUp, .steady, .holding, .scaleDown][i % 4]
            d.group = i % 2 == 0 ? "web/eu-1" : "g\u{0}\u{7f}\"x\""
            d.time = Int64(i) * -1_000_000_007
            if i % 3 != 2 {
                d.park = ParkChoice(mode: i % 2 == 0 ? .save : .pause, shadows: i, baselineMemoryGiB: x, memoryCost: -x,
                                    memoryCostConfigured: i % 2 == 1, holdCost: x, missCost: i % 3 == 0 ? .nan : x,
                                    expectedServed: i % 3 == 0 ? nil : x,
                                    latencies: ActivationLatencies(resume: x, restore: 0.65, resumeSamples: i, restoreSamples: 3),
                                    note: i % 3 == 0 ? "no \"usable\" forecast/" : nil)
            }
            if i % 2 == 0 {
                // The cost level: finite, −∞ (a zero wait) and capped.
                d.ahead = AheadLevel(runCost: x, reserveCost: 0.25, missCost: i % 4 == 0 ? x * 1e6 : 5, wait: Double(i % 3) * 60,
                                     interval: 300, floor: 0.5)
            }
            cases.append(d)
        }
        for d in cases {
            #expect(DecisionJSON.encode(d) == (try Self.reference(d)))
        }
    }

    @Test("decisions written by the log read back equal, explanation included")
    func roundTrip() throws {
        let log = DecisionLog(store: try MetricStore.inMemory())
        let all = try Self.decisions()
        try log.record(all)
        for group in Set(all.map(\.group)) {
            let back = try log.decisions(group: group, limit: 10)
            #expect(back == all.filter { $0.group == group }.reversed())
            #expect(try log.explain(group: group) == all.last { $0.group == group }?.explanation)
        }
    }
}
