import Foundation
import Hypervisor
import MetricStore
#if canImport(Glibc)
import Glibc
import Scaling
#endif

/// Routes activated VMs and keeps the store's record of it (`routes`, docs/routing.md): builds
/// each VM's `RouteTarget` (server name and address from `[actuator.routing]`, the address looked
/// up through the hypervisor), records routed / failed (with the next attempt, backoff) / draining
/// / withdrawn, and counts failures. A routing failure never undoes an activation: the VM runs and
/// serves what reaches it, and the runtime retries the route each cycle until it succeeds.
package struct RouteKeeper: Sendable {
    package let router: any TrafficRouter
    package let settings: RoutingConfiguration
    package let store: any ActuatorStore
    package let clock: any WallClock
    package let metrics: ActuatorMetrics
    /// Whether routes are recorded: not when routing is done by other means (`NoTrafficRouter`).
    package var records: Bool { !(router is NoTrafficRouter) }

    package init(router: any TrafficRouter, settings: RoutingConfiguration = RoutingConfiguration(), store: any ActuatorStore,
                clock: any WallClock, metrics: ActuatorMetrics = ActuatorMetrics()) {
        self.router = router
        self.settings = settings
        self.store = store
        self.clock = clock
        self.metrics = metrics
    }

    /// The server name of a shadow's domain.
    package func server(of shadow: ShadowRecord) -> String {
        RoutingConfiguration.fill(settings.server, ["domain": shadow.domainName, "group": shadow.group])
    }

    /// The address to route `shadow` to: the `address` template filled, `{ip}` from the hypervisor.
    /// Nil when the template needs an IP the hypervisor does not know (yet); errors are said.
    package func address(of shadow: ShadowRecord, hypervisor: (any Hypervisor)?) async throws(RoutingError) -> String? {
        var values = ["domain": shadow.domainName, "group": shadow.group, "host": shadow.host]
        let template = settings.address
        if template.contains("{ip}") {
            guard let hypervisor else { throw RoutingError(router: router.name, "no connection to host \(shadow.host) to look up \(shadow.domainName)'s address") }
            let ips: [String]
            do { ips = try await hypervisor.interfaceAddresses(shadow.domainName) } catch {
                throw RoutingError(router: router.name, "cannot look up \(shadow.domainName)'s address: \(error)")
            }
            guard let ip = ips.first else {
                throw RoutingError(router: router.name, "\(shadow.domainName) has no address yet (DHCP lease, ARP or guest agent)")
            }
            values["ip"] = ip.contains(":") && template.contains("{ip}:") ? "[\(ip)]" : ip
        }
        var address = RoutingConfiguration.fill(template, values)
        if router is HAProxyRouter { address = try await Self.numeric(address, router: router.name) }
        if let port = settings.port, !Self.hasPort(address) {
            address = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        return address
    }

    /// Whether `host:port`, `[v6]:port` carries a port (a bare IPv6 address does not).
    static func hasPort(_ address: String) -> Bool {
        if address.hasPrefix("[") { return address.contains("]:") }
        return address.filter { $0 == ":" }.count == 1
    }

    /// HAProxy takes IP literals only: a host name in the address is resolved (IPv4 first).
    static func numeric(_ address: String, router: String) async throws(RoutingError) -> String {
        if (try? HAProxyRouter.parseAddress(address)) != nil { return address }
        var host = address
        var portPart = ""
        if !address.hasPrefix("["), address.filter({ $0 == ":" }).count == 1, let colon = address.firstIndex(of: ":") {
            host = String(address[..<colon])
            portPart = String(address[colon...])
        }
        let name = host
        let found: String? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: resolve(name)) }
        }
        guard let ip = found else { throw RoutingError(router: router, "cannot resolve '\(host)' to an IP address") }
        return (ip.contains(":") && !portPart.isEmpty ? "[\(ip)]" : ip) + portPart
    }

    private static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(first) }
        var v4: String?
        var v6: String?
        var p: UnsafeMutablePointer<addrinfo>? = first
        while let info = p?.pointee {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.ai_addr, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                let text = String(cString: buffer)
                if info.ai_family == AF_INET, v4 == nil { v4 = text }
                if info.ai_family == AF_INET6, v6 == nil { v6 = text }
            }
            p = info.ai_next
        }
        return v4 ?? v6
    }

    /// Routes `shadow` (an active VM): its target built, `enable` retried per `retry`, the outcome
    /// recorded. Returns the failure (nil on success); a failure is counted and its route retried
    /// from `nextAttempt` on (backoff: 10 s doubled per consecutive failure, at most `retry_max`).
    @discardableResult
    package func route(_ shadow: ShadowRecord, activationID: String?, hypervisor: (any Hypervisor)?,
                      retry: RetryPolicy) async -> RoutingError? {
        let server = server(of: shadow)
        let previous = records ? (try? store.route(shadow: shadow.id)) ?? nil : nil
        var address: String?
        do throws(RoutingError) {
            // Without a router there is nothing to address (no lookup).
            if records { address = try await self.address(of: shadow, hypervisor: hypervisor) }
            let target = RouteTarget(group: shadow.group, server: server, address: address)
            try await retry.routing { () async throws(RoutingError) in try await router.enable(target) }
        } catch {
            metrics.recordRoutingFailure(group: shadow.group, step: "enable")
            guard records else { return error }
            let attempts = (previous?.state == .failed ? previous?.attempts ?? 0 : 0) + 1
            let now = clock.now()
            let delay = min(Int64(10) << Int64(min(attempts - 1, 20)), max(settings.retryMax, 1))
            try? store.saveRoute(RouteRecord(shadowID: shadow.id, activationID: activationID ?? previous?.activationID,
                                             group: shadow.group, server: server, state: .failed, address: address,
                                             error: error.description, attempts: attempts, updatedAt: now,
                                             nextAttempt: now + delay))
            return error
        }
        if records {
            try? store.saveRoute(RouteRecord(shadowID: shadow.id, activationID: activationID ?? previous?.activationID,
                                             group: shadow.group, server: server, state: .routed, address: address,
                                             updatedAt: clock.now()))
        }
        return nil
    }

    /// Starts taking `shadow`'s server away: `drain` (no new sessions), recorded `draining` with
    /// its deadline. A failed drain is said but the drain goes on (it then ends at the deadline).
    package func beginDrain(_ shadow: ShadowRecord) async -> RoutingError? {
        var failure: RoutingError?
        do { try await router.drain(group: shadow.group, server: server(of: shadow)) } catch {
            metrics.recordRoutingFailure(group: shadow.group, step: "drain")
            failure = error
        }
        if records {
            let previous = (try? store.route(shadow: shadow.id)) ?? nil
            let now = clock.now()
            try? store.saveRoute(RouteRecord(shadowID: shadow.id, activationID: previous?.activationID, group: shadow.group,
                                             server: server(of: shadow), state: .draining, address: previous?.address,
                                             error: failure?.description, updatedAt: now,
                                             drainDeadline: now + settings.drainTimeout))
        }
        return failure
    }

    /// Whether a draining server may be parked now: no open session, or its deadline passed.
    package func drainFinished(_ shadow: ShadowRecord) async -> Bool {
        let deadline = records ? ((try? store.route(shadow: shadow.id)) ?? nil)?.drainDeadline : nil
        if let deadline, clock.now() >= deadline { return true }
        let open: Int?? = try? await router.openSessions(group: shadow.group, server: server(of: shadow))
        if case .some(.some(let count)) = open { return count == 0 }
        return deadline == nil
    }

    /// Takes the server out of rotation (maintenance) and records it withdrawn.
    package func withdraw(_ shadow: ShadowRecord) async -> RoutingError? {
        do { try await router.disable(group: shadow.group, server: server(of: shadow)) } catch {
            metrics.recordRoutingFailure(group: shadow.group, step: "disable")
            if records, var route = (try? store.route(shadow: shadow.id)) ?? nil {
                route.error = error.description
                try? store.saveRoute(route)
            }
            return error
        }
        if records {
            let previous = (try? store.route(shadow: shadow.id)) ?? nil
            try? store.saveRoute(RouteRecord(shadowID: shadow.id, activationID: previous?.activationID, group: shadow.group,
                                             server: server(of: shadow), state: .withdrawn, address: previous?.address,
                                             updatedAt: clock.now()))
        }
        return nil
    }
}
