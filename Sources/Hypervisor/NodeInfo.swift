/// A host's own size as its hypervisor reports it (libvirt: `virNodeGetInfo` and
/// `virNodeGetFreeMemory`), read each cycle so that placement uses what the host has, not what
/// was typed into the configuration (docs/hypervisor.md, "Host capacity").
public struct NodeInfo: Sendable, Hashable, Codable {
    /// Logical CPUs the host runs (libvirt's `cpus`: active CPUs over all NUMA nodes).
    package var cpus: Int
    /// Memory the host has, KiB.
    public var memoryKiB: UInt64
    /// Memory free now, KiB; nil when the driver cannot tell (libvirt's test driver with a custom
    /// node file).
    package var freeMemoryKiB: UInt64?

    package init(cpus: Int, memoryKiB: UInt64, freeMemoryKiB: UInt64?) {
        self.cpus = cpus
        self.memoryKiB = memoryKiB
        self.freeMemoryKiB = freeMemoryKiB
    }
}
