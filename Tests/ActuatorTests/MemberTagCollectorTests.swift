@testable import Actuator
import Features
import Foundation
import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import MetricStore
import PSMConfiguration
@testable import Scaling
import Synchronization
import Testing

/// Counts member-tag reads (the one call the tag form adds to a collection). `hypervisor` is the
/// wrapped one.
final class TagCountingHypervisor: Sendable {
    let inner: any Hypervisor
    let reads = Mutex<[String]>([])
    /// Seconds each tag read takes (a slow host).
    let delay: Double
    /// Stats answered without libvirt (so a short timeout is not missed by a loaded test driver).
    let cannedStats: [DomainStats]?
    init(_ inner: any Hypervisor, delay: Double = 0, cannedStats: [DomainStats]? = nil) {
        self.inner = inner
        self.delay = delay
        self.cannedStats = cannedStats
    }

    var hypervisor: InterceptingHypervisor {
        InterceptingHypervisor(inner, before: { [self] call in
            guard call.method == "memberTag" else { return }
            reads.withLock { $0.append(call.domain) }
            if delay > 0 { try? await Task.sleep(for: .seconds(delay)) }
        }, stats: cannedStats.map { canned in { @Sendable _ in canned } })
    }
}

@Suite("members = \"tag:…\": membership by the operator's libvirt metadata tag")
struct MemberTagCollectorTests {
    @Test func patternsAreGlobsOrTags() {
        let tag = MemberPattern("tag:web")
        #expect(tag.tag == "web" && tag.glob.isEmpty)
        #expect(tag.matches("anything", tag: "web") && !tag.matches("web-1", tag: nil) && !tag.matches("x", tag: "db"))
        let glob = MemberPattern("web-*")
        #expect(glob.tag == nil && glob.matches("web-1", tag: "db") && !glob.matches("db-1", tag: "web"))
        // A glob for names that begin with "tag:".
        #expect(MemberPattern("[t]ag:*").matches("tag:x"))
    }

    @Test func configurationReadsTheTagFormAndRefusesAnEmptyTag() throws {
        let base = """
            [registry]
            dir = "Models"
            [actuator]
            [[actuator.groups]]
            name = "web"
            unit = 10
            """
        let c = try ActuatorConfiguration.parse(base + "\nmembers = [\"web-*\", \"tag:web\"]\n", fileName: "psm.toml")
        #expect(c.groups[0].members == [MemberPattern("web-*"), MemberPattern("tag:web")])
        #expect(c.groups[0].members[1].tag == "web" && !c.groups[0].runningConfigured)
        let single = try ActuatorConfiguration.parse(base + "\nmembers = \"tag:frontend\"\n", fileName: "psm.toml")
        #expect(single.groups[0].members.first?.tag == "frontend")
        do {
            _ = try ActuatorConfiguration.parse(base + "\nmembers = \"tag:\"\n", fileName: "psm.toml")
            Issue.record("an empty tag was accepted")
        } catch {
            #expect(error.description.contains("members") && error.description.contains("tag:web"), "\(error)")
        }
    }

    @Test func theCacheReadsNewNamesOnceThenAFewStaleOnes() {
        var cache = MemberTagCache()
        #expect(cache.due(["a", "b"], now: 0) == ["a", "b"])
        cache.record("a", tag: "web", at: 0)
        cache.record("b", tag: nil, at: 10)
        #expect(cache.due(["a", "b", "c"], now: 100) == ["c"])
        #expect(cache.tag(of: "a") == "web" && cache.tag(of: "b") == nil && cache.known("b") && !cache.known("c"))
        // Stale after the period, oldest first, at most `refreshes` per collection.
        #expect(cache.due(["a", "b"], now: 400, refreshes: 1) == ["a"])
        #expect(cache.due(["a", "b"], now: 400) == ["a", "b"])
        cache.keep(only: ["b"])
        #expect(!cache.known("a") && cache.count == 1)
    }

