import Foundation
import Hypervisor
import MetricStore
import Scaling

/// What a cycle's routing pass did (docs/routing.md).
package struct RoutingReport: Sendable {
    /// Active VMs whose failed route was retried and now succeeded (shadow ids).
    package var rerouted: [String] = []
    /// Active VMs still unrouted after this cycle's attempt (shadow ids).
    package var unrouted: [String] = []
    /// VMs being drained (their sessions have not ended and the timeout has not passed).
    package var draining: [String] = []
}

extension ActuatorRuntime {
    /// Each cycle: retries the routes of active VMs that failed (due per their backoff), and moves
    /// drains on — a server whose sessions ended (or whose drain timed out) is put in maintenance
    /// and its VM decommissioned. Returns the shadows retired.
    func routingPass(_ report: inout CycleReport) async -> [String] {
        let keeper = activator.routes
        guard keeper.records else { return [] }
        let now = clock.now()
        let routes = (try? store.routes(states: [.failed, .draining])) ?? []
        var retired: [String] = []
        for route in routes {
            guard let shadow = try? store.shadow(id: route.shadowID) else { continue }
            // Under leases the routes of other actuators' groups are theirs to retry and drain.
            guard leaseBook.holds(shadow.group, at: now) else { continue }
            switch route.state {
            case .failed:
                guard shadow.state == .active else {
                    // No longer active: nothing to route; make sure it takes no traffic.
                    _ = await keeper.withdraw(shadow)
                    continue
                }
                guard (route.nextAttempt ?? 0) <= now else { report.routing.unrouted.append(shadow.id); continue }
                if let error = await keeper.route(shadow, activationID: route.activationID, hypervisor: hypervisors[shadow.host],
                                                  retry: configuration.retry) {
                    report.routing.unrouted.append(shadow.id)
                    report.problems.append("group \(shadow.group): \(shadow.domainName) is active but not routed (attempt \(route.attempts + 1)): \(error)")
                } else {
                    report.routing.rerouted.append(shadow.id)
                    report.notes.append("group \(shadow.group): \(shadow.domainName) routed after \(route.attempts) failed attempt(s)")
                }
            case .draining:
                guard shadow.state == .active else { _ = await keeper.withdraw(shadow); continue }
                if let id = await finishDrain(shadow, &report.problems) { retired.append(id) } else {
                    report.routing.draining.append(shadow.id)
                }
            case .routed, .withdrawn:
                continue
            }
        }
        return retired
    }

    /// Parks a draining VM once its sessions ended or its drain timed out: maintenance, monitoring
    /// withdrawn, the guest removed. Returns the shadow's id when it is gone; nil while it drains
    /// (or when a step failed: said in `problems`, tried again next cycle).
    func finishDrain(_ shadow: ShadowRecord, _ problems: inout [String]) async -> String? {
        let keeper = activator.routes
        guard await keeper.drainFinished(shadow) else { return nil }
        if let error = await keeper.withdraw(shadow) {
            problems.append("group \(shadow.group): cannot take \(shadow.domainName) out of rotation after its drain: \(error)")
            return nil
        }
        try? await monitoring.unwatch(domain: shadow.domainName)
        var report = ReconcileReport()
        await reconciler.remove(shadow, from: .active, &report)
        problems += report.problems
        return report.removed.contains(shadow.id) ? shadow.id : nil
    }

    /// Brings the router into agreement with the store at start: every active VM routed (with its
    /// address; a draining one stays draining), and servers of VMs psm created that are no longer
    /// active taken out of rotation.
    func reconcileRoutes() async {
        let keeper = activator.routes
        let active = (try? store.shadows(states: [.active])) ?? []
        var keep: [String: Set<String>] = [:]
        for shadow in active {
            let route = keeper.records ? (try? store.route(shadow: shadow.id)) ?? nil : nil
            keep[shadow.group, default: []].insert(keeper.server(of: shadow))
            if route?.state == .draining {
                _ = try? await keeper.router.drain(group: shadow.group, server: keeper.server(of: shadow))
                continue
            }
            if let error = await keeper.route(shadow, activationID: route?.activationID ?? shadow.activationID,
                                              hypervisor: hypervisors[shadow.host], retry: configuration.retry) {
                startProblems.append("group \(shadow.group): \(shadow.domainName) is active but could not be routed at start (retried each cycle): \(error)")
            }
        }
        guard keeper.records else { return }
        // Servers psm routed (or named after a shadow it created) whose VM is no longer active.
        for group in configuration.groups {
            let known = Dictionary(((try? store.shadows(group: group.name)) ?? []).map { (keeper.server(of: $0), $0) },
                                   uniquingKeysWith: { a, _ in a })
            var stale = Set(((try? store.routes(states: [.routed, .failed, .draining], group: group.name)) ?? []).map(\.server))
            if let up = try? await keeper.router.enabledServers(group: group.name) {
                stale.formUnion(up.filter { known[$0] != nil })
            }
            for server in stale.subtracting(keep[group.name] ?? []).sorted() {
                if let shadow = known[server] {
                    _ = await keeper.withdraw(shadow)
                } else {
                    try? await keeper.router.disable(group: group.name, server: server)
                }
            }
        }
    }
}
