import Hypervisor
import MetricStore
import Scaling

/// A host as configured (`[[hosts]]` in the actuator's configuration).
public struct HostConfig: Sendable, Hashable, Codable {
    public var name: String
    public var uri: String
    public var capacity: CapacityAmount
    public var labels: [String: String]
    public var enabled: Bool

    public init(name: String, uri: String, capacity: CapacityAmount, labels: [String: String] = [:], enabled: Bool = true) {
        self.name = name
        self.uri = uri
        self.capacity = capacity
        self.labels = labels
        self.enabled = enabled
    }
}

/// What shadows hold, per host and in total: the document a regular scheduler reads
/// (`GET /v1/hosts/reservations` later) to leave flagged capacity alone.
public struct ReservedCapacity: Sendable, Hashable, Codable {
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
            try store.upsertHost(HostRecord(name: config.name, uri: config.uri, capacity: config.capacity,
                                            load: known[config.name]?.load ?? .zero, labels: config.labels,
                                            enabled: config.enabled, updatedAt: now))
        }
        for (name, var host) in known where !names.contains(name) && host.enabled {
            host.enabled = false
            host.updatedAt = now
            try store.upsertHost(host)
        }
    }

    /// Records what regular VMs use on `host` now; false when the host is unknown.
    @discardableResult
    public func updateLoad(_ load: CapacityAmount, ofHost host: String) throws(MetricStoreError) -> Bool {
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

    /// Places `shadow` by best fit and reserves its full size there. When another actuator took the
    /// room between placement and reservation, the next best host is tried; nil when none has room.
    public func placeAndReserve(_ shadow: ShadowRecord) throws(MetricStoreError) -> ReservationRecord? {
        var excluded: Set<String> = []
        while true {
            let candidates = try store.hostAvailability().filter { !excluded.contains($0.host.name) }
            guard let host = Placement.bestFit(shadow.fullAmount, hosts: candidates)?.host.name else { return nil }
            if case .reserved(let reservation) = try store.reserve(shadow: shadow, on: host, at: clock.now()) {
                return reservation
            }
            excluded.insert(host)
        }
    }

    /// What shadows hold per host: the scheduler's query.
    public func reservedCapacity() throws(MetricStoreError) -> ReservedCapacity {
        ReservedCapacity(hosts: try store.reservedCapacity())
    }
}

extension CapacityAmount {
    /// A domain size in the inventory's dimensions (memory rounded up to a MiB), with `units`.
    public init(_ size: ResourceSize, units: Int64) {
        self.init(vcpus: Int64(size.vcpus), memoryMiB: Int64(clamping: size.memoryKiB / 1024 + (size.memoryKiB % 1024 == 0 ? 0 : 1)), units: units)
    }
}
