@testable import Actuator
import Foundation
import Hypervisor
@testable import Scaling
import Testing

/// `ReplayTrace`'s two input shapes (docs/actuator.md, "Replay input"): per group, and per VM with
/// a `group` column rolled up by each group's demand rule.
@Suite("Replay input")
struct ReplayTraceTests {
    static func group(_ name: String, metric: String = "demand_units", unitsPerMetric: Double = 1) throws -> GroupConfiguration {
        GroupConfiguration(name: name, template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 524_288), units: 10),
                           running: 0, bounds: try GroupBounds(maximum: 4), demandMetric: metric, unitsPerMetric: unitsPerMetric)
    }

    static func demand(_ trace: ReplayTrace) -> [[String]] {
        trace.steps.map { step in step.demand.sorted { $0.key < $1.key }.map { "\(step.time) \($0.key)=\($0.value)" } }
    }

    @Test("per-VM rows are summed per group and timestamp in the group's demand metric × units_per_metric; other metrics are ignored")
    func perVMRollUp() throws {
        let groups = [try Self.group("web", metric: "rps", unitsPerMetric: 0.5), try Self.group("api")]
        let csv = """
        series_id,timestamp,value,group,metric
        web-1,3600,100,web,rps
        web-2,3600,60,web,rps
        web-1,3600,0.9,web,cpu
        api-1,3600,7,api,demand_units
        api-2,3600,5,api,demand_units
        api-1,3600,99,api,cpu
        web-2,7200,40,web,rps
        web-1,7200,20,web,rps
        web-3,7200,8,web,demand_units
        api-1,7200,3,api,demand_units
        web-1,7200,0.5,web,cpu
        """
        let trace = try ReplayTrace.parse(csv, file: "vms.csv", groups: groups)
        #expect(trace.groups == ["api", "web"])
        #expect(trace.vms == ["api-1", "api-2", "web-1", "web-2", "web-3"])
        #expect(trace.interval == 3600)
        #expect(trace.steps.map(\.time) == [3600, 7200])
        // web: (100 + 60) × 0.5 = 80, then (40 + 20) × 0.5 + 8 demand_units as they are = 38.
        #expect(trace.steps[0].demand == ["web": 80, "api": 12])
        #expect(trace.steps[1].demand == ["web": 38, "api": 3])
    }

    @Test("without a metric column every per-VM row is the group's demand metric; a missing VM value leaves the group without a value")
    func perVMWithoutMetric() throws {
        let groups = [try Self.group("web", metric: "rps", unitsPerMetric: 0.5)]
        let csv = "timestamp,series_id,group,value\n0,a,web,10\n0,b,web,30\n300,a,web,12\n300,b,web,nan\n600,a,web,4\n600,b,web,\n"
        let trace = try ReplayTrace.parse(csv, file: "t.csv", groups: groups)
        #expect(trace.steps.count == 3 && trace.interval == 300)
        #expect(trace.steps[0].demand == ["web": 20])
        #expect(trace.steps[1].demand["web"]?.isNaN == true)
        #expect(trace.steps[2].demand["web"]?.isNaN == true)
    }

    @Test("the per-group and per-VM forms of the same demand give the same replay")
    func bothFormatsReplayAlike() async throws {
        let demand: [Double] = [10, 45, 45, 10, 30, 12]
        var perGroup = "series_id,timestamp,value\n"
        var perVM = "series_id,timestamp,value,group,metric\n"
        var a = try RuntimeFixture(running: 20, unit: 10, maximum: 2)
        var b = try RuntimeFixture(running: 20, unit: 10, maximum: 2)
        defer { a.cleanUp(); b.cleanUp() }
        for (h, d) in demand.enumerated() {
            let t = a.start + Int64(h) * 3600
            perGroup += "web,\(t),\(d)\n"
            // Three VMs share the demand (in "rps" at 2 units per rps) and report a CPU metric that must not count.
            perVM += "vm-1,\(t),\(d / 2 / 2),web,rps\nvm-2,\(t),\(d / 4 / 2),web,rps\nvm-3,\(t),\(d / 4 / 2),web,rps\nvm-1,\(t),0.7,web,cpu\n"
        }
        b.configuration.groups[0].demandMetric = "rps"
        b.configuration.groups[0].unitsPerMetric = 2
        let t1 = try ReplayTrace.parse(perGroup, file: "group.csv", groups: a.configuration.groups)
        let t2 = try ReplayTrace.parse(perVM, file: "vm.csv", groups: b.configuration.groups)
        #expect(Self.demand(t1) == Self.demand(t2))
        #expect(t1.groups == t2.groups && t1.interval == t2.interval)
        a.configuration.costWindow = 7200
        b.configuration.costWindow = 7200
        let ca = ManualWallClock(a.start), cb = ManualWallClock(b.start)
        let sa = await ReplayRunner(trace: t1).run(try await a.runtime(clock: ca), clock: ca)
        let sb = await ReplayRunner(trace: t2).run(try await b.runtime(clock: cb), clock: cb)
        #expect(sa.intervals == 6 && sa.onDemandLaunches > 0 && sa.shadowsCreated > 0, "\(sa.text)")
        #expect(sa.intervals == sb.intervals && sa.groups == sb.groups)
        #expect(sa.shadowsCreated == sb.shadowsCreated && sa.activations == sb.activations)
        #expect(sa.activationFailures == sb.activationFailures && sa.decommissioned == sb.decommissioned)
        #expect(sa.onDemandLaunches == sb.onDemandLaunches && sa.violationIntervals == sb.violationIntervals)
        #expect(sa.unservedUnitMinutes == sb.unservedUnitMinutes)
        #expect(sa.shadowUnitIntervals == sb.shadowUnitIntervals)
        #expect(sa.cost == sb.cost && sa.reserveCost == sb.reserveCost && sa.missCost == sb.missCost)
        #expect(sa.problems == sb.problems && sa.costLoopChanges == sb.costLoopChanges)
    }

    @Test("the per-group format is read as before: series_id is the group, a metric column without a group column is ignored")
    func perGroupUnchanged() throws {
        let groups = [try Self.group("web", metric: "rps", unitsPerMetric: 0.5)]
        let trace = try ReplayTrace.parse("series_id,timestamp,value,metric\nweb,0,10,cpu\nweb,300,11,rps\napi,300,4,cpu\n",
                                          file: "t.csv", groups: groups)
        #expect(trace.groups == ["api", "web"] && trace.vms.isEmpty)
        #expect(trace.steps.map(\.demand) == [["web": 10], ["web": 11, "api": 4]])
    }

    @Test("bad per-VM input names the file and the line", arguments: [
        ("series_id,timestamp,value,group\nvm-1,0,5,web\nvm-2,0,3,\n", "t.csv:3:", "no group"),
        ("series_id,timestamp,value,group\nvm-1,0,5,web\nvm-1,300,five,web\n", "t.csv:3:", "not a number"),
        ("series_id,timestamp,value,group\nvm-1,0,-2,web\n", "t.csv:2:", "negative"),
        ("series_id,timestamp,value,group\nvm-1,0,5,web\nvm-1,300,5,api\n", "t.csv:3:", "line 2"),
        ("series_id,timestamp,value,group,metric\nvm-1,0,5,web,rps\nvm-1,0,5,web,cpu\nvm-1,0,6,web,rps\n", "t.csv:4:", "second row"),
        ("series_id,timestamp,value,group\nvm-1,0,5,web\nvm-1,yesterday,5,web\n", "t.csv:3:", "timestamp"),
        ("series_id,timestamp,value,group\nvm-1,0,5\n", "t.csv:2:", "fields"),
        ("series_id,timestamp,value,group,metric\nvm-1,0,5,web,cpu\n", "t.csv", "no data rows"),
    ])
    func badInput(csv: String, location: String, words: String) throws {
        let groups = [try Self.group("web", metric: "rps"), try Self.group("api")]
        do {
            let trace = try ReplayTrace.parse(csv, file: "t.csv", groups: groups)
            Issue.record("accepted: \(trace.steps)")
        } catch {
            #expect(error.description.hasPrefix(location), "\(error)")
            #expect(error.description.contains(words), "\(error)")
        }
    }

    @Test("a per-VM trace file is read by load(path:groups:), errors naming the path")
    func loadsFromFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "series_id,timestamp,value,group\nvm-1,0,5,web\nvm-2,0,2,web\nvm-3,0,1,\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReplayError.self) { try ReplayTrace.load(path: path, groups: [try Self.group("web")]) }
        do { _ = try ReplayTrace.load(path: path) } catch { #expect(error.description == "\(path):4: the row of VM vm-3 has no group (the group column is empty)") }
    }
}
