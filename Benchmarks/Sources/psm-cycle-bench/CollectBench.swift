import Actuator
import Foundation
import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import MetricStore
import Scaling
import Synchronization

/// One collection (`Collector.collect`) over `domains` member VMs on one host: the real bulk-stats
/// call on libvirt's test driver, then rates, group sums and the store write of every VM's and
/// group's samples. The test driver reports only each domain's state, so `countingStats` fills the
/// counters (CPU time, balloon, block and network bytes, vCPUs) with values that grow between calls —
/// synthetic numbers, so that the rate and store paths do the work real hosts give them.
enum CollectBench {
    struct Result {
        var stats: [Double] = []
        /// Collections that closed a model interval (every series written) and ones that did not.
        var writing: [Double] = []
        var plain: [Double] = []
        var written: Int = 0
    }

    /// Adds growing counters to the driver's stats (the bench's only stand-in: the test driver has none).
    static func countingStats(_ inner: any Hypervisor) -> InterceptingHypervisor {
        let calls = Mutex<UInt64>(0)
        return InterceptingHypervisor(inner, stats: { inner async throws(HypervisorError) in
            let n: UInt64 = calls.withLock { $0 += 1; return $0 }
            return try await inner.stats().enumerated().map { i, s in
                var s = s
                let k = UInt64(i + 1)
                s.vcpus = 2
                s.cpuTimeNanoseconds = n * 7_000_000_000 + k * 1_000
                s.balloonCurrentKiB = 524_288 + k
                s.blockReadBytes = n * 4_096 * k
                s.blockWriteBytes = n * 8_192 * k
                s.networkReceivedBytes = n * 1_500 * k
                s.networkTransmittedBytes = n * 3_000 * k
                return s
            }
        })
    }

    /// `collections` collections 10 s apart after one warm-up at a 60 s model interval: one in six
    /// closes an interval and writes every VM's and group's series (the worst case), the others
    /// only compute (at the default 300 s interval, 29 of 30).
    static func run(directory: URL, domains: Int, groups: Int, collections: Int) async throws -> Result {
        let dir = directory.appendingPathComponent("collect-\(domains)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let node = dir.appendingPathComponent("node.xml").path
        let xml = (0..<domains).map { i in
            "<domain type='test'><name>g\(i % groups)-vm\(i)</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>"
        }.joined()
        try "<node>\(xml)</node>".write(toFile: node, atomically: true, encoding: .utf8)
        let driver = try LibvirtHypervisor(uri: "test://" + node)
        let hypervisor = countingStats(driver)
        let store = try MetricStore(path: dir.appendingPathComponent("store.sqlite").path, durability: .process)
        let configs = try (0..<groups).map { g -> GroupConfiguration in
            var c = GroupConfiguration(name: "g\(g)", template: ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 1_048_576), units: 10),
                                       running: 0, bounds: try GroupBounds(minimum: 0, maximum: 10), demandMetric: "cpu")
            c.members = [MemberPattern("g\(g)-vm*")]
            c.runningConfigured = false
            return c
        }
        let collector = Collector(settings: Collector.Settings(), groups: configs, hypervisors: ["h1": hypervisor], store: store,
                                  modelInterval: 60)
        var result = Result()
        let clock = ContinuousClock()
        for i in 0...collections {
            let t0 = clock.now
            _ = try await driver.stats()
            let statsTime = clock.now - t0
            let t1 = clock.now
            let report = await collector.collect(now: 1_700_000_000 + Int64(i) * 10)
            let collectTime = clock.now - t1
            guard report.problems.isEmpty || i == 0 else { fail("collection \(i): \(report.problems.first!)") }
            if i > 0 {
                result.stats.append(DecisionBench.seconds(statsTime))
                if report.written > 0 {
                    result.writing.append(DecisionBench.seconds(collectTime))
                    result.written = report.written
                } else {
                    result.plain.append(DecisionBench.seconds(collectTime))
                }
            }
        }
        return result
    }
}
