import GRDB

extension MetricStore {
    static let hostStatusMigration = "v9-host-status"

    /// Measured size, cap and reachability on `hosts`; when a shadow was lost with its host on
    /// `shadows` (all nullable or defaulted: rows from before the migration are up, uncapped,
    /// unmeasured).
    static func registerHostStatusSchema(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE hosts ADD COLUMN cap_vcpus INTEGER CHECK (cap_vcpus >= 0);
            ALTER TABLE hosts ADD COLUMN cap_memory_mib INTEGER CHECK (cap_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN measured_vcpus INTEGER CHECK (measured_vcpus >= 0);
            ALTER TABLE hosts ADD COLUMN measured_memory_mib INTEGER CHECK (measured_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN free_memory_mib INTEGER CHECK (free_memory_mib >= 0);
            ALTER TABLE hosts ADD COLUMN measured_at INTEGER;
            ALTER TABLE hosts ADD COLUMN state TEXT NOT NULL DEFAULT 'up' CHECK (state IN ('up', 'unreachable', 'lost'));
            ALTER TABLE hosts ADD COLUMN unreachable_since INTEGER;
            ALTER TABLE hosts ADD COLUMN lost_at INTEGER;
            ALTER TABLE hosts ADD COLUMN last_error TEXT;
            ALTER TABLE shadows ADD COLUMN lost_at INTEGER;
            """)
    }

    static func decodeHostStatus(_ row: Row) -> HostStatus {
        var status = HostStatus()
        status.state = (row["state"] as String?).flatMap(HostState.init(rawValue:)) ?? .up
        status.unreachableSince = row["unreachable_since"]
        status.lostAt = row["lost_at"]
        status.lastError = row["last_error"]
        status.capVCPUs = row["cap_vcpus"]
        status.capMemoryMiB = row["cap_memory_mib"]
        status.measuredVCPUs = row["measured_vcpus"]
        status.measuredMemoryMiB = row["measured_memory_mib"]
        status.freeMemoryMiB = row["free_memory_mib"]
        status.measuredAt = row["measured_at"]
        return status
    }

    public func setCap(vcpus: Int64?, memoryMiB: Int64?, ofHost name: String) throws(MetricStoreError) {
        try write("cannot write the cap of host \(name)") { db in
            try db.execute(sql: "UPDATE hosts SET cap_vcpus = ?, cap_memory_mib = ? WHERE name = ?",
                           arguments: [vcpus, memoryMiB, name])
        }
    }

    @discardableResult
    public func recordMeasurement(_ m: HostMeasurementRecord, ofHost name: String,
                                  at now: Int64) throws(MetricStoreError) -> HostState? {
        try write("cannot record the measurement of host \(name)") { db in
            guard let text = try String.fetchOne(db, sql: "SELECT state FROM hosts WHERE name = ?", arguments: [name]) else {
                return nil
            }
            try db.execute(sql: """
                UPDATE hosts SET vcpus = ?, memory_mib = ?, capacity_units = ?, load_vcpus = ?, load_memory_mib = ?,
                    load_units = ?, measured_vcpus = ?, measured_memory_mib = ?, free_memory_mib = ?, measured_at = ?,
                    state = 'up', unreachable_since = NULL, lost_at = NULL, last_error = NULL, updated_at = ?
                WHERE name = ?
                """, arguments: [max(m.capacity.vcpus, 0), max(m.capacity.memoryMiB, 0), max(m.capacity.units, 0),
                                 max(m.load.vcpus, 0), max(m.load.memoryMiB, 0), max(m.load.units, 0),
                                 max(m.measuredVCPUs, 0), max(m.measuredMemoryMiB, 0), m.freeMemoryMiB.map { max($0, 0) },
                                 now, now, name])
            return HostState(rawValue: text) ?? .up
        }
    }

    @discardableResult
    public func recordUnreachable(host name: String, error: String, at now: Int64) throws(MetricStoreError) -> HostStatus? {
        try write("cannot record host \(name) as unreachable") { db in
            try db.execute(sql: """
                UPDATE hosts SET state = CASE state WHEN 'up' THEN 'unreachable' ELSE state END,
                    unreachable_since = coalesce(unreachable_since, ?), last_error = ? WHERE name = ?
                """, arguments: [now, error, name])
            return try Row.fetchOne(db, sql: "SELECT * FROM hosts WHERE name = ?", arguments: [name]).map(Self.decodeHostStatus)
        }
    }

    public func markHostLost(_ name: String, at now: Int64) throws(MetricStoreError) -> [ShadowRecord] {
        try write("cannot mark host \(name) lost", immediate: true) { db in
            try db.execute(sql: "UPDATE hosts SET state = 'lost', lost_at = ? WHERE name = ? AND state = 'unreachable'",
                           arguments: [now, name])
            guard db.changesCount > 0 else { return [] }
            let lost = try Row.fetchAll(db, sql: "SELECT \(Self.shadowColumns) FROM shadows WHERE host = ? AND state != 'gone' ORDER BY id",
                                        arguments: [name]).map(Self.decodeShadow)
            for shadow in lost {
                try db.execute(sql: """
                    UPDATE activations SET completed_at = ?, outcome = 'failed' WHERE shadow_id = ? AND outcome IS NULL
                    """, arguments: [now, shadow.id])
                try db.execute(sql: "UPDATE shadows SET lost_at = ? WHERE id = ?", arguments: [now, shadow.id])
                _ = try Self.compareAndSet(shadow.id, from: Set(ShadowState.allCases).subtracting([.gone]), to: .gone, at: now, db)
            }
            return lost
        }
    }
}
