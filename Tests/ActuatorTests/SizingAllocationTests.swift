@testable import Actuator
@testable import Scaling
import Testing
import TimeSeries

/// The groups of `allocationGroups()`, with c_miss 1 and c_reserve 0.1 (τ = 1/1.1 ≈ 0.909):
/// - a: q0.05 = 0, q0.95 = 100, so P(D > y) = 0.95 − 0.009 y on [0, 100]; running 0, unit 20.
///   q_τ = 100 (τ − 0.05) / 0.9 = 95.45 → ⌈95.45 / 20⌉ = 5 shadows. Shadow j covers
///   [20(j−1), 20j]: value = 20 (0.95 − 0.009 (20j − 10)) − 0.1·20 = 18.8 − 3.6 j
///   → 15.2, 11.6, 8.0, 4.4, 0.8.
/// - b: same distribution, running 40, unit 10: ⌈55.45 / 10⌉ = 6 shadows; shadow j covers
///   [30 + 10j, 40 + 10j]: value = 10 (0.95 − 0.009 (35 + 10j)) − 1 = 5.35 − 0.9 j
///   → 4.45, 3.55, 2.65, 1.75, 0.85, −0.05.
/// - c: q0.95 = 200, P(D > y) = 0.95 − 0.0045 y, running 0, unit 40: ⌈190.9 / 40⌉ = 5 shadows;
///   value = 40 (0.95 − 0.0045 (40j − 20)) − 4 = 37.6 − 7.2 j → 30.4, 23.2, 16.0, 8.8, 1.6.
/// The survival function is linear on every slice, where Simpson's rule is exact: the tolerance
/// 1e-9 only absorbs rounding.
@Suite struct SizingAllocationTests {
    func requests(current: [Int] = [0, 0, 0]) throws -> [AllocationRequest] {
        let desired = [5, 6, 5]
        return try allocationGroups().enumerated().map { i, g in
            AllocationRequest(group: g.group, desired: desired[i], current: current[i], unit: g.unit,
                              running: g.running, forecast: g.forecast, step: 1)
        }
    }

    @Test func marginalValuesMatchTheHandComputedIntegrals() throws {
        let costs = try allocationCosts()
        let r = try requests()
        let expected: [[Double]] = [[15.2, 11.6, 8.0, 4.4, 0.8], [4.45, 3.55, 2.65, 1.75, 0.85, -0.05],
                                    [30.4, 23.2, 16.0, 8.8, 1.6]]
        for (request, values) in zip(r, expected) {
            let got = request.marginalValues(costs: costs)
            #expect(got.count == values.count)
            for (g, e) in zip(got, values) { #expect(close(g, e), "\(request.group): \(got) vs \(values)") }
        }
    }

    @Test func budgetFundsTheMostValuableShadows() throws {
        // Ranking: c1 30.4, c2 23.2, c3 16.0, a1 15.2, a2 11.6, c4 8.8, a3 8.0, b1 4.45 | a4 4.4, …
        // A budget of 8 of the 16 asked for funds a 3, b 1, c 4; the cutoff is b1 = 4.45.
        let out = BudgetAllocator.allocate(try requests(), budget: 8, freeCapacity: .infinity, costs: try allocationCosts())
        #expect(out.map(\.budget.after) == [3, 1, 4])
        #expect(out.map(\.capacity.after) == [3, 1, 4])
        #expect(out.allSatisfy { $0.budget.requestedTotal == 16 && close($0.budget.cutoffValue, 4.45) })
        #expect(close(out[0].budget.firstCutValue, 4.4) && close(out[1].budget.firstCutValue, 3.55)
                && close(out[2].budget.firstCutValue, 1.6))
    }

    @Test func aBudgetThatCoversEveryRequestChangesNothing() throws {
        let out = BudgetAllocator.allocate(try requests(), budget: 16, freeCapacity: .infinity, costs: try allocationCosts())
        #expect(out.map(\.budget.after) == [5, 6, 5] && out.allSatisfy { $0.budget.cutoffValue == nil })
        let zero = BudgetAllocator.allocate(try requests(), budget: 0, freeCapacity: .infinity, costs: try allocationCosts())
        #expect(zero.map(\.budget.after) == [0, 0, 0])
    }

