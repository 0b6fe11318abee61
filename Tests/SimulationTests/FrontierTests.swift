import Foundation
import Testing
import TimeSeries
@testable import Simulation

@Suite struct FrontierTests {
    typealias P = Frontier.Point

    @Test func keepsOnlyNonDominatedPointsSortedByCost() {
        let f = Frontier([P(cost: 10, unserved: 100, label: "a"), P(cost: 12, unserved: 100), P(cost: 11, unserved: 120),
                          P(cost: 20, unserved: 50), P(cost: 5, unserved: 200), P(cost: 20, unserved: 60),
                          P(cost: .nan, unserved: 1), P(cost: 30, unserved: .infinity)])
        #expect(f.points.map(\.cost) == [5, 10, 20])
        #expect(f.points.map(\.unserved) == [200, 100, 50])
        #expect(f.points[1].label == "a")
        #expect(f.lowestUnserved == 50)
        #expect(f.costRange == 5...20)
        #expect(f.unserved(atCost: 4.9) == .infinity)
        #expect(f.unserved(atCost: 10) == 100)
        #expect(f.unserved(atCost: 19.99) == 100)
        #expect(f.unserved(atCost: 1_000) == 50)
    }

    @Test func shareAndAreaOverTheCommonRangeOfTwoStepFunctions() throws {
        // Shadow: 100 on [10, 20), 50 on [20, 30), 10 from 30. Other: 80 on [15, 25), 45 on [25, 40), 5 from 40.
        // Common range [15, 40]: [15, 20) shadow worse by 20, [20, 25) better by 30, [25, 30) worse by 5,
        // [30, 40) better by 35 (shadow holds 10 past its last point).
        let shadow = Frontier([P(cost: 10, unserved: 100), P(cost: 20, unserved: 50), P(cost: 30, unserved: 10)])
        let other = Frontier([P(cost: 15, unserved: 80), P(cost: 25, unserved: 45), P(cost: 40, unserved: 5)])
        let d = try #require(Dominance(shadow, over: other))
        #expect(d.range == 15...40)
        #expect(abs(d.share - 15.0 / 25) < 1e-12)
        #expect(abs(d.area - (-20.0 * 5 + 30 * 5 - 5 * 5 + 35 * 10) / 25) < 1e-12)
        // The other way round: the complement of the strict wins, and the opposite area.
        let r = try #require(Dominance(other, over: shadow))
        #expect(abs(r.share - 10.0 / 25) < 1e-12)
        #expect(abs(r.area + d.area) < 1e-12)
    }

    @Test func equalFrontiersShareEverythingWithZeroArea() throws {
        let f = Frontier([P(cost: 1, unserved: 9), P(cost: 2, unserved: 4), P(cost: 3, unserved: 0)])
        let d = try #require(Dominance(f, over: f))
        #expect(d.share == 1)
        #expect(d.area == 0)
    }

    @Test func aFrontierLowerEverywhereHasShareOne() throws {
        let shadow = Frontier([P(cost: 0, unserved: 10), P(cost: 10, unserved: 2)])
        let other = Frontier([P(cost: 5, unserved: 12), P(cost: 8, unserved: 11), P(cost: 20, unserved: 1)])
        let d = try #require(Dominance(shadow, over: other))
        #expect(d.range == 5...20)
        #expect(d.share == 1)
        // [5, 8): 12 − 10 = 2; [8, 10): 11 − 10 = 1; [10, 20): 11 − 2 = 9 → (6 + 2 + 90) / 15.
        #expect(abs(d.area - 98.0 / 15) < 1e-12)
        // Past its last point the other reaches 1 and shadow stays at 2: shadow loses [20, 30).
        let further = Frontier(other.points + [P(cost: 30, unserved: 0.5)])
        let f = try #require(Dominance(shadow, over: further))
        #expect(f.range == 5...30 && abs(f.share - 15.0 / 25) < 1e-12)
    }

    @Test func aRangeOfOneCostCountsThatCost() throws {
        let shadow = Frontier([P(cost: 10, unserved: 5)])
        let other = Frontier([P(cost: 5, unserved: 10), P(cost: 10, unserved: 8)])
        let d = try #require(Dominance(shadow, over: other))
        #expect(d.range == 10...10)
        #expect(d.share == 1 && d.area == 3)
        let worse = try #require(Dominance(Frontier([P(cost: 10, unserved: 9)]), over: other))
        #expect(worse.share == 0 && worse.area == -1)
    }

