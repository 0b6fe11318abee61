import Metrics

/// Group leases among the actuators sharing a store (docs/actuator.md, "Several actuators").
extension ActuatorMetrics {
    /// Gauge: group leases this actuator holds.
    package static let leasesHeld = "psm_leases_held"
    /// Gauge: live actuators sharing the store (this one included).
    package static let actuatorsLive = "psm_actuators_live"
    /// Gauge: groups another live actuator configures differently.
    package static let leaseConflicts = "psm_lease_conflicts"
    /// Gauge: 1 when the last lease pass could not reach the store.
    package static let leaseStoreFailing = "psm_lease_store_failing"
    /// Counter `{group}`: leases lost (taken over, expired, or a write refused with leaseLost).
    package static let leasesLost = "psm_lease_lost_total"

    /// Records one lease pass.
    package func recordLeases(_ pass: LeasePass, conflicts: Int) {
        Gauge(label: Self.leasesHeld, factory: factory).record(pass.held)
        if pass.error == nil { Gauge(label: Self.actuatorsLive, factory: factory).record(pass.live.count) }
        Gauge(label: Self.leaseConflicts, factory: factory).record(conflicts)
        Gauge(label: Self.leaseStoreFailing, factory: factory).record(pass.error == nil ? 0 : 1)
    }

    /// Counts a lease lost.
    package func recordLeaseLost(_ group: String) {
        Counter(label: Self.leasesLost, dimensions: [("group", group)], factory: factory).increment()
    }
}
