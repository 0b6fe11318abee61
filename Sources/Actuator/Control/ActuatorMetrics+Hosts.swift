import Metrics
import MetricStore

/// Per-host gauges: what a regular scheduler must leave alone and what it may use
/// (docs/hypervisor.md, "Keeping a scheduler off reserved capacity"). Host names come from the
/// configuration, so the number of series stays bounded.
extension ActuatorMetrics {
    /// Gauge `{host, resource}`: what shadows reserve on the host (resource: vcpus, memory_mib, units).
    package static let hostReserved = "psm_host_reserved"
    /// Gauge `{host, resource}`: capacity − load − reserved (negative when over-committed).
    package static let hostFree = "psm_host_free"
    /// Gauge `{host, resource}`: the host's capacity (measured, under its cap).
    package static let hostCapacity = "psm_host_capacity"
    /// Gauge `{host}`: reserved capacity units — the scheduler's single figure.
    package static let hostReservedUnits = "psm_host_reserved_units"
    /// Gauge `{host}`: free capacity units.
    package static let hostFreeUnits = "psm_host_free_units"
    /// Gauge `{host, state}`: 1 for the host's state (up, unreachable, lost), 0 for the others.
    package static let hostState = "psm_host_state"
    /// Counter `{host}`: times the host was declared lost (its shadows replaced elsewhere).
    package static let hostsLost = "psm_host_lost_total"

    /// Records one host's reservations, free capacity and state.
    package func recordHost(_ host: HostAvailability) {
        let name = host.host.name
        let resources: [(String, KeyPath<CapacityAmount, Int64>)] = [("vcpus", \.vcpus), ("memory_mib", \.memoryMiB), ("units", \.units)]
        for (resource, path) in resources {
            Gauge(label: Self.hostReserved, dimensions: [("host", name), ("resource", resource)], factory: factory)
                .record(host.reserved[keyPath: path])
            Gauge(label: Self.hostFree, dimensions: [("host", name), ("resource", resource)], factory: factory)
                .record(host.free[keyPath: path])
            Gauge(label: Self.hostCapacity, dimensions: [("host", name), ("resource", resource)], factory: factory)
                .record(host.host.capacity[keyPath: path])
        }
        Gauge(label: Self.hostReservedUnits, dimensions: [("host", name)], factory: factory).record(host.reserved.units)
        Gauge(label: Self.hostFreeUnits, dimensions: [("host", name)], factory: factory).record(host.free.units)
        for state in HostState.allCases {
            Gauge(label: Self.hostState, dimensions: [("host", name), ("state", state.rawValue)], factory: factory)
                .record(host.host.status.state == state ? 1 : 0)
        }
    }

    /// Counts a host declared lost.
    package func recordHostLost(_ host: String) {
        Counter(label: Self.hostsLost, dimensions: [("host", host)], factory: factory).increment()
    }
}
