import Actuator
import Foundation
import Hypervisor
import LibvirtHypervisor
import MetricStore
import RealVMSupport
import Scaling

/// The closed loop on real guests (issue 14, "The end-to-end check"): one regular tiny guest
/// serving HTTP behind a real HAProxy, one parked shadow, psm's collector and decision cycle, and
/// an open-loop load on the HAProxy frontend raised in steps until the guest's CPU crosses the
/// trigger. The collector sees the rise through libvirt, the cycle activates the shadow (scaled,
/// resumed, routed into HAProxy by the configured router), and the shadow answers proxied requests.
///
/// Everything the deployed `psm-actuator` runs is real here: the configuration loader (a psm.toml
/// written by the benchmark), `ActuatorRuntime`, `Collector`, `Reconciler`, `Activator`, the router
/// built from `[actuator.routing]`, libvirt's QEMU driver, haproxy. The benchmark only drives the
/// clock of the loop (collection and cycle every second) and the load.
public struct ClosedLoopBenchmark: Sendable {
    public struct Settings: Sendable {
        /// The group (its shadows are `psm-<group>-<id>`, so the real-VM clean-up finds them).
        public var group = "realvm-cl"
        /// Load steps (requests per second) and how long each lasts.
        public var rates: [Double] = [1, 2, 4, 6, 8, 12, 16]
        public var stepSeconds: Double = 15
        /// Shell loop steps each request's CGI runs in the guest (its CPU cost).
        public var work = 3000
        /// The trigger's utilisation; nil: the regular guest's idle utilisation + `margin`
        /// (a loaded 2-core host caps what a TCG guest can use, so a fixed figure may never be reached).
        public var threshold: Double?
        package var margin = 0.1
        /// How long the load goes on after the shadow answered (then the drain check).
        package var afterFirstAnswer: Double = 10
        package var provisionTimeout: Double = 240
        /// The drain check: after the shadow served, the load turns to `drainRate` light requests
        /// a second (`drainWork` CGI steps: long enough that some are open on the shadow, cheap
        /// enough that utilisation falls), so the runtime's scale-in (utilisation under
        /// `scaleInUtilisation` for `scaleInWindow` s) drains the shadow in HAProxy and retires
        /// it while requests keep coming.
        package var drainRate: Double = 4
        package var drainWork = 400
        package var scaleInUtilisation = 0.9
        package var scaleInWindow = 3
        package var drainTimeout: Double = 90
        public init() {}
    }

    /// What one run measured (`psm bench closed-loop --json`).
    public struct Result: Sendable, Codable {
        /// Load step start → the first collection whose utilisation crosses the trigger.
        public var rise_detected_s: Double?
        /// The cycle that triggered → the first request answered by the shadow through HAProxy.
        public var trigger_to_first_request_ms: Double?
        /// Of that: the first answered request's own time (sent → answered: the guest's CGI work
        /// under TCG), and the trigger → when it was sent (activation, routing, the next request).
        package var first_request_service_ms: Double?
        package var trigger_to_first_request_sent_ms: Double?
        public var failed_requests: Int
        package var requests: Int
        package var predicted_vcpus: Int?
        package var applied_vcpus: Int?
        package var predicted_memory_mib: Int?
        package var applied_memory_mib: Int?
        public var threshold: Double
        package var idle_utilisation: Double
        /// The load step (requests/s) during which the trigger fired.
        package var triggering_rate: Double?
        /// Requests answered by the shadow.
        package var shadow_answers: Int
        /// The drain check: requests that failed while the shadow was drained and parked under load,
        /// how many were sent then, and how many of those the shadow itself answered.
        package var drain_failed_requests: Int?
        package var drain_requests: Int?
        package var drain_shadow_answers: Int?
        /// One collection over the run's real guests (the regular guest and the shadows): median and
        /// maximum milliseconds, and how many domains the last one saw.
        package var collection_ms_median: Double?
        package var collection_ms_max: Double?
        package var collection_domains: Int?
        package var activation_outcome: String?
        package var activation_steps_ms: [String: Double]
        package var notes: [String]
    }

