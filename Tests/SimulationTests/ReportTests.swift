import Foundation
import Testing
import TimeSeries
@testable import Simulation

@Suite struct ReportTests {
    static let contractKeys = ["unserved_unit_minutes", "violation_minutes", "time_to_capacity_p95_s", "cost",
                               "shadow_hours", "activations"]

    static func report(sweeps: [Sweep] = []) throws -> SimulationReport {
        var p = WalkForwardTests.parameters()
        p.model = "seasonal-naive"
        let traces = try (0..<3).map { g in
            try GroupTrace(series: Series(id: "g\(g)", grid: TimeGrid(axis: .time, start: 1_800_000_000, step: 300, count: 120),
                                          values: WalkForwardTests.demand(count: 120, seed: UInt64(g + 1))))
        }
        return try Simulator(parameters: p, policies: PolicyKind.allCases, sweeps: sweeps).run(traces, jobs: 2, plotGroups: 1)
    }

    @Test func jsonCarriesTheContractKeysPerPolicyOverallAndPerGroup() throws {
        let report = try Self.report(sweeps: [try Sweep.parse("tau=0.6:0.98:3"), try Sweep.parse("target=0.5:0.9:2")])
        let object = try #require(try JSONSerialization.jsonObject(with: report.json(trace: "t.csv")) as? [String: Any])
        let policies = try #require(object["policies"] as? [String: [String: Any]])
        #expect(Set(policies.keys) == ["reactive", "predictive-buffer", "shadow"])
        for (name, metrics) in policies {
            for key in Self.contractKeys { #expect(metrics[key] != nil, "\(name) lacks \(key)") }
        }
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.count == 3)
        let first = try #require(groups.first?["policies"] as? [String: [String: Any]])
        for key in Self.contractKeys { #expect(first["shadow"]?[key] != nil) }
        let sweeps = try #require(object["sweeps"] as? [[String: Any]])
        #expect(sweeps.count == 2)
        #expect(sweeps[0]["parameter"] as? String == "tau" && sweeps[0]["policy"] as? String == "shadow")
        #expect((sweeps[0]["points"] as? [Any])?.count == 3)
        #expect(sweeps[1]["policy"] as? String == "reactive" && (sweeps[1]["points"] as? [Any])?.count == 2)
    }

    @Test func overallTotalsAreTheSumOfTheGroups() throws {
        let report = try Self.report()
        for (kind, total) in report.overall {
            let parts = report.groups.compactMap { g in g.outcomes.first { $0.policy == kind } }
            let unserved = parts.reduce(0) { $0 + $1.unservedUnitSeconds } / 60
            let cost = parts.reduce(0) { $0 + $1.vmCost + $1.shadowCost + $1.unservedCost }
            #expect(abs(total.unservedUnitMinutes - unserved) <= 1e-9 * max(1, unserved))
            #expect(abs(total.cost - cost) <= 1e-9 * max(1, cost))
            #expect(total.activations == parts.reduce(0) { $0 + $1.activations })
            // Units per VM is 4 in these runs.
            #expect(abs(total.unservedVMMinutes - unserved / 4) <= 1e-9 * max(1, unserved))
        }
    }

    @Test func aHigherTauKeepsMoreShadowHours() throws {
        let report = try Self.report(sweeps: [try Sweep.parse("tau=0.5:0.99:2")])
        let frontier = try #require(report.frontiers.first?.points)
        try #require(frontier.count == 2)
        #expect(frontier[1].metrics.shadowHours > frontier[0].metrics.shadowHours)
        #expect(frontier[1].metrics.unservedUnitMinutes <= frontier[0].metrics.unservedUnitMinutes)
    }

    @Test func htmlIsSelfContainedWithPlotsPerPolicyAndTheFrontier() throws {
        let html = try Self.report(sweeps: [try Sweep.parse("buffer=0:0.5:3")]).html(trace: "t<1>.csv")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("href="))
        #expect(html.contains("t&lt;1&gt;.csv"))
        // One chart per policy for the plotted group, plus the frontier.
        #expect(html.components(separatedBy: "<svg").count - 1 == 3 + 1)
        #expect(html.contains("buffer 0.5"))
    }

    @Test func percentilesInterpolateBetweenOrderStatistics() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 95, 99]) = 3, 8.8, 9.76
        let x = [1.0, 2, 3, 4, 10]
        #expect(Percentile.of(sorted: x, 0.5) == 3)
        #expect(abs((Percentile.of(sorted: x, 0.95) ?? 0) - 8.8) < 1e-12)
        #expect(abs((Percentile.of(sorted: x, 0.99) ?? 0) - 9.76) < 1e-12)
        #expect(Percentile.of(sorted: [], 0.5) == nil)
        #expect(Percentile.of(sorted: [7], 0.99) == 7)
    }
}