    @Test func equalValuesAreBrokenByGroupName() throws {
        let g = try allocationGroups()[0]
        let twins = ["z", "m"].map {
            AllocationRequest(group: $0, desired: 2, current: 0, unit: g.unit, running: 0, forecast: g.forecast, step: 1)
        }
        // Both rank 15.2, 15.2, 11.6, 11.6: a budget of 3 gives the extra shadow to "m".
        let out = BudgetAllocator.allocate(twins, budget: 3, freeCapacity: .infinity, costs: try allocationCosts())
        #expect(out.map(\.budget.after) == [1, 2])
    }

    @Test func hostCapacityPlacesNewShadowsByValue() throws {
        // 100 units free: c1 (40), c2 (40) → 20 left; c3 needs 40: c stops; a1 (20) → 0 left;
        // a2 and b1 do not fit. a 1, b 0, c 2.
        let out = BudgetAllocator.allocate(try requests(), budget: nil, freeCapacity: 100, costs: try allocationCosts())
        #expect(out.map(\.budget.after) == [5, 6, 5])
        #expect(out.map(\.capacity.after) == [1, 0, 2])
        let needed: Double = 5 * 20 + 6 * 10 + 5 * 40
        #expect(out.allSatisfy { $0.capacity.neededTotal == needed })
    }

    @Test func existingShadowsNeedNoNewCapacity() throws {
        // c already holds 2: c1, c2 keep their reservation; c3 (40) does not fit in 30;
        // a1 (20) → 10 left; a2 does not fit; b1 (10) → 0 left.
        let out = BudgetAllocator.allocate(try requests(current: [0, 0, 2]), budget: nil, freeCapacity: 30,
                                           costs: try allocationCosts())
        #expect(out.map(\.capacity.after) == [1, 1, 2])
        // A NaN free capacity places nothing new but keeps what exists.
        let nan = BudgetAllocator.allocate(try requests(current: [0, 0, 2]), budget: nil, freeCapacity: .nan,
                                           costs: try allocationCosts())
        #expect(nan.map(\.capacity.after) == [0, 0, 2])
    }

    @Test func lazyRankingEqualsAFullSortOfEveryShadow() throws {
        // 60 groups over 7 distinct distributions (so values tie across groups), units 5…15.
        var requests: [AllocationRequest] = []
        for g in 0..<60 {
            let k = Double(g % 7)
            let f = try forecast(levels: [0.1, 0.5, 0.9], rows: [[50 + k, 80 + 3 * k, 100 + 9 * k]])
            requests.append(AllocationRequest(group: "g\((g * 37) % 60)", desired: 1 + g % 9, current: 0,
                                              unit: 5 + Double(g % 11), running: 40 + k, forecast: f, step: 1))
        }
        let costs = try allocationCosts()
        var all: [(value: Double, group: String, shadow: Int)] = []
        for r in requests {
            for (j, v) in r.marginalValues(costs: costs).enumerated() { all.append((v, r.group, j + 1)) }
        }
        all.sort { a, b in a.value != b.value ? a.value > b.value : a.group != b.group ? a.group < b.group : a.shadow < b.shadow }
        let ranked = BudgetAllocator.rank(requests, costs: costs)
        #expect(ranked.count == all.count)
        #expect(ranked.map { "\(requests[$0.index].group)#\($0.shadow)" } == all.map { "\($0.group)#\($0.shadow)" })
    }

    @Test func sizerAppliesBudgetAcrossGroups() throws {
        let policy = try SizingPolicy(costs: try allocationCosts(), leadTime: 60, budget: 8)
        var sizer = try Sizer(policy: policy, clock: ManualWallClock(1_000))
        let cycle = sizer.decide(try allocationGroups(), freeCapacity: .infinity)
        #expect(cycle.decisions.map(\.rawTarget) == [5, 6, 5])
        #expect(cycle.decisions.map(\.final) == [3, 1, 4])
        let a = cycle.decisions[0]
        #expect(close(a.quantileValue, 100 * (1 / 1.1 - 0.05) / 0.9, 1e-9))
        #expect(a.explanation.contains { $0.hasPrefix("budget 8 < 16 asked in total") && $0.hasSuffix("→ 3 (next shadow worth 4.4)") })
    }
}
