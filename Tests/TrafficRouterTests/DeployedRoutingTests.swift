@testable import Actuator
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import Hypervisor
import LibvirtHypervisor
import MetricStore
import NIOCore
import NIOHTTP1
@testable import Scaling
import Testing

/// The deployed actuator's routing end to end: an `ActuatorRuntime` configured with
/// `[actuator.routing] kind = "haproxy"` over a real haproxy (started by the test) and libvirt's
/// test driver (a private node): activation routes with the address libvirt reports, a routing
/// failure keeps the activation and is retried by a later cycle, scale-in drains before it parks,
/// and the start-up reconciliation repairs the router.
@Suite(.serialized, .enabled(if: HAProxyFixture.binary != nil, HAProxyFixture.skipReason))
struct DeployedRoutingTests {
    struct Fixture {
        let directory: URL
        let hypervisor: LibvirtHypervisor
        var configuration: ActuatorConfiguration
        let clock = ManualWallClock(1_800_000_000)

        init(network: DomainSpec.Network? = .user, socket: String, address: String = "{ip}", port: Int? = 8080) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("routing-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("Models"), withIntermediateDirectories: true)
            let node = directory.appendingPathComponent("node.xml").path
            try "<node/>".write(toFile: node, atomically: true, encoding: .utf8)
            hypervisor = try LibvirtHypervisor(uri: "test://" + node)
            let costs = try CostModel(missCost: 10, reserveCost: 0.5, launchDelay: 120, interval: 3600)
            let sizing = try SizingPolicy(costs: costs, leadTime: 60, hysteresis: HysteresisPolicy(cooldown: 0),
                                          defaultBounds: GroupBounds(minimum: 0, maximum: 4))
            var template = ShadowTemplate(full: ResourceSize(vcpus: 2, memoryKiB: 524_288), units: 10)
            template.network = network
            let group = GroupConfiguration(name: "web", template: template, running: 0, bounds: try GroupBounds(minimum: 0, maximum: 4))
            configuration = ActuatorConfiguration(
                store: directory.appendingPathComponent("actuator.sqlite").path,
                registry: directory.appendingPathComponent("Models").path,
                hosts: [HostConfig(name: "h1", uri: "test://" + node, capacity: CapacityAmount(vcpus: 64, memoryMiB: 65_536, units: 1_000))],
                groups: [group], sizing: sizing, trigger: try TriggerPolicy(utilisationThreshold: 0.8, activationLeadTime: 0))
            configuration.interval = 3600
            configuration.retry = .none
            configuration.scaleInWindow = 0
            var routing = RoutingConfiguration()
            routing.kind = .haproxy
            routing.socket = socket
            routing.address = address
            routing.port = port
            routing.drainTimeout = 600
            configuration.routing = routing
        }

        func runtime() async throws -> ActuatorRuntime {
            let h = hypervisor
            return try await ActuatorRuntime(configuration: configuration, clock: clock, router: try configuration.routing.makeRouter(),
                                             connect: { _ in h })
        }

        /// `count` parked shadows of group web, through the runtime's own reconciler.
        func shadows(_ runtime: ActuatorRuntime, _ count: Int) async throws -> [ShadowRecord] {
            let report = await runtime.reconciler.reconcile(desired: ["web": count])
            #expect(report.problems.isEmpty, "\(report.problems)")
            return try runtime.store.shadows(states: [.ready]).sorted { $0.id < $1.id }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    static func haproxyRouter(_ f: Fixture) throws -> HAProxyRouter {
        try #require(try f.configuration.routing.makeRouter() as? HAProxyRouter)
    }

    @Test func activationPutsTheServerUpWithTheAddressLibvirtReports() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": []])
        defer { haproxy.stop() }
        let f = try Fixture(socket: haproxy.socketPath)
        defer { f.cleanUp() }
        let runtime = try await f.runtime()
        let shadow = try #require(try await f.shadows(runtime, 1).first)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "a-1")
        #expect(record.outcome == .succeeded && record.stepLatencies["routing"] != nil)
        let ip = try #require(try await f.hypervisor.interfaceAddresses(shadow.domainName).first)
        let server = try #require(try await Self.haproxyRouter(f).servers(group: "web").first { $0.name == shadow.domainName })
        #expect(server.isUp && server.address == ip && server.port == 8080)
        let route = try #require(try runtime.store.route(activation: "a-1"))
        #expect(route.state == .routed && route.address == "\(ip):8080" && route.error == nil)
    }

