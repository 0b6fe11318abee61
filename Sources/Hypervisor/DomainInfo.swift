import Foundation

/// A domain's state as psm distinguishes it.
public enum DomainState: String, Sendable, Hashable, Codable {
    case running
    /// Paused in memory (a parked shadow).
    case paused
    /// Off, without a save image.
    case shutoff
    /// Off, with a managed save image to restore from.
    case saved
    /// Blocked on a resource (counts as active).
    case blocked
    case shuttingDown
    case crashed
    /// Suspended by the guest's power management.
    case guestSuspended
    case unknown

    /// Whether the domain is active (has a live process whose vCPUs and memory can change).
    package var isActive: Bool {
        switch self {
        case .running, .paused, .blocked, .shuttingDown, .guestSuspended: true
        case .shutoff, .saved, .crashed, .unknown: false
        }
    }
}

/// One domain as the hypervisor reports it.
public struct DomainInfo: Sendable, Hashable {
    public var name: String
    package var uuid: UUID?
    public var state: DomainState
    /// Live vCPUs (for an inactive domain: those it boots with).
    public var vcpus: Int
    package var maximumVCPUs: Int
    /// Live balloon size (for an inactive domain: what it boots with), KiB.
    public var memoryKiB: UInt64
    package var maximumMemoryKiB: UInt64
    /// psm's tag; nil for domains psm did not define (or whose tag did not parse).
    public var metadata: ShadowMetadata?

    package init(name: String, uuid: UUID?, state: DomainState, vcpus: Int, maximumVCPUs: Int,
                memoryKiB: UInt64, maximumMemoryKiB: UInt64, metadata: ShadowMetadata?) {
        self.name = name
        self.uuid = uuid
        self.state = state
        self.vcpus = vcpus
        self.maximumVCPUs = maximumVCPUs
        self.memoryKiB = memoryKiB
        self.maximumMemoryKiB = maximumMemoryKiB
        self.metadata = metadata
    }
}

/// A domain's current size, as `Hypervisor.allocations` reads it.
public struct DomainAllocation: Sendable, Hashable {
    public var name: String
    public var vcpus: Int
    public var memoryKiB: UInt64

    package init(name: String, vcpus: Int, memoryKiB: UInt64) {
        self.name = name
        self.vcpus = vcpus
        self.memoryKiB = memoryKiB
    }
}
