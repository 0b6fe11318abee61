import Foundation

/// A VM's size: vCPUs and memory in KiB (libvirt's unit).
public struct ResourceSize: Sendable, Hashable, Codable {
    public var vcpus: Int
    public var memoryKiB: UInt64

    public init(vcpus: Int, memoryKiB: UInt64) {
        self.vcpus = vcpus
        self.memoryKiB = memoryKiB
    }
}

/// How a shadow's baseline (current) size is derived from its predicted full (maximum) size.
///
/// The default keeps every vCPU and a quarter of the memory: a paused domain costs no host CPU
/// whatever its vCPU count, while live `setvcpus` is the slowest activation step (12–41 ms, and the
/// guest needs up to a second to online hot-plugged CPUs) and `setmem` takes 1–2 ms
/// (measured: docs/realvm.md). So activation is ≈ setmem + resume.
public struct BaselinePolicy: Sendable, Hashable, Codable {
    /// Fraction of the full vCPU count booted (rounded up, at least `minimumVCPUs`).
    package var vcpuFraction: Double
    /// Fraction of the full memory ballooned in (rounded up to a MiB, at least `minimumMemoryKiB`).
    package var memoryFraction: Double
    package var minimumVCPUs: Int
    package var minimumMemoryKiB: UInt64

    public init(vcpuFraction: Double = 1.0, memoryFraction: Double = 0.25,
                minimumVCPUs: Int = 1, minimumMemoryKiB: UInt64 = 128 * 1024) {
        self.vcpuFraction = vcpuFraction
        self.memoryFraction = memoryFraction
        self.minimumVCPUs = minimumVCPUs
        self.minimumMemoryKiB = minimumMemoryKiB
    }

    /// The baseline for `full`: never above `full`, never below the minimums (unless `full` is).
    /// Fractions outside 0…1 (or NaN) are clamped into it.
    public func baseline(of full: ResourceSize) -> ResourceSize {
        func clamp(_ x: Double) -> Double { x.isNaN ? 1 : min(max(x, 0), 1) }
        let vcpus = Int((Double(full.vcpus) * clamp(vcpuFraction)).rounded(.up))
        let mib = (Double(full.memoryKiB) * clamp(memoryFraction) / 1024).rounded(.up)
        let memory = UInt64(min(mib, Double(UInt64.max / 2048))) * 1024
        return ResourceSize(vcpus: min(full.vcpus, max(vcpus, minimumVCPUs)),
                            memoryKiB: min(full.memoryKiB, max(memory, minimumMemoryKiB)))
    }
}

/// Everything needed to define a domain: its sizes (maximum = the shadow's predicted full size,
/// current = its baseline), what it boots, its devices and psm's metadata.
public struct DomainSpec: Sendable, Hashable {
    /// What the domain boots.
    public enum Boot: Sendable, Hashable {
        /// Nothing (enough for libvirt's test driver).
        case none
        /// A direct kernel boot.
        case kernel(path: String, initrd: String?, commandLine: String?)
        /// A disk image (`format` is e.g. `qcow2` or `raw`).
        case disk(path: String, format: String)
    }

    /// The domain's network interface.
    public enum Network: Sendable, Hashable {
        /// User-mode networking (needs no host setup).
        case user
        /// A libvirt virtual network by name.
        case network(String)
        /// A host bridge by name.
        case bridge(String)
    }

    /// The virtualization type (libvirt's `<domain type=…>`).
    public enum Virtualization: String, Sendable, Hashable {
        case qemu, kvm, test
    }

    public var name: String
    package var uuid: UUID?
    /// nil: the implementation picks what its connection supports (libvirt: `test` on the test
    /// driver, `qemu` (TCG) elsewhere).
    package var virtualization: Virtualization?
    /// The ceiling live changes can reach (the shadow's predicted full size).
    public var maximum: ResourceSize
    /// What the domain boots with (the baseline).
    public var current: ResourceSize
    package var boot: Boot
    /// A machine type such as `q35`; nil leaves the driver's default.
    public var machine: String?
    /// A file receiving the serial console (the guest's log).
    package var serialLog: String?
    public var network: Network?
    /// psm's tag; nil for a domain that is not a shadow.
    public var metadata: ShadowMetadata?

    public init(name: String, uuid: UUID? = nil, virtualization: Virtualization? = nil,
                maximum: ResourceSize, current: ResourceSize, boot: Boot = .none,
                machine: String? = nil, serialLog: String? = nil, network: Network? = nil,
                metadata: ShadowMetadata? = nil) {
        self.name = name
        self.uuid = uuid
        self.virtualization = virtualization
        self.maximum = maximum
        self.current = current
        self.boot = boot
        self.machine = machine
        self.serialLog = serialLog
        self.network = network
        self.metadata = metadata
    }

    /// A shadow of `full` size booted at `policy`'s baseline, carrying `metadata` (whose sizes
    /// are set from the same numbers).
    public static func shadow(name: String, full: ResourceSize, policy: BaselinePolicy = BaselinePolicy(),
                              metadata: ShadowMetadata, boot: Boot = .none) -> DomainSpec {
        let baseline = policy.baseline(of: full)
        var tag = metadata
        tag.baseline = baseline
        tag.full = full
        return DomainSpec(name: name, maximum: full, current: baseline, boot: boot, metadata: tag)
    }

    /// The reasons this spec cannot be defined, empty when it can.
    public func problems() -> [String] {
        var found: [String] = []
        if name.isEmpty { found.append("the name is empty") }
        if name.contains("/") { found.append("the name contains '/'") }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { found.append("the name contains a control character") }
        if current.vcpus < 1 { found.append("current vCPUs \(current.vcpus) < 1") }
        if current.vcpus > maximum.vcpus { found.append("current vCPUs \(current.vcpus) > maximum \(maximum.vcpus)") }
        if current.memoryKiB == 0 { found.append("current memory is 0 KiB") }
        if current.memoryKiB > maximum.memoryKiB {
            found.append("current memory \(current.memoryKiB) KiB > maximum \(maximum.memoryKiB) KiB")
        }
        return found
    }
}
