@testable import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
@testable import Scaling
import Testing
import TimeSeries

/// Rates from counters: what a gap is and what is a rate (the collector's arithmetic).
@Suite struct VMRatesTests {
    static func stats(cpu: UInt64?, vcpus: Int = 2, read: UInt64? = 0, rx: UInt64? = 0, balloon: UInt64? = 524_288) -> DomainStats {
        DomainStats(name: "web-1", state: .running, cpuTimeNanoseconds: cpu, balloonCurrentKiB: balloon, vcpus: vcpus,
                    blockReadBytes: read, blockWriteBytes: 0, networkReceivedBytes: rx, networkTransmittedBytes: 0)
    }

    @Test func utilisationIsCPUTimeOverElapsedTimesVCPUs() {
        // 15 s of CPU time over 10 s on 2 vCPUs: 75 % each, 1.5 busy vCPUs.
        let r = VMRates.between(Self.stats(cpu: 100_000_000_000), at: 1000, and: Self.stats(cpu: 115_000_000_000, read: 40_960, rx: 1_000), at: 1010)
        #expect(r.cpuUtilisation == 0.75 && r.busyVCPUs == 1.5)
        #expect(r.diskReadBytesPerSecond == 4096 && r.networkReceivedBytesPerSecond == 100)
        #expect(r.memoryMiB == 512)
        #expect(r.gaps.isEmpty)
    }

    @Test func aCounterThatWentDownIsAGapNotANegativeRate() {
        let r = VMRates.between(Self.stats(cpu: 50_000_000_000, read: 9_000), at: 1000, and: Self.stats(cpu: 1_000_000_000, read: 10_000), at: 1010)
        #expect(r.cpuUtilisation == nil && r.value(of: "cpu") == nil)
        #expect(r.diskReadBytesPerSecond == 100)
        #expect(r.gaps == ["counter reset (cpu)"])
    }

    @Test func aClockStepBackOrAFirstSampleGivesNoRate() {
        let back = VMRates.between(Self.stats(cpu: 1), at: 1010, and: Self.stats(cpu: 2), at: 1000)
        #expect(back.cpuUtilisation == nil && back.gaps == ["clock went back 10 s"])
        let first = VMRates.between(nil, at: 1000, and: Self.stats(cpu: 2), at: 1000)
        #expect(first.cpuUtilisation == nil && first.memoryMiB == 512 && first.gaps == ["no earlier sample"])
    }

    @Test func aMissingCounterIsAGapToo() {
        let r = VMRates.between(Self.stats(cpu: nil), at: 1000, and: Self.stats(cpu: nil), at: 1010)
        #expect(r.cpuUtilisation == nil && r.value(of: "cpu") == nil)
    }

    @Test func membershipIsAShellGlob() {
        #expect(MemberPattern("web-*").matches("web-12"))
        #expect(!MemberPattern("web-*").matches("db-1"))
        #expect(MemberPattern("db-[0-9]").matches("db-3") && !MemberPattern("db-[0-9]").matches("db-x"))
    }
}

@Suite struct DownsamplerTests {
    @Test func samplesOfOneIntervalBecomeTheirMeanWhenTheNextStarts() throws {
        var d = Downsampler(interval: 300)
        let key = Downsampler.Key(id: "web/cpu", metric: "cpu", group: "web")
        #expect(d.add(key, value: 1, at: 600) == nil)
        #expect(d.add(key, value: 2, at: 610) == nil)
        #expect(d.add(key, value: 6, at: 890) == nil)
        let emitted = d.add(key, value: 10, at: 900)
        let closed = try #require(emitted)
        #expect(closed.grid.start == 600 && closed.grid.step == 300 && closed.values == [3])
        // A sample from before the open interval (the clock stepped back) writes nothing.
        #expect(d.add(key, value: 1, at: 610) == nil)
    }
}

