import Actuator
import Foundation
import MetricStore
import Scaling
import Testing
import TimeSeries

/// Opt-in: `PSM_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter SizingBenchmark`.
/// One sizing cycle for 10,000 groups (docs/benchmarks.md, "Actuator sizing cycle").
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PSM_BENCH"] == "1"))
struct SizingBenchmark {
    static let groups = 10_000

    /// 10,000 groups, 12 one-minute steps at 5 levels; a 10-minute lead time (10 steps in the window).
    /// Demand scales differ by group so pools range from 0 to ~10 shadows.
    static func inputs() throws -> [SizingInput] {
        let levels = [0.1, 0.5, 0.9, 0.95, 0.99]
        var out: [SizingInput] = []
        out.reserveCapacity(groups)
        for g in 0..<groups {
            let scale = 50 + Double(g % 97) * 5
            let rows = (0..<12).map { h -> [Double] in
                let m = scale * (1 + 0.1 * sin(Double(h + g) * 0.7))
                let s = 0.1 * m
                return [m - 1.2816 * s, m, m + 1.2816 * s, m + 1.6449 * s, m + 2.3263 * s]
            }
            let f = try ForecastDistribution(grid: TimeGrid(axis: .time, start: 0, step: 60, count: 12), levels: levels,
                                             mean: rows.map { $0[1] }, quantiles: rows)
            // Units and running capacity vary on other cycles than the scale, so pools differ.
            out.append(SizingInput(group: "group-\(String(g, radix: 10))", forecast: f,
                                   running: scale * (0.7 + 0.03 * Double(g % 11)),
                                   unit: 2 + Double(g % 13), currentPool: g % 4))
        }
        return out
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15
    }

    @Test func tenThousandGroupsOneCycle() throws {
        let inputs = try Self.inputs()
        let policy = try SizingPolicy(costs: CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120),
                                      leadTime: 600, hysteresis: HysteresisPolicy(cooldown: 900),
                                      budget: 30_000, defaultBounds: GroupBounds(minimum: 0, maximum: 20))
        let clock = ManualWallClock(1_700_000_000)
        let clockRef = ContinuousClock()
        var unconstrained: [Double] = [], budgeted: [Double] = [], explain: [Double] = [], store: [Double] = []
        var encode: [Double] = []
        var requested = 0, funded = 0, placed = 0
        for _ in 0..<5 {
            // Fresh state per run: every run does the same work (no hysteresis carried over).
            var free = try Sizer(policy: SizingPolicy(costs: policy.costs, leadTime: 600, hysteresis: policy.hysteresis,
                                                      defaultBounds: policy.defaultBounds), clock: clock)
            unconstrained.append(Self.ms(clockRef.measure { _ = free.decide(inputs, freeCapacity: .infinity) }))

            var sizer = try Sizer(policy: policy, clock: clock)
            var cycle: SizingCycle?
            budgeted.append(Self.ms(clockRef.measure { cycle = sizer.decide(inputs, freeCapacity: 150_000) }))
            let decisions = cycle?.decisions ?? []
            requested = decisions.reduce(0) { $0 + $1.afterHysteresis }
            funded = decisions.reduce(0) { $0 + $1.afterBudget }
            placed = decisions.reduce(0) { $0 + $1.final }
            explain.append(Self.ms(clockRef.measure { _ = decisions.reduce(0) { $0 + $1.explanation.count } }))
            let encoder = JSONEncoder()
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf",
                                                                          negativeInfinity: "-inf", nan: "nan")
            encode.append(Self.ms(try clockRef.measure { for d in decisions { _ = try encoder.encode(d) } }))
            let log = DecisionLog(store: try MetricStore.inMemory())
            store.append(Self.ms(try clockRef.measure { try log.record(decisions) }))
        }
        print(String(format: "sizing bench: %d groups; asked %d, budget funded %d, capacity placed %d", Self.groups,
                     requested, funded, placed))
        print("sizing bench: no budget/capacity limit (ms):", unconstrained.map { String(format: "%.1f", $0) }, "median",
              String(format: "%.1f", Self.median(unconstrained)))
        print("sizing bench: budget + capacity binding (ms):", budgeted.map { String(format: "%.1f", $0) }, "median",
              String(format: "%.1f", Self.median(budgeted)))
        print("sizing bench: explanation lines for all (ms): median", String(format: "%.1f", Self.median(explain)))
        print("sizing bench: JSON encoding of all, with explanations (ms): median", String(format: "%.1f", Self.median(encode)))
        print("sizing bench: DecisionLog.record of all, in-memory store (ms): median", String(format: "%.1f", Self.median(store)))
        #expect(funded < requested && placed < funded, "the benchmark must exercise both limits")
    }
}
