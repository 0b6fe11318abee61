/// One VM as the traffic router sees it: a server of its group's backend.
public struct RouteTarget: Sendable, Hashable, Codable {
    /// The VM group (a backend, in HAProxy's terms).
    public var group: String
    /// The server's name within the group: the domain name.
    package var server: String
    /// Where it serves (`host` or `host:port`); nil when the hypervisor does not know it (the
    /// router then keeps the address it was configured with).
    public var address: String?
    /// Its share of the group's traffic (HAProxy: 0…256).
    package var weight: Int

    package init(group: String, server: String, address: String? = nil, weight: Int = 100) {
        self.group = group
        self.server = server
        self.address = address
        self.weight = weight
    }
}

/// A routing step that failed: which router, what it was asked, and what it answered.
public struct RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    public var router: String
    public var message: String
    package init(router: String, _ message: String) {
        self.router = router
        self.message = message
    }
    public var description: String { "\(router): \(message)" }
}

/// Sends traffic to activated VMs and takes it away from decommissioned ones: the last step of an
/// activation. Both calls are idempotent (enabling an enabled server or disabling a disabled one
/// succeeds), because an activation or decommission that is retried repeats them.
public protocol TrafficRouter: Sendable {
    /// A short name for logs and errors (`haproxy`, `webhook`, `none`).
    var name: String { get }
    /// Brings `target` up with its address and weight.
    func enable(_ target: RouteTarget) async throws(RoutingError)
    /// Takes the server out of rotation (weight 0 / maintenance).
    func disable(group: String, server: String) async throws(RoutingError)
    /// Stops sending new sessions to the server while its open ones go on (the first step of
    /// taking a routed VM away; `disable` follows once `openSessions` is 0 or the drain times out).
    func drain(group: String, server: String) async throws(RoutingError)
    /// Sessions the server has open now (0 when it is not there); nil when the router cannot tell,
    /// so a drain waits for its timeout.
    func openSessions(group: String, server: String) async throws(RoutingError) -> Int?
    /// The servers of the group that take traffic now; nil when the router cannot list them (the
    /// start-up reconciliation then only re-enables the active VMs).
    func enabledServers(group: String) async throws(RoutingError) -> [String]?
}

extension TrafficRouter {
    /// A router without a drain step: nothing to do before `disable`.
    public func drain(group: String, server: String) async throws(RoutingError) {}
    /// Unknown: the drain waits for its timeout.
    package func openSessions(group: String, server: String) async throws(RoutingError) -> Int? { nil }
    /// Unknown: the router cannot list its servers.
    public func enabledServers(group: String) async throws(RoutingError) -> [String]? { nil }
}

/// No router configured: routing is a no-op (the operator routes by other means).
public struct NoTrafficRouter: TrafficRouter {
    public init() {}
    public var name: String { "none" }
    public func enable(_ target: RouteTarget) async throws(RoutingError) {}
    public func disable(group: String, server: String) async throws(RoutingError) {}
    /// Nothing is routed, so nothing is open: a drain ends at once.
    public func openSessions(group: String, server: String) async throws(RoutingError) -> Int? { 0 }
}