/// The collector on libvirt's test driver: members by glob, shadows by record, gaps for hosts that
/// fail or hang and for VMs that disappear, samples stored at the model interval and expired.
@Suite struct CollectorTests {
    struct Setup {
        let directory: URL
        let hypervisor: LibvirtHypervisor
        let store: MetricStore
        let group: GroupConfiguration

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("collector-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let node = directory.appendingPathComponent("node.xml").path
            func domain(_ name: String, vcpus: Int) -> String {
                "<domain type='test'><name>\(name)</name><memory unit='KiB'>1048576</memory><vcpu>\(vcpus)</vcpu><os><type>hvm</type></os></domain>"
            }
            try "<node>\(domain("web-1", vcpus: 2))\(domain("web-2", vcpus: 4))\(domain("db-1", vcpus: 2))</node>"
                .write(toFile: node, atomically: true, encoding: .utf8)
            hypervisor = try LibvirtHypervisor(uri: "test://" + node)
            store = try MetricStore(path: directory.appendingPathComponent("store.sqlite").path)
            var g = GroupConfiguration(name: "web", template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 1_048_576), units: 10),
                                       running: 0, bounds: try GroupBounds(minimum: 0, maximum: 4), demandMetric: "cpu", unitsPerMetric: 5)
            g.members = [MemberPattern("web-*")]
            g.runningConfigured = false
            group = g
        }

        // A generous timeout: under the parallel suite a test-driver stats call can take seconds.
        func collector(_ hypervisors: [String: any Hypervisor]? = nil, retention: Int64 = 86_400, timeout: Double = 120) -> Collector {
            var s = Collector.Settings()
            s.retention = retention
            s.timeout = timeout
            return Collector(settings: s, groups: [group], hypervisors: hypervisors ?? ["h1": hypervisor], store: store, modelInterval: 300)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    @Test func membersAreFoundByGlobAndGiveTheGroupsRunningCapacity() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let c = s.collector()
        let first = await c.collect(now: 1_000)
        let web = try #require(first.groups.first { $0.group == "web" })
        #expect(web.members.sorted() == ["web-1", "web-2"])
        // libvirt's test driver reports only the state: each member counts one unit (10).
        #expect(web.memberUnits == 20)
        #expect(Set(first.vms.map(\.name)) == ["web-1", "web-2"])
        // The first collection has no earlier sample: no CPU rate, so no CPU sum (never a fake 0).
        #expect(web.sums["cpu"] == nil)
        let second = await c.collect(now: 1_010)
        // Still none: the counters are not reported, which is said, once per VM.
        #expect(second.groups.first?.sums["cpu"] == nil)
        #expect(second.problems.contains { $0.hasPrefix("vm web-1 on h1: cpu not reported by the driver") })
    }

    @Test func aMemberAddsItsShareOfAShadowsUnitByVCPUs() throws {
        let s = try Setup()
        defer { s.cleanUp() }
        // Unit 10 for a 2-vCPU shadow: a 4-vCPU member is two units' worth, a 1-vCPU one half.
        #expect(Collector.units(of: 4, in: s.group) == 20)
        #expect(Collector.units(of: 1, in: s.group) == 5)
        #expect(Collector.units(of: nil, in: s.group) == 10)
    }

    @Test func theRuntimeTakesDemandAndMeasuredCapacityFromACollection() async throws {
        let f = try RuntimeFixture(running: 0, maximum: 4)
        defer { f.cleanUp() }
        var configuration = f.configuration
        configuration.groups[0].members = [MemberPattern("web-*")]
        configuration.groups[0].runningConfigured = false
        configuration.groups[0].demandMetric = "cpu"
        configuration.groups[0].unitsPerMetric = 5
        let runtime = try await ActuatorRuntime(configuration: configuration, clock: ManualWallClock(f.start), connect: { _ in f.hypervisor })
        #expect(await runtime.runningCapacity("web") == 0)
        let sample = GroupSample(group: "web", time: f.start, sums: ["cpu": 3.5], members: ["web-1", "web-2"], memberUnits: 30)
        await runtime.apply(CollectionReport(time: f.start, groups: [sample]))
        #expect(await runtime.runningCapacity("web") == 30)
        let demands = await runtime.demand
        let demand = demands["web"]?.value
        #expect(demand == 17.5)
        let report = await runtime.cycle()
        let decision = try #require(report.decisions.first)
        #expect(decision.runningSource == RunningSource(regular: 30, configured: false, members: 2, measuredAt: f.start))
        #expect(decision.explanation.contains { $0.contains("2 running members measured at \(f.start) = 30") })
        // A configured `running` overrides the measurement, and explain says so.
        configuration.groups[0].runningConfigured = true
        configuration.groups[0].running = 12
        let configured = try await ActuatorRuntime(configuration: configuration, clock: ManualWallClock(f.start), connect: { _ in f.hypervisor })
        await configured.apply(CollectionReport(time: f.start, groups: [sample]))
        #expect(await configured.runningCapacity("web") == 12)
    }

    @Test func aVMThatDisappearsIsSaidAndLeavesTheSums() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let c = s.collector()
        _ = await c.collect(now: 1_000)
        try await s.hypervisor.destroy("web-2")
        let report = await c.collect(now: 1_010)
        #expect(report.problems.contains { $0.contains("vm web-2 on h1 disappeared") })
        #expect(report.groups.first?.members == ["web-1"] && report.groups.first?.memberUnits == 10)
    }

    @Test func aFailingHostIsAGapAndAProblemNotZeroDemand() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let c = s.collector(["h1": FlakyHypervisor(s.hypervisor, always: true).hypervisor])
        let report = await c.collect(now: 1_000)
        #expect(report.problems.contains { $0.hasPrefix("host h1: no stats") })
        #expect(report.vms.isEmpty)
        #expect(report.groups.first?.sums["cpu"] == 0 && report.groups.first?.members.isEmpty == true)
    }

    @Test func aHungHostTimesOutAndIsNotCalledAgainWhileItHangs() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let frozen = FreezingHypervisor(s.hypervisor, crashAfter: 0)
        let c = s.collector(["h1": frozen.hypervisor], timeout: 0.2)
        // The hung call never returns: that the two collections return at all is the point (no
        // time bound: the parallel suite can delay the timeout's wake-up by many seconds).
        let first = await c.collect(now: 1_000)
        let second = await c.collect(now: 1_010)
        #expect(first.problems.contains { $0.contains("did not answer within 0.2 s") })
        #expect(second.problems.contains { $0.contains("did not answer") })
        // One stats call in flight, not one per collection.
        #expect(frozen.callCount == 1)
    }

    @Test func samplesAreStoredPerVMAndPerGroupAtTheModelIntervalAndExpire() async throws {
        let s = try Setup()
        defer { s.cleanUp() }
        let c = s.collector(retention: 3_600)
        var expired = 0
        for t in stride(from: Int64(0), through: 4_000, by: 10) { expired += await c.collect(now: t).expired }
        // One value per 300 s interval, the mean of its 30 collections; the last (open) one not yet.
        let units = try #require(try s.store.series(key: "web/member_units"))
        #expect(units.grid.step == 300 && units.values.allSatisfy { $0 == 20 })
        // The group's metrics are gaps on the test driver (no counters): nothing stored for them,
        // and nothing for VMs that are not members.
        #expect(try s.store.series(key: "web/cpu") == nil)
        #expect(try s.store.listSeries().allSatisfy { !$0.key.contains("db-1") })
        // Retention, applied at each write: the last write (at 3,900, closing 3,600) kept 300…3,600.
        let info = try #require(try s.store.listSeries().first { $0.key == "web/member_units" })
        #expect(info.first == 300 && info.last == 3_600 && info.sampleCount == 12)
        #expect(expired == 1)
    }
}