    @Test func disjointFrontiersMeetAtTheDearerStartAndEmptyOnesHaveNone() throws {
        // a ends (at 4) before b starts: compared where both exist, at b's only cost.
        let a = Frontier([P(cost: 1, unserved: 5), P(cost: 2, unserved: 4)])
        let b = Frontier([P(cost: 3, unserved: 1)])
        let d = try #require(Dominance(a, over: b))
        #expect(d.range == 3...3 && d.share == 0 && d.area == -3)
        #expect(Dominance(a, over: Frontier([])) == nil)
    }

    @Test func sweepPointsOnSeveralThreadsGiveTheSameNumbersInTheSameOrder() throws {
        var p = WalkForwardTests.parameters()
        p.model = "seasonal-naive"
        let trace = try GroupTrace(series: Series(id: "g", grid: TimeGrid(axis: .time, start: 1_800_000_000, step: 300, count: 120),
                                                  values: WalkForwardTests.demand(count: 120, seed: 7)))
        let sim = try Simulator(parameters: p, policies: PolicyKind.allCases,
                                sweeps: [try Sweep.parse("tau=0.5:0.99:4"), try Sweep.parse("buffer=0:0.5:3")])
        let one = try sim.run(trace, jobs: 1), two = try sim.run(trace, jobs: 2)
        #expect(one.outcomes.map(\.policy) == PolicyKind.allCases)
        #expect(two.outcomes.map(\.policy) == PolicyKind.allCases)
        #expect(one.sweeps.map(\.count) == [4, 3] && two.sweeps.map(\.count) == [4, 3])
        let key = { (o: PolicyOutcome) in [o.unservedUnitSeconds, o.vmCost, o.shadowCost, o.shadowHours] }
        #expect(one.outcomes.map(key) == two.outcomes.map(key))
        #expect(one.sweeps.flatMap { $0.map(key) } == two.sweeps.flatMap { $0.map(key) })
        // The τ points in order: more shadow-hours as τ rises.
        #expect(two.sweeps[0].first!.shadowHours <= two.sweeps[0].last!.shadowHours)
    }

    @Test func theReportCarriesFrontiersAndDominanceInJSONAndHTML() throws {
        let report = try ReportTests.report(sweeps: [try Sweep.parse("tau=0.6:0.98:3"), try Sweep.parse("buffer=0:0.4:3"),
                                                     try Sweep.parse("target=0.5:0.9:3")])
        let object = try #require(try JSONSerialization.jsonObject(with: report.json(trace: "t.csv")) as? [String: Any])
        // The pool's bounds are among the parameters in force.
        let parameters = try #require(object["parameters"] as? [String: Any])
        #expect(parameters["min_shadows"] as? Int == 0 && parameters["max_shadows"] as? Int == 20, "\(parameters)")
        let frontiers = try #require(object["frontiers"] as? [String: [String: Any]])
        #expect(Set(frontiers.keys) == ["reactive", "predictive-buffer", "shadow"])
        for (name, f) in frontiers {
            let points = try #require(f["points"] as? [[String: Any]], "\(name)")
            let costs = points.compactMap { $0["cost"] as? Double }
            let unserved = points.compactMap { $0["unserved_unit_minutes"] as? Double }
            #expect(costs == costs.sorted() && !costs.isEmpty)
            // Non-dominated: unserved falls strictly with cost.
            #expect(zip(unserved, unserved.dropFirst()).allSatisfy { $0 > $1 })
            #expect(f["lowest_unserved_unit_minutes"] as? Double == unserved.last)
        }
        let dominance = try #require(object["dominance"] as? [String: Any])
        #expect(Set(dominance.keys) == ["shadow_vs_reactive", "shadow_vs_predictive-buffer"])
        let model = report.dominance
        for (other, d) in model {
            let entry = dominance["shadow_vs_" + other.rawValue]
            if let d {
                let e = try #require(entry as? [String: Any])
                #expect(e["share"] as? Double == d.share)
                #expect(e["area"] as? Double == d.area)
                #expect((0...1).contains(d.share))
            } else {
                #expect(entry is NSNull)
            }
        }
        let html = report.html(trace: "t.csv")
        #expect(html.contains("polyline") && html.contains("frontier"))
        #expect(html.contains("shadow against"))
    }
}
