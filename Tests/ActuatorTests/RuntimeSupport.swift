@testable import Actuator
import Foundation
import Hypervisor
import HypervisorTestSupport
import LibvirtHypervisor
import MetricStore
import ModelRegistry
import ScoringTestSupport
@testable import Scaling
import Synchronization
import TimeSeries

/// A private libvirt test-driver host (an empty custom node, so parallel tests never see each
/// other's domains), a store and a registry with a seasonal-naive model for group "web" on an
/// hourly grid, and an actuator configuration over them.
struct RuntimeFixture {
    let directory: URL
    let hypervisor: LibvirtHypervisor
    var configuration: ActuatorConfiguration
    /// The hour after the model's training data: where live demand starts.
    let start: Int64

    init(running: Double = 20, unit: Int64 = 10, maximum: Int = 4, forecastLevel: Double? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let node = directory.appendingPathComponent("node.xml").path
        // As large as the configured cap (64 vCPUs, 64 GiB): capacity is measured from the node.
        try testNode(cpus: 64, memoryMiB: 65_536).write(toFile: node, atomically: true, encoding: .utf8)
        hypervisor = try LibvirtHypervisor(uri: "test://" + node)
        let registry = ModelRegistry(root: directory.appendingPathComponent("Models"))
        let values = ScoringFixture.values(count: 96, level: 20)
        try ScoringFixture.publish(registry, group: "web", kind: "seasonal-naive", components: ["seasonal-naive"],
                                   inputs: [ScoringFixture.input("web", values)])
        start = ScoringFixture.grid.start + 96 * 3600
        let costs = try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120, interval: 3600)
        let sizing = try SizingPolicy(costs: costs, leadTime: 60, hysteresis: HysteresisPolicy(cooldown: 0),
                                      defaultBounds: GroupBounds(minimum: 0, maximum: maximum))
        let group = GroupConfiguration(name: "web", template: ShadowTemplate(full: ResourceSize(vcpus: 4, memoryKiB: 1_048_576),
                                                                             units: unit),
                                       running: running, bounds: try GroupBounds(minimum: 0, maximum: maximum))
        configuration = ActuatorConfiguration(
            store: directory.appendingPathComponent("actuator.sqlite").path,
            registry: directory.appendingPathComponent("Models").path,
            hosts: [HostConfig(name: "h1", uri: "test://" + node, capacity: CapacityAmount(vcpus: 64, memoryMiB: 65_536, units: 1_000))],
            groups: [group], sizing: sizing,
            trigger: try TriggerPolicy(utilisationThreshold: 0.8, activationLeadTime: 0, forecastLevel: forecastLevel))
        configuration.interval = 3600
        configuration.horizon = 3
        configuration.levels = ScoringFixture.levels
        configuration.retry = .none
    }

    func runtime(clock: ManualWallClock, hypervisor: (any Hypervisor)? = nil, router: any TrafficRouter = NoTrafficRouter())
        async throws -> ActuatorRuntime {
        let h: any Hypervisor = hypervisor ?? self.hypervisor
        return try await ActuatorRuntime(configuration: configuration, clock: clock, router: router, connect: { _ in h })
    }

    func cleanUp() { try? FileManager.default.removeItem(at: directory) }

    /// Holds web's pool at exactly `shadows` (every bound the sizer and the configuration read).
    mutating func fixPool(at shadows: Int) throws {
        let fixed = try GroupBounds(minimum: shadows, maximum: shadows)
        configuration.sizing.defaultBounds = fixed
        configuration.sizing.bounds["web"] = fixed
        configuration.groups[0].bounds = fixed
    }
}

/// A libvirt test-driver node file of its own size (`test:///PATH.xml`), with `domains` (domain
/// XML) defined on it.
func testNode(cpus: Int, memoryMiB: Int64, domains: [String] = []) -> String {
    """
    <node>
      <cpu><mhz>2000</mhz><model>x86_64</model><active>\(cpus)</active>
           <nodes>1</nodes><sockets>1</sockets><cores>\(cpus)</cores><threads>1</threads></cpu>
      <memory>\(memoryMiB * 1024)</memory>
    \(domains.joined(separator: "\n"))
    </node>
    """
}

/// A router that refuses every call (the failure path of an activation's last step).
struct RefusingRouter: TrafficRouter {
    var name: String { "refusing" }
    func enable(_ target: RouteTarget) async throws(RoutingError) { throw RoutingError(router: name, "backend down") }
    func disable(group: String, server: String) async throws(RoutingError) {}
}

/// Lets `crashAfter` hypervisor calls through; from then on every call suspends forever, so the
/// caller stops exactly there — nothing after that point runs, as when the process is SIGKILLed
/// (the suspended continuations are parked here, never resumed). `hypervisor` is the wrapped one.
final class FreezingHypervisor: @unchecked Sendable {
    let inner: any Hypervisor
    let crashAfter: Int
    private let calls = Mutex(0)
    nonisolated(unsafe) static var parked: [CheckedContinuation<Void, Never>] = []
    static let parkLock = NSLock()

    init(_ inner: any Hypervisor, crashAfter: Int) {
        self.inner = inner
        self.crashAfter = crashAfter
    }

    var hypervisor: InterceptingHypervisor { InterceptingHypervisor(inner, before: { [self] _ in await gate() }) }
    var frozen: Bool { calls.withLock { $0 > crashAfter } }
    /// Calls made so far (frozen ones included).
    var callCount: Int { calls.withLock { $0 } }

    private func gate() async {
        let n = calls.withLock { c -> Int in c += 1; return c }
        guard n > crashAfter else { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Self.parkLock.lock()
            Self.parked.append(c)
            Self.parkLock.unlock()
        }
    }
}

/// Fails every other call with a transient libvirt error (`operationFailed`) before forwarding:
/// injected failures that the retries must absorb. `hypervisor` is the wrapped one.
final class FlakyHypervisor: Sendable {
    let inner: any Hypervisor
    private let calls = Mutex(0)
    /// Calls that failed (injected).
    var failures: Int { calls.withLock { $0 / 2 } }
    /// When true, every call fails (an outage outlasting the retries).
    let always: Bool

    init(_ inner: any Hypervisor, always: Bool = false) {
        self.inner = inner
        self.always = always
    }

    var hypervisor: InterceptingHypervisor {
        InterceptingHypervisor(inner, before: { [self] call throws(HypervisorError) in
            let n = calls.withLock { c -> Int in c += 1; return c }
            if always || n % 2 == 1 {
                throw HypervisorError(code: .operationFailed, operation: call.method, message: "injected failure")
            }
        })
    }
}
