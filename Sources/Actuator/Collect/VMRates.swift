import Hypervisor

/// One VM's rates over one collection interval, from two bulk-stats samples (docs/actuator.md,
/// "Collector"). A rate psm could not compute honestly is nil — a gap — and `gaps` says why.
package struct VMRates: Sendable, Hashable {
    package var name: String
    /// Unix seconds of the later sample.
    package var time: Int64
    package var state: DomainState
    package var vcpus: Int?
    /// Δ CPU time / (Δt × vCPUs): 0 … 1 per vCPU on average (may exceed 1 briefly after a hot-plug).
    package var cpuUtilisation: Double?
    /// Memory the guest holds (the balloon's current size), MiB.
    package var memoryMiB: Double?
    package var diskReadBytesPerSecond: Double?
    package var diskWriteBytesPerSecond: Double?
    package var networkReceivedBytesPerSecond: Double?
    package var networkTransmittedBytesPerSecond: Double?
    /// Why a rate is missing: "counter reset (cpu)", "no earlier sample", "clock went back 3 s",
    /// "cpu not reported by the driver" (libvirt's test driver reports only the state).
    package var gaps: [String] = []

    /// Busy vCPUs: utilisation × vCPUs.
    package var busyVCPUs: Double? {
        guard let u = cpuUtilisation, let v = vcpus else { return nil }
        return u * Double(v)
    }

    /// The VM metric `name` (`cpu` = busy vCPUs, `cpu_utilisation`, `memory_mib`, `disk_read_bps`,
    /// `disk_write_bps`, `net_rx_bps`, `net_tx_bps`), nil when it is a gap or not a VM metric.
    package func value(of metric: String) -> Double? {
        switch metric {
        case "cpu": busyVCPUs
        case "cpu_utilisation": cpuUtilisation
        case "memory_mib": memoryMiB
        case "disk_read_bps": diskReadBytesPerSecond
        case "disk_write_bps": diskWriteBytesPerSecond
        case "net_rx_bps": networkReceivedBytesPerSecond
        case "net_tx_bps": networkTransmittedBytesPerSecond
        default: nil
        }
    }

    /// The metrics `value(of:)` knows: what a group's `demand_metric` may name to be collected
    /// from libvirt instead of pushed.
    package static let metrics = ["cpu", "cpu_utilisation", "memory_mib", "disk_read_bps", "disk_write_bps",
                                 "net_rx_bps", "net_tx_bps"]

    /// Rates from `previous` (taken at `then`) to `current` (at `now`); nil `previous` (a VM seen
    /// for the first time, or again after it disappeared) gives only the memory gauge.
    package static func between(_ previous: DomainStats?, at then: Int64, and current: DomainStats, at now: Int64) -> VMRates {
        var r = VMRates(name: current.name, time: now, state: current.state, vcpus: current.vcpus)
        r.memoryMiB = current.balloonCurrentKiB.map { Double($0) / 1024 }
        guard let previous else {
            r.gaps.append("no earlier sample")
            return r
        }
        let seconds = Double(now - then)
        guard seconds > 0 else {
            r.gaps.append(now == then ? "two samples at the same second" : "clock went back \(then - now) s")
            return r
        }
        /// A counter that went down was reset (a reboot, a restore): no rate, never a negative one.
        func rate(_ a: UInt64?, _ b: UInt64?, _ what: String) -> Double? {
            guard let a, let b else {
                r.gaps.append("\(what) not reported by the driver")
                return nil
            }
            guard b >= a else { r.gaps.append("counter reset (\(what))"); return nil }
            return Double(b - a) / seconds
        }
        if let busy = rate(previous.cpuTimeNanoseconds, current.cpuTimeNanoseconds, "cpu") {
            if let v = current.vcpus, v > 0 { r.cpuUtilisation = busy / 1e9 / Double(v) } else { r.gaps.append("vcpus not reported by the driver") }
        }
        r.diskReadBytesPerSecond = rate(previous.blockReadBytes, current.blockReadBytes, "disk read")
        r.diskWriteBytesPerSecond = rate(previous.blockWriteBytes, current.blockWriteBytes, "disk write")
        r.networkReceivedBytesPerSecond = rate(previous.networkReceivedBytes, current.networkReceivedBytes, "net rx")
        r.networkTransmittedBytesPerSecond = rate(previous.networkTransmittedBytes, current.networkTransmittedBytes, "net tx")
        return r
    }
}
