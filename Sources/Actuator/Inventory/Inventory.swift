import Hypervisor
import MetricStore
import Scaling

/// A host as configured (`[[hosts]]` in the actuator's configuration).
///
/// The host's vCPUs and memory are measured from the host each cycle (`HostMeasurement`); the
/// configured figures are caps on them (nil: none). Capacity units are the deployment's own
/// measure and are not measurable: they come from the configuration only.
public struct HostConfig: Sendable, Hashable, Codable {
    public var name: String
    public var uri: String
    /// The capacity before the first measurement: the caps, 0 where there is none, and the units.
    public var capacity: CapacityAmount
    package var labels: [String: String]
    package var enabled: Bool
    /// Caps on the measured vCPUs and memory (MiB); nil: the host's own figure counts whole.
    public var capVCPUs: Int64?
    public var capMemoryMiB: Int64?
    /// vCPUs promised per measured CPU (`[actuator] cpu_allocation_ratio`, default 1: no
    /// overcommit; nil in host records written before it); the cap applies after it.
    package var cpuAllocationRatio: Double?
    /// Whether placement requires the host's reported free memory to hold a new shadow's baseline
    /// (`[[actuator.hosts]] free_memory`; nil: true). False for a driver whose figure is not the
    /// host's: libvirt's test driver reports 3 MiB free on its 3 GiB default node.
    package var usesFreeMemory: Bool?

    /// A host whose `capacity` vCPUs and memory are caps on what it measures.
    public init(name: String, uri: String, capacity: CapacityAmount, labels: [String: String] = [:], enabled: Bool = true) {
        self.name = name
        self.uri = uri
        self.capacity = capacity
        self.labels = labels
        self.enabled = enabled
        capVCPUs = capacity.vcpus
        capMemoryMiB = capacity.memoryMiB
    }

    /// A host with optional caps and `units` capacity units.
    public init(name: String, uri: String, capVCPUs: Int64?, capMemoryMiB: Int64?, units: Int64,
                labels: [String: String] = [:], enabled: Bool = true) {
        self.init(name: name, uri: uri, capacity: CapacityAmount(vcpus: capVCPUs ?? 0, memoryMiB: capMemoryMiB ?? 0, units: units),
                  labels: labels, enabled: enabled)
        self.capVCPUs = capVCPUs
        self.capMemoryMiB = capMemoryMiB
    }

    /// min(measured × allocation ratio, cap) for vCPUs, min(measured, cap) for memory, with the
    /// configured units.
    package func capped(vcpus: Int64, memoryMiB: Int64) -> CapacityAmount {
        let promised = Int64((Double(vcpus) * (cpuAllocationRatio ?? 1)).rounded(.down))
        return CapacityAmount(vcpus: min(promised, capVCPUs ?? .max), memoryMiB: min(memoryMiB, capMemoryMiB ?? .max), units: capacity.units)
    }
}

/// What shadows hold, per host and in total: the document a regular scheduler reads
/// (`GET /v1/hosts/reservations` later) to leave flagged capacity alone.
package struct ReservedCapacity: Sendable, Hashable, Codable {
    public var hosts: [HostReservations]
    public var total: CapacityAmount

    public init(hosts: [HostReservations]) {
        self.hosts = hosts
        self.total = hosts.reduce(CapacityAmount.zero) { $0 + $1.reserved }
    }
}

/// The actuator's view of hosts and the capacity its shadows reserve on them, over the store.
public struct Inventory: Sendable {
    public let store: any ActuatorStore
    let clock: any WallClock

    public init(store: any ActuatorStore, clock: any WallClock = SystemWallClock()) {
        self.store = store
        self.clock = clock
    }

    /// Registers the configured hosts (keeping the load last reported for each); hosts the store
    /// knows but the configuration no longer lists are disabled, not deleted, because shadows and
    /// their history still name them.
    public func register(_ configured: [HostConfig]) throws(MetricStoreError) {
        let now = clock.now()
        let known = Dictionary(try store.hosts().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let names = Set(configured.map(\.name))
        for config in configured {
            // A host measured before keeps its measured figures (under the new caps) until its next answer.
            var capacity = config.capacity
            if let old = known[config.name], let vcpus = old.status.measuredVCPUs, let memory = old.status.measuredMemoryMiB {
                capacity = config.capped(vcpus: vcpus, memoryMiB: memory)
            }
            try store.upsertHost(HostRecord(name: config.name, uri: config.uri, capacity: capacity,
                                            load: known[config.name]?.load ?? .zero, labels: config.labels,
                                            enabled: config.enabled, updatedAt: now))
            try store.setCap(vcpus: config.capVCPUs, memoryMiB: config.capMemoryMiB, ofHost: config.name)
        }
        for (name, var host) in known where !names.contains(name) && host.enabled {
            host.enabled = false
            host.updatedAt = now
            try store.upsertHost(host)
        }
    }

    /// Records what regular VMs use on `host` now; false when the host is unknown.
    @discardableResult
    package func updateLoad(_ load: CapacityAmount, ofHost host: String) throws(MetricStoreError) -> Bool {
        try store.setLoad(load, ofHost: host, at: clock.now())
    }

    /// capacity − load − reservations of `host`; nil when unknown.
    public func freeCapacity(_ host: String) throws(MetricStoreError) -> CapacityAmount? {
        try store.hostAvailability(host)?.free
    }

    /// The best-fit host for `request` now, or nil when none has room.
    public func place(_ request: CapacityAmount) throws(MetricStoreError) -> String? {
        Placement.bestFit(request, hosts: try store.hostAvailability())?.host.name
    }

    /// Places `shadow` — on the host with the fewest shadows of its group, then by best fit
    /// (`Placement.spread`) — and reserves its full size there. When another actuator took the
    /// room between placement and reservation, the next host is tried; nil when none has room.
    /// `fence`: the group's lease (several actuators), checked in the reservation's transaction.
    package func placeAndReserve(_ shadow: ShadowRecord, fence: LeaseFence? = nil) throws(MetricStoreError) -> ReservationRecord? {
        var excluded: Set<String> = []
        var perHost: [String: Int] = [:]
        for s in try store.shadows(group: shadow.group, states: Placement.poolStates) { perHost[s.host, default: 0] += 1 }
        while true {
            let candidates = try store.hostAvailability().filter { !excluded.contains($0.host.name) }
            guard let host = Placement.spread(shadow, hosts: candidates, groupShadows: perHost)?.host.name else { return nil }
            if case .reserved(let reservation) = try store.reserve(shadow: shadow, on: host, at: clock.now(), fence: fence) {
                return reservation
            }
            excluded.insert(host)
        }
    }

    /// What shadows hold per host: the scheduler's query.
    package func reservedCapacity() throws(MetricStoreError) -> ReservedCapacity {
        ReservedCapacity(hosts: try store.reservedCapacity())
    }
}

extension CapacityAmount {
    /// A domain size in the inventory's dimensions (memory rounded up to a MiB), with `units`.
    public init(_ size: ResourceSize, units: Int64) {
        self.init(vcpus: Int64(size.vcpus), memoryMiB: Int64(clamping: size.memoryKiB / 1024 + (size.memoryKiB % 1024 == 0 ? 0 : 1)), units: units)
    }
}