    package struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public let guest: RealVMGuest
    public let hypervisor: LibvirtHypervisor
    public var settings: Settings

    public init(guest: RealVMGuest, hypervisor: LibvirtHypervisor, settings: Settings = Settings()) {
        self.guest = guest
        self.hypervisor = hypervisor
        self.settings = settings
    }

    /// The guests' kernel command line: a slow heartbeat and CPU onliner, so that their CPU is the load's.
    static let commandLine = "console=ttyS0 quiet psm.heartbeat_us=500000 psm.onliner_us=500000"
    static let bridge = "psmbr0"

    public func run(log: @Sendable (String) -> Void) async throws -> Result {
        let g = settings.group
        let prefix = "psm-\(g)-"
        let scratch = NSTemporaryDirectory() + "psm-closed-loop-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: scratch + "/Models", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/serial", withIntermediateDirectories: true)
        try await removeDomains(prefix: prefix)
        var haproxy: HAProxyProcess?
        var load: LoadGenerator?
        defer {
            load?.stop(timeout: 5)
            haproxy?.stop()
        }
        do {
            // 1. The regular guest, serving HTTP on the test bridge.
            let web = prefix + "web-1"
            let webLog = SerialLog(path: scratch + "/serial/\(web).log")
            var spec = guest.spec(name: web, maximum: ResourceSize(vcpus: 2, memoryKiB: 512 * 1024),
                                  current: ResourceSize(vcpus: 1, memoryKiB: 512 * 1024), withLog: false)
            spec.boot = .kernel(path: guest.kernel, initrd: guest.initrd, commandLine: Self.commandLine)
            spec.serialLog = webLog.path
            spec.network = .bridge(Self.bridge)
            _ = try await hypervisor.define(spec)
            try await hypervisor.start(web)
            guard let net = webLog.waitForLine(after: 0, timeout: .seconds(120), where: { $0.hasPrefix("PSM-NET addr=") }) else {
                throw Failure(description: "the regular guest printed no PSM-NET line (is the bridge \(Self.bridge) up? scripts/realvm.sh up makes it)")
            }
            let webAddress = String(net.line.dropFirst("PSM-NET addr=".count))
            log("regular guest \(web) serves on \(webAddress)")

            // 2. Its idle utilisation, and the trigger.
            let idle = try await utilisation(of: web, over: 8)
            let threshold = settings.threshold ?? min(0.95, idle + settings.margin)
            log(String(format: "idle utilisation %.3f, trigger at %.3f", idle, threshold))

            // 3. HAProxy in front of it.
            let proxy = try HAProxyProcess(backends: [g: [.init(name: web, address: "\(webAddress):80")]], balance: "leastconn")
            haproxy = proxy
            guard let port = proxy.frontends[g] else { throw Failure(description: "no frontend for \(g)") }

            // 4. The actuator, from a psm.toml as an operator would write it.
            let configPath = scratch + "/psm.toml"
            try configuration(threshold: threshold, socket: proxy.socketPath, scratch: scratch)
                .write(toFile: configPath, atomically: true, encoding: .utf8)
            let config = try ActuatorConfiguration.load(path: configPath)
            let runtime = try await ActuatorRuntime(configuration: config, clock: SystemWallClock(),
                                                    router: try config.routing.makeRouter(),
                                                    connect: { host in try LibvirtHypervisor(uri: host.uri) })
            let collector = TimedCollector(Collector(settings: config.collect, groups: config.groups, hypervisors: runtime.hypervisors,
                                                     store: runtime.store, modelInterval: config.interval))

            // 5. Cycles until the pool holds a parked shadow.
            let provisionDeadline = Date().addingTimeInterval(settings.provisionTimeout)
            var shadow: ShadowRecord?
            while shadow == nil {
                guard Date() < provisionDeadline else { throw Failure(description: "no shadow was parked within \(settings.provisionTimeout) s") }
                await runtime.apply(await collector.collect(now: Int64(Date().timeIntervalSince1970)))
                let report = await runtime.cycle()
                for p in report.problems where !p.contains("no forecast") { log("cycle: \(p)") }
                shadow = try runtime.store.shadows(group: g, states: [.ready]).first
                if shadow == nil { try await Task.sleep(for: .seconds(1)) }
            }
            guard let shadow else { throw Failure(description: "no shadow") }
            log("shadow \(shadow.domainName) parked")

            // 6. The load, in steps, with a collection and a cycle every second.
            let generator = LoadGenerator(port: port, path: "/cgi-bin/work?n=\(settings.work)")
            load = generator
            var stepStart = generator.now()
            var stepIndex = 0
            generator.setRate(settings.rates[0])
            log("load \(settings.rates[0]) req/s")
            var crossing: Double?
            var crossingStep: Double?
            var trigger: Double?
            var triggeringRate: Double?
            var activation: ActivationRecord?
            var notes: [String] = []
            let runDeadline = generator.now() + Double(settings.rates.count) * settings.stepSeconds + 120
            while activation == nil, generator.now() < runDeadline {
                let collection = await collector.collect(now: Int64(Date().timeIntervalSince1970))
                await runtime.apply(collection)
                if crossing == nil, let u = collection.vms.first(where: { $0.name == web })?.cpuUtilisation, u >= threshold {
                    crossing = generator.now()
                    crossingStep = stepStart
                    log(String(format: "collector: %@ at %.3f (step of %.0f req/s)", web, u, settings.rates[stepIndex]))
                }
                let cycleStart = generator.now()
                let report = await runtime.cycle()
                for p in report.problems where !p.contains("no forecast") { log("cycle: \(p)") }
                if let a = report.activations.first {
                    trigger = cycleStart
                    triggeringRate = settings.rates[stepIndex]
                    activation = a
                    log("activation \(a.id): \(a.outcome?.rawValue ?? "open")")
                    break
                }
                if generator.now() - stepStart >= settings.stepSeconds, stepIndex + 1 < settings.rates.count {
                    stepIndex += 1
                    stepStart = generator.now()
                    generator.setRate(settings.rates[stepIndex])
                    log("load \(settings.rates[stepIndex]) req/s")
                }
                try await Task.sleep(for: .seconds(1))
            }
            guard let activation else { throw Failure(description: "no activation before the load steps ran out (threshold \(threshold))") }

            // 7. The shadow answers through HAProxy (its address from its own console; routing that
            //    failed — no address yet — is retried by the cycles, which go on every second).
            let shadowLog = SerialLog(path: scratch + "/serial/\(shadow.domainName).log")
            var shadowAddress: String?
            let answerDeadline = generator.now() + 90
            var firstAnswer: Double?
            var firstAnswerSent: Double?
            var lastCycle = generator.now()
            while firstAnswer == nil, generator.now() < answerDeadline {
                if shadowAddress == nil {
                    shadowAddress = shadowLog.lines(after: 0).first { $0.hasPrefix("PSM-NET addr=") }
                        .map { String($0.dropFirst("PSM-NET addr=".count)) }
                }
                if let shadowAddress,
                   let first = generator.results().requests.filter({ $0.ok && $0.body == "ok \(shadowAddress)" }).min(by: { $0.answered < $1.answered }) {
                    firstAnswer = first.answered
                    firstAnswerSent = first.sent
                }
                if firstAnswer == nil, generator.now() - lastCycle >= 1 {
                    lastCycle = generator.now()
                    await runtime.apply(await collector.collect(now: Int64(Date().timeIntervalSince1970)))
                    let report = await runtime.cycle()
                    for p in report.problems where !p.contains("no forecast") { log("cycle: \(p)") }
                }
                if firstAnswer == nil { try await Task.sleep(for: .milliseconds(100)) }
            }
            if shadowAddress == nil { notes.append("the shadow's console showed no PSM-NET line within 90 s") }
            if firstAnswer == nil { notes.append("no request was answered by the shadow within 90 s of the trigger") }
            try await Task.sleep(for: .seconds(settings.afterFirstAnswer))
            let info = try await hypervisor.info(shadow.domainName)
            let record = try runtime.store.activation(id: activation.id) ?? activation

            // 8. The drain check: less load, scale-in drains the shadow and parks it; count what failed meanwhile.
            generator.setPath("/cgi-bin/work?n=\(settings.drainWork)")
            generator.setRate(settings.drainRate)
            let drainStart = generator.now()
            log("load \(settings.drainRate) req/s: waiting for scale-in to drain and retire \(shadow.domainName)")
            var retired = false
            while !retired, generator.now() - drainStart < settings.drainTimeout {
                await runtime.apply(await collector.collect(now: Int64(Date().timeIntervalSince1970)))
                let report = await runtime.cycle()
                for p in report.problems where !p.contains("no forecast") { log("cycle: \(p)") }
                retired = report.retired.contains(shadow.id)
                if !retired { try await Task.sleep(for: .seconds(1)) }
            }
            let drainEnd = generator.now()
            // Requests sent while it drained, and a few seconds after it was parked.
            try await Task.sleep(for: .seconds(3))
            generator.stop()
            let results = generator.results()
            let duringDrain = results.requests.filter { $0.sent >= drainStart && $0.sent <= drainEnd + 3 }
            let drainFailed = retired ? duringDrain.filter { !$0.ok }.count : nil
            if retired {
                log(String(format: "retired after %.1f s of drain", drainEnd - drainStart))
            } else {
                notes.append("the shadow was not retired within \(settings.drainTimeout) s of low load: no drain check")
            }
            let failedTexts = Dictionary(grouping: results.requests.filter { !$0.ok }, by: { $0.status.map(String.init) ?? $0.body })
                .map { "\($0.key): \($0.value.count)" }
            if !failedTexts.isEmpty { notes.append("failed requests: " + failedTexts.sorted().joined(separator: ", ")) }
            try? await removeDomains(prefix: prefix)
            try? FileManager.default.removeItem(atPath: scratch)
            return Result(
                rise_detected_s: zip2(crossing, crossingStep).map { $0 - $1 },
                trigger_to_first_request_ms: zip2(firstAnswer, trigger).map { ($0 - $1) * 1000 },
                first_request_service_ms: zip2(firstAnswer, firstAnswerSent).map { ($0 - $1) * 1000 },
                trigger_to_first_request_sent_ms: zip2(firstAnswerSent, trigger).map { ($0 - $1) * 1000 },
                failed_requests: results.requests.filter { !$0.ok }.count + results.skipped,
                requests: results.requests.count,
                predicted_vcpus: record.predicted.map { Int($0.vcpus) }, applied_vcpus: info.vcpus,
                predicted_memory_mib: record.predicted.map { Int($0.memoryMiB) }, applied_memory_mib: Int(info.memoryKiB / 1024),
                threshold: threshold, idle_utilisation: idle, triggering_rate: triggeringRate,
                shadow_answers: shadowAddress.map { a in results.requests.filter { $0.body == "ok \(a)" }.count } ?? 0,
                drain_failed_requests: drainFailed,
                drain_requests: retired ? duringDrain.count : nil,
                drain_shadow_answers: retired ? shadowAddress.map { a in duringDrain.filter { $0.body == "ok \(a)" }.count } : nil,
                collection_ms_median: collector.median.map { $0 * 1000 },
                collection_ms_max: collector.maximum.map { $0 * 1000 },
                collection_domains: collector.domains,
                activation_outcome: record.outcome?.rawValue,
                activation_steps_ms: record.stepLatencies.mapValues { $0 * 1000 },
                notes: notes)
        } catch {
            try? await removeDomains(prefix: prefix)
            log("kept for inspection: \(scratch)")
            throw error
        }
    }

    /// The psm.toml of the run: one group whose members are the regular guest (its running capacity
    /// measured, not configured), demand = busy vCPUs measured by the collector (unit 2 = the
    /// 2-vCPU template, so one unit is one vCPU and utilisation is busy vCPUs / running vCPUs), one
    /// shadow of the same guest on the test bridge, routing through the HAProxy runtime socket, and
    /// a short scale-in window for the drain check.
    func configuration(threshold: Double, socket: String, scratch: String) -> String {
        let g = settings.group
        return """
            [actuator]
            store = "store.sqlite"
            registry = "Models"
            interval = 1
            hypervisor = "\(RealVMGuest.uri)"
            # This 2-CPU machine holds the regular guest and the shadows only by overcommitting vCPUs.
            cpu_allocation_ratio = 4
            boot_grace = 30

            [actuator.collect]
            interval = 1

            [actuator.trigger]
            utilisation = \(threshold)

            [actuator.routing]
            kind = "haproxy"
            socket = "\(socket)"
            port = 80
            drain_timeout = 30

            [actuator.cost_loop]
            scale_in_utilisation = \(settings.scaleInUtilisation)
            scale_in_window = \(settings.scaleInWindow)

            [[actuator.groups]]
            name = "\(g)"
            unit = 2
            vcpus = 2
            memory_mib = 512
            baseline_vcpu_fraction = 0.5
            baseline_memory_fraction = 0.5
            min = 1
            max = 1
            members = "psm-\(g)-web-*"
            demand_metric = "cpu"
            kernel = "\(guest.kernel)"
            initrd = "\(guest.initrd)"
            cmdline = "\(Self.commandLine)"
            virtualization = "qemu"
            machine = "q35"
            serial_log_dir = "serial"
            network = "bridge:\(Self.bridge)"
            """
    }

    /// CPU utilisation of `domain` (Δ CPU time / (Δt × vCPUs)) over `seconds`.
    func utilisation(of domain: String, over seconds: Double) async throws -> Double {
        func sample() async throws -> (UInt64, Int, ContinuousClock.Instant) {
            guard let s = try await hypervisor.stats().first(where: { $0.name == domain }), let cpu = s.cpuTimeNanoseconds else {
                throw Failure(description: "no CPU time for \(domain)")
            }
            return (cpu, s.vcpus ?? 1, .now)
        }
        let a = try await sample()
        try await Task.sleep(for: .seconds(seconds))
        let b = try await sample()
        let elapsed = b.2 - a.2
        let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(b.0 - a.0) / 1e9 / (wall * Double(b.1))
    }

    /// Destroys and undefines every domain whose name starts with `prefix` (save images included).
    package func removeDomains(prefix: String) async throws {
        for d in try await hypervisor.list() where d.name.hasPrefix(prefix) {
            try? await hypervisor.destroy(d.name)
            try? await hypervisor.undefine(d.name, removingManagedSave: true)
        }
    }
}

/// The collector with each collection's duration kept (`CollectionReport.seconds`).
private final class TimedCollector: @unchecked Sendable {
    let collector: Collector
    private var seconds: [Double] = []
    private(set) var domains: Int?
    init(_ collector: Collector) { self.collector = collector }

    func collect(now: Int64) async -> CollectionReport {
        let report = await collector.collect(now: now)
        seconds.append(report.seconds)
        domains = report.vms.count
        return report
    }

    var median: Double? {
        let s = seconds.sorted()
        return s.isEmpty ? nil : s[s.count / 2]
    }
    var maximum: Double? { seconds.max() }
}

private func zip2(_ a: Double?, _ b: Double?) -> (Double, Double)? {
    guard let a, let b else { return nil }
    return (a, b)
}
