import MetricStore

/// Where a new shadow goes.
package enum Placement {
    /// The states in which a shadow belongs to its group's pool (what anti-affinity spreads).
    package static let poolStates: Set<ShadowState> = [.planned, .defining, .ready]

    /// Best fit: among hosts that can take `request` now (`canTake`), the one with the least free
    /// units left; ties by name. Packing shadows tightly keeps large holes free for large requests
    /// and for regular placement.
    package static func bestFit(_ request: CapacityAmount, hosts: [HostAvailability]) -> HostAvailability? {
        hosts
            .filter { canTake(request, on: $0) }
            .min { a, b in
                a.free.units != b.free.units ? a.free.units < b.free.units : a.host.name < b.host.name
            }
    }

    /// Anti-affinity, then best fit: among hosts that can take the shadow's full size, the one
    /// holding the fewest of its group's pool (`groupShadows`: host → count), then the least free
    /// units left, then by name — so the loss of one host takes at most its share of a pool.
    package static func spread(_ shadow: ShadowRecord, hosts: [HostAvailability],
                              groupShadows: [String: Int]) -> HostAvailability? {
        let request = shadow.fullAmount
        let baselineMiB = shadow.baselineMemoryMiB
        return hosts
            .filter { canTake(request, on: $0) && hasFreeMemory(baselineMiB, on: $0) }
            .min { a, b in
                let ca = groupShadows[a.host.name] ?? 0, cb = groupShadows[b.host.name] ?? 0
                if ca != cb { return ca < cb }
                return a.free.units != b.free.units ? a.free.units < b.free.units : a.host.name < b.host.name
            }
    }

    /// Enabled, answering, and its free capacity (capacity − load − reservations) holds `request`
    /// in every dimension.
    static func canTake(_ request: CapacityAmount, on host: HostAvailability) -> Bool {
        host.host.enabled && host.host.status.state == .up && host.free.fits(request)
    }

    /// A host that reported its free memory must have the shadow's baseline free now: that is what
    /// defining and parking it takes at once (its full size is reserved, not resident).
    static func hasFreeMemory(_ baselineMiB: Int64, on host: HostAvailability) -> Bool {
        host.host.status.freeMemoryMiB.map { $0 >= baselineMiB } ?? true
    }
}
