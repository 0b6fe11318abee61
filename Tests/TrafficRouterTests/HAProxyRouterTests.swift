@testable import Actuator
import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import Testing

/// HAProxyRouter against a real haproxy: the runtime API's answers, and traffic that really goes
/// through the frontend to the VM the router enabled.
@Suite(.serialized, .enabled(if: HAProxyFixture.binary != nil, HAProxyFixture.skipReason))
struct HAProxyRouterTests {
    /// A stand-in VM: answers every GET with its name.
    static func backend(_ name: String) -> Application<RouterResponder<BasicRequestContext>> {
        let router = Router()
        router.get("/") { _, _ in name }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// GET / through a group's frontend: the status and body.
    static func get(port: Int) async throws -> (UInt, String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/"),
                                                           timeout: .seconds(5))
        let body = try await response.body.collect(upTo: 1 << 16)
        return (response.status.code, String(buffer: body))
    }

    @Test func enablingAPredeclaredSlotSetsAddressWeightAndStateAndCarriesTraffic() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": ["psm-web-s1", "psm-web-s2"], "batch": ["psm-batch-s1"]])
        defer { haproxy.stop() }
        let router = HAProxyRouter(socketPath: haproxy.socketPath)
        let frontend = try #require(haproxy.frontends["web"])

        let before = try await router.servers(group: "web")
        #expect(before.map(\.name) == ["psm-web-s1", "psm-web-s2"])
        #expect(before.allSatisfy { $0.inMaintenance })
        // No server up yet: HAProxy itself answers 503.
        #expect(try await Self.get(port: frontend).0 == 503)

        try await Self.backend("vm-one").test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let target = RouteTarget(group: "web", server: "psm-web-s1", address: "127.0.0.1:\(port)", weight: 50)
            try await router.enable(target)
            let s1 = try #require(try await router.servers(group: "web").first { $0.name == "psm-web-s1" })
            #expect(s1.isUp && s1.address == "127.0.0.1" && s1.port == port && s1.weight == 50)
            #expect(try await Self.get(port: frontend) == (200, "vm-one"))

            // Idempotent: the same call again changes nothing and succeeds.
            try await router.enable(target)
            #expect(try await router.servers(group: "web").first { $0.name == "psm-web-s1" } == s1)
            // A new weight is applied; the other slot and the other backend are untouched.
            try await router.enable(RouteTarget(group: "web", server: "psm-web-s1", address: "127.0.0.1:\(port)", weight: 80))
            let servers = try await router.servers(group: "web")
            #expect(servers.first { $0.name == "psm-web-s1" }?.weight == 80)
            #expect(servers.first { $0.name == "psm-web-s2" }?.inMaintenance == true)
            #expect(try await router.servers(group: "batch").allSatisfy { $0.inMaintenance })

