import Foundation
import Testing
import TimeSeries
@testable import Simulation

/// Bad traces and parameters give a clear error or the documented treatment, never a crash.
@Suite struct BadInputTests {
    static func series(_ values: [Double], id: String = "web") -> Series {
        Series(id: id, grid: TimeGrid(axis: .time, start: 1_800_000_000, step: 300, count: values.count), values: values)
    }

    @Test func negativeDemandIsRefusedNamingTheGroupAndTime() {
        #expect {
            _ = try GroupTrace(series: Self.series([1, 2, -3, 4]))
        } throws: { error in
            let e = error as? SimulationError
            return e?.code == .invalidTrace && e?.message.contains("web") == true
                && e?.message.contains("2027-01-15T08:10:00Z") == true && e?.message.contains("-3") == true
        }
    }

    @Test func infiniteDemandIsRefused() {
        #expect(throws: SimulationError.self) { _ = try GroupTrace(series: Self.series([1, .infinity, 2])) }
    }

    @Test func aTraceWithoutAnyObservedDemandIsRefused() {
        #expect(throws: SimulationError.self) { _ = try GroupTrace(series: Self.series([.nan, .nan, .nan])) }
    }

    @Test func aSingleIntervalLeavesNothingToSimulateAndSaysSo() throws {
        var p = SimulationParameters()
        p.trainingWindow = 300
        let sim = try Simulator(parameters: p, policies: [.reactive])
        let one = try GroupTrace(series: Self.series([5]))
        #expect(sim.problem(with: one)?.contains("leaves none to simulate") == true)
        #expect {
            _ = try sim.run([one], jobs: 1)
        } throws: { error in
            (error as? SimulationError)?.code == .noGroups
        }
    }

    @Test func shortGroupsAreSkippedWhileOthersRun() throws {
        var p = SimulationParameters()
        p.trainingWindow = 600
        let sim = try Simulator(parameters: p, policies: [.reactive])
        let report = try sim.run([try GroupTrace(series: Self.series([1, 2], id: "short")),
                                  try GroupTrace(series: Self.series([1, 2, 3, 4, 5], id: "long"))], jobs: 2)
        #expect(report.groups.map(\.group) == ["long"])
        #expect(report.skipped.count == 1 && report.skipped[0].hasPrefix("short:"))
    }

    @Test func gapsAreNotScoredAndARiseIsMeasuredAcrossThem() throws {
        var p = StepRiseTests.parameters()
        p.trainingWindow = 600
        // 2 for intervals 0…9, missing at 10, 6 from 11: the rise is at 11 against the 2 before the gap.
        let demand = Array(repeating: 2.0, count: 10) + [.nan] + Array(repeating: 6.0, count: 9)
        let o = try #require(try Simulator(parameters: p, policies: [.reactive])
            .run(GroupTrace(series: Self.series(demand))).outcomes.first)
        #expect(o.rises == 1)
        #expect(StepRiseTests.close(o.timesToCapacity.first, 68))
        #expect(StepRiseTests.close(o.unservedUnitSeconds, 4 * 68))
        #expect(o.simulatedSeconds - o.observedSeconds == 300)
        #expect(PolicyMetrics([o]).missingMinutes == 5)
    }

    @Test func unknownPoliciesAndBadParametersAreNamed() throws {
        #expect {
            _ = try PolicyKind.parseList("reactive,magic")
        } throws: { error in
            let e = error as? SimulationError
            return e?.code == .unknownPolicy && e?.message.contains("magic") == true
        }
        #expect(try PolicyKind.parseList("all") == [.reactive, .predictiveBuffer, .shadow])
        #expect(try PolicyKind.parseList("shadow, reactive,shadow") == [.shadow, .reactive])

        var p = SimulationParameters()
        p.targetUtilisation = 0
        #expect(throws: SimulationError.self) { try p.validate() }
        p = SimulationParameters()
        p.arimaOrder = "1,x,0"
        #expect(throws: SimulationError.self) { try p.validate() }
        p = SimulationParameters()
        p.levels = [0.5]
        #expect(throws: SimulationError.self) { try p.validate() }
    }

    @Test func aDetectionDelayLongerThanTheIntervalIsRefused() throws {
        var p = SimulationParameters()
        p.trainingWindow = 300
        p.detectionDelay = 300
        let sim = try Simulator(parameters: p, policies: [.reactive])
        #expect(sim.problem(with: try GroupTrace(series: Self.series([1, 2, 3])))?.contains("--detection-delay") == true)
    }

    @Test func sweepSpecificationsAreParsedOrRefused() throws {
        let s = try Sweep.parse("tau=0.5:0.9:5")
        #expect(s.parameter == .tau)
        #expect(zip(s.values, [0.5, 0.6, 0.7, 0.8, 0.9]).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(try Sweep.parse("buffer=0:0:1").values == [0])
        #expect(try Sweep.parse("target=0.5:1:2").parameter.policy == .reactive)
        for bad in ["target=0:0.5:2", "tau=0:0.9:5", "tau=0.5:1:3", "buffer=0.5:0.1:3", "size=1:2:3", "tau=0.5:0.9", "tau=a:b:c", "tau=0.5:0.9:0"] {
            #expect(throws: SimulationError.self, "\(bad)") { _ = try Sweep.parse(bad) }
        }
    }

    @Test func durationsReadTheirUnits() {
        #expect(DurationText.seconds("43ms") == 0.043)
        #expect(DurationText.seconds("8s") == 8)
        #expect(DurationText.seconds("5m") == 300)
        #expect(DurationText.seconds("3d") == 259_200)
        #expect(DurationText.seconds("12") == 12)
        for bad in ["", "-1s", "5x", "ms", "nan", "infs"] { #expect(DurationText.seconds(bad) == nil, "\(bad)") }
    }
}