    @Test func aTaggedDomainIsAMemberAndAnUntaggedOneIsNot() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("member-tag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func domain(_ name: String, tag: String?) -> String {
            let metadata = tag.map { "<metadata><m:member xmlns:m='\(MemberTag.namespace)' tag='\($0)'/></metadata>" } ?? ""
            return "<domain type='test'><name>\(name)</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os>\(metadata)</domain>"
        }
        let node = directory.appendingPathComponent("node.xml").path
        try ("<node>" + domain("frontend-a", tag: "web") + domain("frontend-b", tag: nil) + domain("cache-1", tag: "db") + "</node>")
            .write(toFile: node, atomically: true, encoding: .utf8)
        let libvirt = try LibvirtHypervisor(uri: "test://" + node)
        let counting = TagCountingHypervisor(libvirt)
        let store = try MetricStore(path: directory.appendingPathComponent("store.sqlite").path)
        var web = GroupConfiguration(name: "web", template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 1_048_576), units: 10),
                                     running: 0, bounds: try GroupBounds(minimum: 0, maximum: 4), demandMetric: "cpu")
        web.members = [MemberPattern("tag:web")]
        web.runningConfigured = false
        var settings = Collector.Settings()
        settings.timeout = 120
        let collector = Collector(settings: settings, groups: [web], hypervisors: ["h1": counting.hypervisor], store: store, modelInterval: 300)
        let first = await collector.collect(now: 1_000)
        let sample = try #require(first.groups.first { $0.group == "web" })
        #expect(sample.members == ["frontend-a"] && sample.memberUnits == 10, "\(first.problems)")
        #expect(Set(first.vms.map(\.name)) == ["frontend-a"])
        #expect(counting.reads.withLock { $0.sorted() } == ["cache-1", "frontend-a", "frontend-b"])
        // The next collection reuses what it read: no tag call for domains already seen.
        let second = await collector.collect(now: 1_010)
        #expect(second.groups.first?.members == ["frontend-a"])
        #expect(counting.reads.withLock { $0.count } == 3)
        // A new domain is read once; every one is read again after the refresh period.
        let size = ResourceSize(vcpus: 2, memoryKiB: 1_048_576)
        _ = try await libvirt.define(DomainSpec(name: "frontend-c", maximum: size, current: size))
        try await libvirt.start("frontend-c")
        let third = await collector.collect(now: 1_020)
        #expect(third.groups.first?.members == ["frontend-a"])
        #expect(counting.reads.withLock { $0.count } == 4)
        _ = await collector.collect(now: 1_020 + MemberTagCache.refreshPeriod)
        #expect(counting.reads.withLock { $0.count } == 8, "all four read again once stale")
    }

    @Test func tagsReadAfterTheTimeoutAreKeptForTheNextCollection() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("member-tag-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let node = directory.appendingPathComponent("node.xml").path
        try ("<node><domain type='test'><name>frontend-a</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os>"
             + "<metadata><m:member xmlns:m='\(MemberTag.namespace)' tag='web'/></metadata></domain></node>")
            .write(toFile: node, atomically: true, encoding: .utf8)
        let running = DomainStats(name: "frontend-a", state: .running, cpuTimeNanoseconds: nil, balloonCurrentKiB: nil, vcpus: 2,
                                  blockReadBytes: nil, blockWriteBytes: nil, networkReceivedBytes: nil, networkTransmittedBytes: nil)
        let slow = TagCountingHypervisor(try LibvirtHypervisor(uri: "test://" + node), delay: 2, cannedStats: [running])
        var web = GroupConfiguration(name: "web", template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 1_048_576), units: 10),
                                     running: 0, bounds: try GroupBounds(minimum: 0, maximum: 4))
        web.members = [MemberPattern("tag:web")]
        var settings = Collector.Settings()
        settings.timeout = 0.5
        let collector = Collector(settings: settings, groups: [web], hypervisors: ["h1": slow.hypervisor],
                                  store: try MetricStore(path: directory.appendingPathComponent("store.sqlite").path), modelInterval: 300)
        let first = await collector.collect(now: 1_000)
        #expect(first.groups.first?.members == [], "not read in time: not a member yet")
        #expect(first.problems.contains { $0.contains("member tags not read within") }, "\(first.problems)")
        // While it still reads, no second reading starts; once it has finished, its tag counts.
        var found = false
        for i in 1...60 where !found {
            let later = await collector.collect(now: 1_000 + Int64(i))
            found = later.groups.first?.members == ["frontend-a"]
            if !found { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(found)
        #expect(slow.reads.withLock { $0 } == ["frontend-a"], "read once, kept when it finished late")
    }
}