    @Test func anAddressThatNeverAppearsLeavesTheActivationSucceededAndUnrouted() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": []])
        defer { haproxy.stop() }
        let f = try Fixture(network: nil, socket: haproxy.socketPath)  // no NIC: libvirt never knows an address
        defer { f.cleanUp() }
        let runtime = try await f.runtime()
        let shadow = try #require(try await f.shadows(runtime, 1).first)
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "a-1")
        #expect(record.outcome == .succeeded)
        #expect(try await f.hypervisor.info(shadow.domainName).state == .running)
        #expect(try runtime.store.shadow(id: shadow.id)?.state == .active)
        let route = try #require(try runtime.store.route(activation: "a-1"))
        #expect(route.state == .failed && route.error?.contains("no address yet") == true)
        #expect(try await Self.haproxyRouter(f).servers(group: "web").isEmpty)
        // Retried by the cycles (backoff due), still failing: reported, never rolled back.
        f.clock.advance(by: 3600)
        let report = await runtime.cycle()
        #expect(report.routing.unrouted == [shadow.id])
        #expect(report.problems.contains { $0.contains("active but not routed") })
        #expect(try runtime.store.route(shadow: shadow.id)?.attempts == 2)
        #expect(try runtime.store.shadow(id: shadow.id)?.state == .active)
    }

    @Test func aRouterDownAtActivationIsRoutedByALaterCycle() async throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("psm-haproxy-\(UUID().uuidString.prefix(8))")
        let f = try Fixture(socket: base.appendingPathComponent("admin.sock").path)
        defer { f.cleanUp() }
        let runtime = try await f.runtime()
        let shadow = try #require(try await f.shadows(runtime, 1).first)
        // HAProxy is not running yet: the activation completes, its route fails.
        let record = try await runtime.activator.activate(shadowID: shadow.id, activationID: "a-1")
        #expect(record.outcome == .succeeded)
        let failed = try #require(try runtime.store.route(activation: "a-1"))
        #expect(failed.state == .failed && failed.error?.contains("cannot connect") == true)
        let view = try await runtime.activate(shadowID: shadow.id, requestID: "a-1")
        #expect(view.routing == "failed" && view.routingError?.contains("cannot connect") == true)

        let haproxy = try HAProxyFixture(slots: ["web": []], in: base)
        defer { haproxy.stop() }
        // Before the backoff is due the cycle leaves it alone; once due, it is routed.
        let early = await runtime.cycle()
        #expect(early.routing.rerouted.isEmpty && early.routing.unrouted == [shadow.id])
        f.clock.advance(by: 3600)
        let report = await runtime.cycle()
        #expect(report.routing.rerouted == [shadow.id])
        let ip = try #require(try await f.hypervisor.interfaceAddresses(shadow.domainName).first)
        let server = try #require(try await Self.haproxyRouter(f).servers(group: "web").first { $0.name == shadow.domainName })
        #expect(server.isUp && server.address == ip)
        #expect(try runtime.store.route(shadow: shadow.id)?.state == .routed)
        #expect(try runtime.store.route(shadow: shadow.id)?.activationID == "a-1")
    }

    /// A stand-in VM whose /slow answer takes `delay`: a session that is open while the drain starts.
    static func slowBackend(_ delay: Duration) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        router.get("/slow") { _, _ in
            try await Task.sleep(for: delay)
            return "finished"
        }
        router.get("/") { _, _ in "vm" }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    @Test func scaleInDrainsThenParksAndAnOpenSessionIsNotCut() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": []])
        defer { haproxy.stop() }
        let frontend = try #require(haproxy.frontends["web"])
        let socket = haproxy.socketPath
        try await Self.slowBackend(.seconds(3)).test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            // A static address: where the stand-in VM listens.
            let f = try Fixture(network: nil, socket: socket, address: "127.0.0.1", port: port)
            defer { f.cleanUp() }
            let runtime = try await f.runtime()
            let shadow = try #require(try await f.shadows(runtime, 1).first)
            _ = try await runtime.activator.activate(shadowID: shadow.id, activationID: "a-1")
            let router = try Self.haproxyRouter(f)
            #expect(try await router.servers(group: "web").first { $0.name == shadow.domainName }?.isUp == true)

            // A session open through HAProxy.
            let session = Task { () async throws -> (UInt, String) in
                let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(frontend)/slow"),
                                                                   timeout: .seconds(20))
                return (response.status.code, String(buffer: try await response.body.collect(upTo: 1 << 16)))
            }
            var open = 0
            for _ in 0..<100 where open == 0 {
                open = try await router.openSessions(group: "web", server: shadow.domainName) ?? 0
                if open == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(open == 1)

            // Demand gone: scale-in picks it. It drains (not maintenance), the guest still runs.
            await runtime.observe(group: "web", demand: 0, at: f.clock.now())
            let first = await runtime.cycle()
            #expect(first.retired.isEmpty && first.routing.draining == [shadow.id], "\(first.problems)")
            let draining = try #require(try await router.servers(group: "web").first { $0.name == shadow.domainName })
            #expect(draining.adminState & 0x08 != 0 && !draining.inMaintenance)
            #expect(try await f.hypervisor.info(shadow.domainName).state == .running)
            #expect(try runtime.store.shadow(id: shadow.id)?.state == .active)
            #expect(try runtime.store.route(shadow: shadow.id)?.state == .draining)
            // No new session reaches a draining server.
            let fresh = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(frontend)/"), timeout: .seconds(5))
            #expect(fresh.status.code == 503)

            // The open session ends normally: not cut by the drain.
            let answer = try await session.value
            #expect(answer == (200, "finished"))

            // Next cycle: no session left → maintenance (removed: this router added it), then the guest goes.
            f.clock.advance(by: 60)
            let second = await runtime.cycle()
            #expect(second.retired == [shadow.id], "\(second.problems)")
            #expect(try await router.servers(group: "web").first { $0.name == shadow.domainName } == nil)
            #expect(try runtime.store.route(shadow: shadow.id)?.state == .withdrawn)
            #expect(try runtime.store.shadow(id: shadow.id)?.state == .gone)
            await #expect(throws: HypervisorError.self) { _ = try await f.hypervisor.info(shadow.domainName) }
        }
    }

    @Test func aDrainThatOutlivesItsTimeoutIsParkedAnyway() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": []])
        defer { haproxy.stop() }
        let frontend = try #require(haproxy.frontends["web"])
        let socket = haproxy.socketPath
        try await Self.slowBackend(.seconds(8)).test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let f = try Fixture(network: nil, socket: socket, address: "127.0.0.1", port: port)
            defer { f.cleanUp() }
            let runtime = try await f.runtime()
            let shadow = try #require(try await f.shadows(runtime, 1).first)
            _ = try await runtime.activator.activate(shadowID: shadow.id, activationID: "a-1")
            let router = try Self.haproxyRouter(f)
            let session = Task { try? await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(frontend)/slow"),
                                                                      timeout: .seconds(20)) }
            defer { session.cancel() }
            var open = 0
            for _ in 0..<100 where open == 0 {
                open = try await router.openSessions(group: "web", server: shadow.domainName) ?? 0
                if open == 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(open == 1)
            await runtime.observe(group: "web", demand: 0, at: f.clock.now())
            #expect(await runtime.cycle().routing.draining == [shadow.id])
            f.clock.advance(by: 300)
            #expect(await runtime.cycle().routing.draining == [shadow.id], "before drain_timeout (600 s) it waits")
            f.clock.advance(by: 301)
            let report = await runtime.cycle()
            #expect(report.retired == [shadow.id], "\(report.problems)")
            #expect(try runtime.store.shadow(id: shadow.id)?.state == .gone)
        }
    }

    @Test func startupReconcilesTheRouterWithTheStore() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": []])
        defer { haproxy.stop() }
        let f = try Fixture(socket: haproxy.socketPath)
        defer { f.cleanUp() }
        let router = try Self.haproxyRouter(f)
        do {
            let runtime = try await f.runtime()
            let shadows = try await f.shadows(runtime, 2)
            _ = try await runtime.activator.activate(shadowID: shadows[0].id, activationID: "a-1")
            _ = try await runtime.activator.activate(shadowID: shadows[1].id, activationID: "a-2")
            #expect(try await router.servers(group: "web").filter(\.isUp).count == 2)
            // While no actuator runs: the first VM's server is put in maintenance by hand, the
            // second VM is decommissioned without its server being touched.
            try await router.disable(group: "web", server: shadows[0].domainName)
            var report = ReconcileReport()
            await runtime.reconciler.remove(shadows[1], from: .active, &report)
            #expect(report.removed == [shadows[1].id])
            #expect(try await router.servers(group: "web").first { $0.name == shadows[1].domainName }?.isUp == true)
        }
        let shadows = try MetricStore(path: f.configuration.store).shadows()
        let active = try #require(shadows.first { $0.state == .active })
        let gone = try #require(shadows.first { $0.state == .gone })
        _ = try await f.runtime()  // a restart: adoption and the routing reconciliation
        let servers = try await router.servers(group: "web")
        let ip = try #require(try await f.hypervisor.interfaceAddresses(active.domainName).first)
        let up = try #require(servers.first { $0.name == active.domainName })
        #expect(up.isUp && up.address == ip)
        #expect(servers.first { $0.name == gone.domainName }?.isUp != true)
        #expect(try MetricStore(path: f.configuration.store).route(shadow: gone.id)?.state == .withdrawn)
    }

    @Test func webhookSignsItsBodyWithTheSecret() throws {
        let body = Data(#"{"action":"drain"}"#.utf8)
        // Reference value: `printf '%s' '{"action":"drain"}' | openssl dgst -sha256 -hmac k`.
        #expect(WebhookRouter.signature(of: body, secret: "k")
                == "sha256=3d0b949c7c2e8682830aa6b1702a3336e7c8a00962de35a401fc70509d65033c")
    }
}
