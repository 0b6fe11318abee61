import MetricStore
import PostgresNIO

/// Hosts' measured size, cap and reachability; shadows lost with a host (migration
/// `v9-host-status`; MetricStore+HostStatus has the same semantics on SQLite).
extension PostgresStore {
    public func setCap(vcpus: Int64?, memoryMiB: Int64?, ofHost name: String) throws(MetricStoreError) {
        try connector.run("cannot write the cap of host \(name)") { s in
            try s.query("UPDATE hosts SET cap_vcpus = \(vcpus), cap_memory_mib = \(memoryMiB) WHERE name = \(name)")
        }
    }

    @discardableResult
    public func recordMeasurement(_ m: HostMeasurementRecord, ofHost name: String,
                                  at now: Int64) throws(MetricStoreError) -> HostState? {
        try connector.run("cannot record the measurement of host \(name)") { s in
            guard let row = try s.query("SELECT state FROM hosts WHERE name = \(name) FOR UPDATE").first else { return nil }
            let before = try row.decode(String.self)
            try s.query("""
                UPDATE hosts SET vcpus = \(max(m.capacity.vcpus, 0)), memory_mib = \(max(m.capacity.memoryMiB, 0)),
                    capacity_units = \(max(m.capacity.units, 0)), load_vcpus = \(max(m.load.vcpus, 0)),
                    load_memory_mib = \(max(m.load.memoryMiB, 0)), load_units = \(max(m.load.units, 0)),
                    measured_vcpus = \(max(m.measuredVCPUs, 0)), measured_memory_mib = \(max(m.measuredMemoryMiB, 0)),
                    free_memory_mib = \(m.freeMemoryMiB.map { max($0, 0) }), measured_at = \(now),
                    state = 'up', unreachable_since = NULL, lost_at = NULL, last_error = NULL, updated_at = \(now)
                WHERE name = \(name)
                """)
            return HostState(rawValue: before) ?? .up
        }
    }

    @discardableResult
    public func recordUnreachable(host name: String, error: String, at now: Int64) throws(MetricStoreError) -> HostStatus? {
        try connector.run("cannot record host \(name) as unreachable") { s in
            try s.query("""
                UPDATE hosts AS h SET state = CASE state WHEN 'up' THEN 'unreachable' ELSE state END,
                    unreachable_since = coalesce(unreachable_since, \(now)), last_error = \(error)
                WHERE name = \(name) RETURNING \(unescaped: Self.hostStatusColumns)
                """).first.map { try Self.decodeHostStatus($0, name: name) }
        }
    }

    public func markHostLost(_ name: String, at now: Int64) throws(MetricStoreError) -> [ShadowRecord] {
        try connector.run("cannot mark host \(name) lost") { s in
            guard try s.changes("UPDATE hosts SET state = 'lost', lost_at = \(now) WHERE name = \(name) AND state = 'unreachable'") > 0 else {
                return []
            }
            let lost = try s.query("""
                SELECT \(unescaped: Self.shadowColumns) FROM shadows WHERE host = \(name) AND state != 'gone'
                ORDER BY id COLLATE "C" FOR UPDATE
                """).map(Self.decodeShadow)
            let notGone = ShadowState.allCases.filter { $0 != .gone }
            for shadow in lost {
                try s.query("""
                    UPDATE activations SET completed_at = \(now), outcome = 'failed' WHERE shadow_id = \(shadow.id) AND outcome IS NULL
                    """)
                try s.query("UPDATE shadows SET lost_at = \(now) WHERE id = \(shadow.id)")
                _ = try Self.compareAndSet(shadow.id, from: Set(notGone), to: .gone, at: now, s)
            }
            return lost
        }
    }

    /// The status columns of `hosts`, read by `decodeHostStatus` by name.
    static let hostStatusColumns = """
        h.state, h.unreachable_since, h.lost_at, h.last_error, h.cap_vcpus, h.cap_memory_mib, h.measured_vcpus,
        h.measured_memory_mib, h.free_memory_mib, h.measured_at
        """

    static func decodeHostStatus(_ row: PostgresRow, name: String) throws -> HostStatus {
        let c = row.column
        var status = HostStatus()
        let text = try c["state"].decode(String.self)
        guard let state = HostState(rawValue: text) else {
            throw MetricStoreError(.corruptData, "host \(name) has unknown state '\(text)'")
        }
        status.state = state
        status.unreachableSince = try c["unreachable_since"].decode(Int64?.self)
        status.lostAt = try c["lost_at"].decode(Int64?.self)
        status.lastError = try c["last_error"].decode(String?.self)
        status.capVCPUs = try c["cap_vcpus"].decode(Int64?.self)
        status.capMemoryMiB = try c["cap_memory_mib"].decode(Int64?.self)
        status.measuredVCPUs = try c["measured_vcpus"].decode(Int64?.self)
        status.measuredMemoryMiB = try c["measured_memory_mib"].decode(Int64?.self)
        status.freeMemoryMiB = try c["free_memory_mib"].decode(Int64?.self)
        status.measuredAt = try c["measured_at"].decode(Int64?.self)
        return status
    }
}
