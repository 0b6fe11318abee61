import Hypervisor
import MetricStore

/// One host's capacity as read from the host (docs/hypervisor.md, "Host capacity"): its CPUs and
/// memory (`Hypervisor.nodeInfo`) under the configured caps, and the load of every domain defined
/// there that does not hold a reservation — regular VMs and activated shadows, whose reservations
/// were released — so that no domain is counted both as load and as a reservation.
package struct HostMeasurement: Sendable, Hashable {
    package var node: NodeInfo
    /// Sum over every domain defined on the host (active or not: a defined domain may start).
    package var allocated: CapacityAmount
    /// Sum over the domains that hold no reservation there.
    package var load: CapacityAmount
    /// min(measured, cap), with the configured units.
    package var capacity: CapacityAmount

    /// Reads the host through `hypervisor`; `reservedDomains` are the domain names of the shadows
    /// holding a reservation on it (counted in its reservations, not in its load).
    package static func measure(_ host: HostConfig, hypervisor: any Hypervisor,
                               reservedDomains: Set<String>) async throws(HypervisorError) -> HostMeasurement {
        var node = try await hypervisor.nodeInfo()
        if host.usesFreeMemory == false { node.freeMemoryKiB = nil }
        let domains = try await hypervisor.allocations()
        var allocated = CapacityAmount.zero
        var load = CapacityAmount.zero
        for d in domains {
            let size = CapacityAmount(ResourceSize(vcpus: d.vcpus, memoryKiB: d.memoryKiB), units: 0)
            allocated = allocated + size
            if !reservedDomains.contains(d.name) { load = load + size }
        }
        let memoryMiB = Int64(clamping: node.memoryKiB / 1024)
        return HostMeasurement(node: node, allocated: allocated, load: load,
                               capacity: host.capped(vcpus: Int64(node.cpus), memoryMiB: memoryMiB))
    }

    /// What the store records of it.
    package var record: HostMeasurementRecord {
        HostMeasurementRecord(capacity: capacity, load: load, measuredVCPUs: Int64(node.cpus),
                              measuredMemoryMiB: Int64(clamping: node.memoryKiB / 1024),
                              freeMemoryMiB: node.freeMemoryKiB.map { Int64(clamping: $0 / 1024) })
    }
}
