import Hypervisor
import MetricStore
import Scaling

/// What one group's shadows look like: their predicted full size (the domain's maximum), the
/// baseline they park at, the capacity units one adds, and how they boot and park.
public struct ShadowTemplate: Sendable, Hashable {
    public var full: ResourceSize
    package var baselinePolicy: BaselinePolicy
    /// Capacity units one activated shadow adds to the group (what sizing counts in).
    public var units: Int64
    package var park: ParkMode
    package var boot: DomainSpec.Boot
    package var virtualization: DomainSpec.Virtualization?
    public var network: DomainSpec.Network?
    /// A machine type such as `q35` (nil: the driver's default).
    public var machine: String?
    /// A directory for each domain's serial log (`<dir>/<domain>.log`), nil for none.
    package var serialLogDirectory: String?

    public init(full: ResourceSize, baselinePolicy: BaselinePolicy = BaselinePolicy(), units: Int64, park: ParkMode = .pause,
                boot: DomainSpec.Boot = .none, virtualization: DomainSpec.Virtualization? = nil,
                network: DomainSpec.Network? = nil, serialLogDirectory: String? = nil, machine: String? = nil) {
        self.full = full
        self.baselinePolicy = baselinePolicy
        self.units = units
        self.park = park
        self.boot = boot
        self.virtualization = virtualization
        self.network = network
        self.serialLogDirectory = serialLogDirectory
        self.machine = machine
    }

    public var baseline: ResourceSize { baselinePolicy.baseline(of: full) }

    /// The store's record of a new shadow (host filled in by placement).
    func record(id: String, group: String, domain: String, now: Int64) -> ShadowRecord {
        let b = CapacityAmount(baseline, units: 0)
        let f = CapacityAmount(full, units: units)
        return ShadowRecord(id: id, group: group, host: "", domainName: domain, state: .planned,
                            baselineVCPUs: b.vcpus, baselineMemoryMiB: b.memoryMiB, fullVCPUs: f.vcpus,
                            fullMemoryMiB: f.memoryMiB, reservedUnits: units, createdAt: now, updatedAt: now)
    }

    /// The domain definition of `shadow`, tagged with psm's metadata naming its reservation host.
    func spec(for shadow: ShadowRecord) -> DomainSpec {
        let tag = ShadowMetadata(group: shadow.group, shadowID: shadow.id, role: .shadow, reservationHost: shadow.host,
                                 baseline: baseline, full: full, createdAt: shadow.createdAt)
        var spec = DomainSpec.shadow(name: shadow.domainName, full: full, policy: baselinePolicy, metadata: tag, boot: boot)
        spec.virtualization = virtualization
        spec.network = network
        spec.machine = machine
        if let dir = serialLogDirectory { spec.serialLog = "\(dir)/\(shadow.domainName).log" }
        return spec
    }
}
