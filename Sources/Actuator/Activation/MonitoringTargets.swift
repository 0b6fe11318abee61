/// Adds activated VMs to monitoring and removes decommissioned ones: the step of an activation
/// between resume and routing. Idempotent, like `TrafficRouter`.
public protocol MonitoringTargets: Sendable {
    func watch(group: String, domain: String, host: String) async throws(RoutingError)
    func unwatch(domain: String) async throws(RoutingError)
}
