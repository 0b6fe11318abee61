import MetricStore

/// Where a new shadow goes.
public enum Placement {
    /// Best fit: among enabled hosts whose free capacity (capacity − load − reservations) holds
    /// `request` in every dimension, the one with the least free units left; ties by name.
    /// Packing shadows tightly keeps large holes free for large requests and for regular placement.
    public static func bestFit(_ request: CapacityAmount, hosts: [HostAvailability]) -> HostAvailability? {
        hosts
            .filter { $0.host.enabled && $0.free.fits(request) }
            .min { a, b in
                a.free.units != b.free.units ? a.free.units < b.free.units : a.host.name < b.host.name
            }
    }
}
