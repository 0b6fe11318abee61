import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import Scaling

/// Does collecting delay the decision cycle? (issue 14, "Speed": "the collector never delays a
/// decision cycle (measure the cycle's start jitter under collection)").
///
/// The runtime of `psm-actuator run` on a 1,000-domain test-driver host (10 groups of members, the
/// counters filled by `CollectBench.countingStats`), driven as the service drives it: a decision
/// loop (cycle, then sleep `interval`) and, beside it, a collector loop (collect, apply, sleep),
/// both on the real clock. A cycle's start delay is how much later it started than the previous
/// cycle's end plus the interval. Measured with the collector loop off, then on (at 1 s, with a
/// 1 s model interval, so that every collection also writes its 7,080 samples: the worst case).
enum JitterBench {
    struct Result {
        var quiet: [Double] = []
        var collecting: [Double] = []
        var collections = 0
        var collectionSeconds: [Double] = []
    }

    static func run(directory: URL, domains: Int, groups: Int, cycles: Int) async throws -> Result {
        let dir = directory.appendingPathComponent("jitter-\(domains)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("Models"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let node = dir.appendingPathComponent("node.xml").path
        let xml = (0..<domains).map { i in
            "<domain type='test'><name>g\(i % groups)-vm\(i)</name><memory unit='KiB'>1048576</memory><vcpu>2</vcpu><os><type>hvm</type></os></domain>"
        }.joined()
        try "<node>\(xml)</node>".write(toFile: node, atomically: true, encoding: .utf8)
        var toml = """
            [actuator]
            store = "store.sqlite"
            registry = "Models"
            interval = 1

            [actuator.collect]
            interval = 1

            [[actuator.hosts]]
            name = "h1"
            uri = "test://\(node)"

            """
        for g in 0..<groups {
            toml += """

                [[actuator.groups]]
                name = "g\(g)"
                unit = 10
                min = 0
                max = 0
                members = "g\(g)-vm*"
                demand_metric = "cpu"

                """
        }
        let config = try ActuatorConfiguration.parse(toml, fileName: "jitter.toml", baseDirectory: dir.path)
        let runtime = try await ActuatorRuntime(configuration: config, clock: SystemWallClock(),
                                                connect: { host in CollectBench.countingStats(try LibvirtHypervisor(uri: host.uri)) })
        let collector = Collector(settings: config.collect, groups: config.groups, hypervisors: runtime.hypervisors,
                                  store: runtime.store, modelInterval: config.interval)
        var result = Result()
        result.quiet = await decisionLoop(runtime, cycles: cycles, interval: .milliseconds(250))
        let stop = StopFlag()
        let collecting = Task {
            var n = 0
            var seconds: [Double] = []
            while !stop.isSet {
                let t = ContinuousClock.now
                let report = await collector.collect(now: Int64(Date().timeIntervalSince1970))
                await runtime.apply(report)
                seconds.append(DecisionBench.seconds(ContinuousClock.now - t))
                n += 1
                try? await Task.sleep(for: .seconds(1))
            }
            return (n, seconds)
        }
        result.collecting = await decisionLoop(runtime, cycles: cycles, interval: .milliseconds(250))
        stop.set()
        (result.collections, result.collectionSeconds) = await collecting.value
        return result
    }

    /// `cycles` decision cycles as `DecisionLoop` runs them; returns each start delay (seconds).
    static func decisionLoop(_ runtime: ActuatorRuntime, cycles: Int, interval: Duration) async -> [Double] {
        var delays: [Double] = []
        var due: ContinuousClock.Instant?
        for _ in 0..<cycles {
            let start = ContinuousClock.now
            if let due { delays.append(DecisionBench.seconds(start - due)) }
            _ = await runtime.cycle()
            due = ContinuousClock.now + interval
            try? await Task.sleep(for: interval)
        }
        return delays
    }

    final class StopFlag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }
}