            // Disabled: maintenance, the slot stays declared, traffic stops.
            try await router.disable(group: "web", server: "psm-web-s1")
            let disabled = try #require(try await router.servers(group: "web").first { $0.name == "psm-web-s1" })
            #expect(disabled.inMaintenance && !disabled.isUp)
            #expect(try await Self.get(port: frontend).0 == 503)
            try await router.disable(group: "web", server: "psm-web-s1")  // idempotent
        }
    }

    /// `socket = "tcp://HOST:PORT"`: the same runtime API over TCP (`stats socket ipv4@…`).
    @Test func theRuntimeAPIWorksOverATCPSocketToo() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": ["psm-web-s1"]])
        defer { haproxy.stop() }
        let router = HAProxyRouter(socketPath: haproxy.tcpSocket)
        #expect(haproxy.tcpSocket.hasPrefix("tcp://127.0.0.1:"))
        #expect(try await router.servers(group: "web").map(\.name) == ["psm-web-s1"])
        try await router.enable(RouteTarget(group: "web", server: "psm-web-s1", address: "127.0.0.1:9", weight: 10))
        #expect(try await HAProxyRouter(socketPath: haproxy.socketPath).servers(group: "web").first?.weight == 10)
        do {
            _ = try await HAProxyRouter(socketPath: "tcp://127.0.0.1").servers(group: "web")
            Issue.record("a tcp:// socket without a port was accepted")
        } catch {
            #expect(error.message.contains("tcp://HOST:PORT"), "\(error)")
        }
    }

    @Test func aServerTheConfigurationDoesNotDeclareIsAddedAndRemovedAtRunTime() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": ["slot1"]])
        defer { haproxy.stop() }
        let router = HAProxyRouter(socketPath: haproxy.socketPath)
        let frontend = try #require(haproxy.frontends["web"])
        try await Self.backend("vm-dynamic").test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            let target = RouteTarget(group: "web", server: "psm-web-7f3a", address: "127.0.0.1:\(port)", weight: 10)
            try await router.enable(target)
            try await router.enable(target)  // idempotent: found, not added twice
            let servers = try await router.servers(group: "web")
            #expect(servers.map(\.name).sorted() == ["psm-web-7f3a", "slot1"])
            let added = try #require(servers.first { $0.name == "psm-web-7f3a" })
            #expect(added.isUp && added.port == port && added.weight == 10)
            #expect(try await Self.get(port: frontend) == (200, "vm-dynamic"))

            try await router.disable(group: "web", server: "psm-web-7f3a")
            #expect(try await router.servers(group: "web").map(\.name) == ["slot1"])
            try await router.disable(group: "web", server: "psm-web-7f3a")  // already gone: still fine

            // A router that did not add the server (an actuator restarted since) only stops its
            // traffic: maintenance, no deletion.
            try await router.enable(target)
            let restarted = HAProxyRouter(socketPath: router.socketPath)
            try await restarted.disable(group: "web", server: "psm-web-7f3a")
            let kept = try #require(try await router.servers(group: "web").first { $0.name == "psm-web-7f3a" })
            #expect(kept.inMaintenance)
            #expect(try await Self.get(port: frontend).0 == 503)
        }
    }

    @Test func haproxyRefusalsAndBadTargetsBecomeRoutingErrors() async throws {
        let haproxy = try HAProxyFixture(slots: ["web": ["psm-web-s1"]])
        defer { haproxy.stop() }
        let router = HAProxyRouter(socketPath: haproxy.socketPath)

        func message(_ body: () async throws -> Void) async -> String? {
            do { try await body(); return nil } catch let error as RoutingError { return error.description } catch {
                return "not a RoutingError: \(error)"
            }
        }
        // HAProxy's own answer is carried.
        let unknown = await message { try await router.enable(RouteTarget(group: "nope", server: "x", address: "127.0.0.1:1")) }
        #expect(unknown?.contains("Can't find backend") == true, "\(unknown ?? "no error")")
        // Refused before anything is sent.
        let weight = await message { try await router.enable(RouteTarget(group: "web", server: "psm-web-s1", weight: 300)) }
        #expect(weight?.contains("weight 300") == true)
        let address = await message { try await router.enable(RouteTarget(group: "web", server: "psm-web-s1", address: "vm.example:80")) }
        #expect(address?.contains("IPv4 or IPv6 literal") == true)
        let injected = await message { try await router.enable(RouteTarget(group: "web", server: "a; shutdown", address: "127.0.0.1")) }
        #expect(injected?.contains("server name") == true)
        let noAddress = await message { try await router.enable(RouteTarget(group: "web", server: "not-declared")) }
        #expect(noAddress?.contains("no address") == true)
        // Nothing changed by the refusals.
        #expect(try await router.servers(group: "web").map(\.name) == ["psm-web-s1"])
        #expect(try await router.servers(group: "web").first?.inMaintenance == true)

        let missing = HAProxyRouter(socketPath: haproxy.directory.appendingPathComponent("none.sock").path)
        let unreachable = await message { try await missing.disable(group: "web", server: "psm-web-s1") }
        #expect(unreachable?.contains("cannot connect") == true)
    }

    @Test func addressesParseAsHAProxyNeedsThem() throws {
        #expect(try HAProxyRouter.parseAddress("10.0.0.5") == ("10.0.0.5", nil))
        #expect(try HAProxyRouter.parseAddress("10.0.0.5:8080") == ("10.0.0.5", 8080))
        #expect(try HAProxyRouter.parseAddress("[fd00::5]:8080") == ("fd00::5", 8080))
        #expect(try HAProxyRouter.parseAddress("fd00::5") == ("fd00::5", nil))
        for bad in ["", "10.0.0", "10.0.0.256", "host:80", "10.0.0.5:0", "10.0.0.5:99999", "[fd00::5", "10.0.0.5 port 1"] {
            #expect(throws: RoutingError.self, "\(bad)") { try HAProxyRouter.parseAddress(bad) }
        }
    }

    @Test func serversStateParsesByColumnName() {
        let answer = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord
            3 web 1 s1 10.0.0.5 2 0 50 100 4 1 0 0 0 0 0 0 - 8080 -
            3 web 2 s2 127.0.0.1 0 5 1 1 4 1 0 0 0 0 0 0 - 9 -

            """
        let states = HAProxyRouter.parseServersState(answer)
        #expect(states == [
            HAProxyServerState(name: "s1", address: "10.0.0.5", port: 8080, operationalState: 2, adminState: 0, weight: 50),
            HAProxyServerState(name: "s2", address: "127.0.0.1", port: 9, operationalState: 0, adminState: 5, weight: 1),
        ])
        #expect(states?.first?.isUp == true && states?.last?.inMaintenance == true)
        #expect(HAProxyRouter.parseServersState("Can't find backend.\n") == nil)
    }
}
