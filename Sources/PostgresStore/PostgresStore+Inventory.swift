import Foundation
import MetricStore
import PostgresNIO

extension PostgresStore {
    // MARK: - Hosts

    public func upsertHost(_ host: HostRecord) throws(MetricStoreError) {
        let labels = try Self.json(host.labels, "host labels")
        try connector.run("cannot write host \(host.name)") { s in
            try s.query("""
                INSERT INTO hosts (name, uri, vcpus, memory_mib, capacity_units, load_vcpus, load_memory_mib,
                                   load_units, labels, enabled, updated_at)
                VALUES (\(host.name), \(host.uri), \(host.capacity.vcpus), \(host.capacity.memoryMiB), \(host.capacity.units),
                        \(host.load.vcpus), \(host.load.memoryMiB), \(host.load.units), \(labels), \(host.enabled), \(host.updatedAt))
                ON CONFLICT (name) DO UPDATE SET uri = excluded.uri, vcpus = excluded.vcpus,
                    memory_mib = excluded.memory_mib, capacity_units = excluded.capacity_units,
                    load_vcpus = excluded.load_vcpus, load_memory_mib = excluded.load_memory_mib,
                    load_units = excluded.load_units, labels = excluded.labels, enabled = excluded.enabled,
                    updated_at = excluded.updated_at
                """)
        }
    }

    @discardableResult
    public func setLoad(_ load: CapacityAmount, ofHost name: String, at now: Int64) throws(MetricStoreError) -> Bool {
        try connector.run("cannot write the load of host \(name)") { s in
            try s.changes("""
                UPDATE hosts SET load_vcpus = \(max(load.vcpus, 0)), load_memory_mib = \(max(load.memoryMiB, 0)),
                    load_units = \(max(load.units, 0)), updated_at = \(now) WHERE name = \(name)
                """) > 0
        }
    }

    public func hostAvailability() throws(MetricStoreError) -> [HostAvailability] {
        try connector.run("cannot read hosts", transaction: false) { s in try Self.availability(s, host: nil) }
    }

    public func hostAvailability(_ name: String) throws(MetricStoreError) -> HostAvailability? {
        try connector.run("cannot read host \(name)", transaction: false) { s in try Self.availability(s, host: name).first }
    }

    // MARK: - Shadows and reservations

    public func reserve(shadow: ShadowRecord, on host: String, at now: Int64,
                        fence: LeaseFence?) throws(MetricStoreError) -> ReservationOutcome {
        var record = shadow
        record.host = host
        record.updatedAt = now
        let what = "cannot reserve capacity for shadow \(shadow.id) on \(host)"
        if let fence, fence.group != shadow.group { throw fence.wrongGroup(shadow.group, what, path: location) }
        return try connector.run(what) { s in
            try Self.check(fence.map { [$0] } ?? [], what, location, s)
            // The host row locked: reservations on one host are serialised across actuators, so the
            // capacity check and the insert cannot interleave with another's.
            guard try s.query("SELECT 1 FROM hosts WHERE name = \(host) FOR UPDATE").first != nil else { return .unknownHost }
            guard let available = try Self.availability(s, host: host).first else { return .unknownHost }
            guard available.host.enabled else { return .hostDisabled }
            // An unreachable or lost host takes nothing new until it answers again.
            guard available.host.status.state == .up else { return .hostDisabled }
            guard available.free.fits(record.fullAmount) else { return .insufficientCapacity(free: available.free) }
            try Self.insertShadow(record, s, replacing: false)
            return .reserved(try Self.insertReservation(for: record, at: now, s))
        }
    }

    public func adopt(shadow: ShadowRecord, reserving: Bool, at now: Int64, fence: LeaseFence?) throws(MetricStoreError) {
        var record = shadow
        record.updatedAt = now
        let what = "cannot adopt shadow \(shadow.id)"
        if let fence, fence.group != shadow.group { throw fence.wrongGroup(shadow.group, what, path: location) }
        try connector.run(what) { s in
            try Self.check(fence.map { [$0] } ?? [], what, location, s)
            try s.query("DELETE FROM reservations WHERE shadow_id = \(record.id)")
            try Self.insertShadow(record, s, replacing: true)
            if reserving { _ = try Self.insertReservation(for: record, at: now, s) }
        }
    }

    @discardableResult
    public func release(shadow id: String, fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        let what = "cannot release the reservation of shadow \(id)"
        return try connector.run(what) { s in
            try Self.check(fence, shadow: id, what, location, s)
            return try s.changes("DELETE FROM reservations WHERE shadow_id = \(id)") > 0
        }
    }

    @discardableResult
    public func transition(shadow id: String, fromAnyOf states: Set<ShadowState>, to: ShadowState, at now: Int64,
                           fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        guard !states.isEmpty else { return false }
        let what = "cannot change the state of shadow \(id)"
        return try connector.run(what) { s in
            try Self.check(fence, shadow: id, what, location, s)
            return try Self.compareAndSet(id, from: states, to: to, at: now, s)
        }
    }

    public func shadow(id: String) throws(MetricStoreError) -> ShadowRecord? {
        try connector.run("cannot read shadow \(id)", transaction: false) { s in
            try s.query("SELECT \(unescaped: Self.shadowColumns) FROM shadows WHERE id = \(id)").first.map(Self.decodeShadow)
        }
    }

    public func shadows(host: String?, group: String?, states: Set<ShadowState>?) throws(MetricStoreError) -> [ShadowRecord] {
        if let states, states.isEmpty { return [] }
        let names = states.map { $0.map(\.rawValue).sorted() }
        return try connector.run("cannot read shadows", transaction: false) { s in
            try s.query("""
                SELECT \(unescaped: Self.shadowColumns) FROM shadows
                WHERE (\(host)::text IS NULL OR host = \(host)) AND (\(group)::text IS NULL OR grp = \(group))
                  AND (\(names)::text[] IS NULL OR state = ANY(\(names)))
                ORDER BY id COLLATE "C"
                """).map(Self.decodeShadow)
        }
    }

    public func reservations() throws(MetricStoreError) -> [ReservationRecord] {
        try connector.run("cannot read reservations", transaction: false) { s in
            try s.query("""
                SELECT host, shadow_id, vcpus, memory_mib, units, created_at FROM reservations
                ORDER BY host COLLATE "C", shadow_id COLLATE "C"
                """).map { row in
                let (host, shadow, vcpus, memory, units, created) = try row.decode((String, String, Int64, Int64, Int64, Int64).self)
                return ReservationRecord(host: host, shadowID: shadow,
                                         amount: CapacityAmount(vcpus: vcpus, memoryMiB: memory, units: units), createdAt: created)
            }
        }
    }

    // MARK: - Shared SQL

    static func compareAndSet(_ id: String, from states: Set<ShadowState>, to: ShadowState, at now: Int64,
                              _ s: PostgresSession, activationID: String?? = nil) throws -> Bool {
        try ShadowLifecycle.check(shadow: id, from: states, to: to)
        let names = states.map(\.rawValue).sorted()
        let changed: Int
        if let activationID {
            changed = try s.changes("""
                UPDATE shadows SET state = \(to.rawValue), updated_at = \(now), activation_id = \(activationID)
                WHERE id = \(id) AND state = ANY(\(names))
                """)
        } else {
            changed = try s.changes("""
                UPDATE shadows SET state = \(to.rawValue), updated_at = \(now) WHERE id = \(id) AND state = ANY(\(names))
                """)
        }
        guard changed > 0 else { return false }
        if to == .active {
            // An activated VM runs as load until the next measurement (MetricStore.compareAndSet).
            try s.query("""
                UPDATE hosts SET load_vcpus = hosts.load_vcpus + r.vcpus, load_memory_mib = hosts.load_memory_mib + r.memory_mib
                FROM (SELECT host, vcpus, memory_mib FROM reservations WHERE shadow_id = \(id)) AS r WHERE hosts.name = r.host
                """)
        }
        if to == .active || to == .gone {
            try s.query("DELETE FROM reservations WHERE shadow_id = \(id)")
        }
        return true
    }

    static func availability(_ s: PostgresSession, host: String?) throws -> [HostAvailability] {
        try s.query("""
            SELECT h.name, h.uri, h.vcpus, h.memory_mib, h.capacity_units, h.load_vcpus, h.load_memory_mib, h.load_units,
                   h.labels, h.enabled, h.updated_at,
                   coalesce(sum(r.vcpus), 0)::bigint, coalesce(sum(r.memory_mib), 0)::bigint, coalesce(sum(r.units), 0)::bigint,
                   \(unescaped: hostStatusColumns)
            FROM hosts h LEFT JOIN reservations r ON r.host = h.name
            WHERE \(host)::text IS NULL OR h.name = \(host)
            GROUP BY h.name ORDER BY h.name COLLATE "C"
            """).map { row in
            let (name, uri, vcpus, memory, units, loadVCPUs, loadMemory, loadUnits, labelsText, enabled, updated,
                 rVCPUs, rMemory, rUnits) = try row.decode(
                    (String, String, Int64, Int64, Int64, Int64, Int64, Int64, String, Bool, Int64, Int64, Int64, Int64).self)
            guard let labels = try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8)) else {
                throw MetricStoreError(.corruptData, "host \(name) has labels that are not a JSON object of strings")
            }
            let record = HostRecord(name: name, uri: uri, capacity: CapacityAmount(vcpus: vcpus, memoryMiB: memory, units: units),
                                    load: CapacityAmount(vcpus: loadVCPUs, memoryMiB: loadMemory, units: loadUnits),
                                    labels: labels, enabled: enabled, updatedAt: updated,
                                    status: try decodeHostStatus(row, name: name))
            let reserved = CapacityAmount(vcpus: rVCPUs, memoryMiB: rMemory, units: rUnits)
            return HostAvailability(host: record, reserved: reserved, free: record.capacity - record.load - reserved)
        }
    }

    static let shadowColumns = """
        id, grp, host, domain_name, state, baseline_vcpus, baseline_memory_mib, full_vcpus, full_memory_mib,
        reserved_units, created_at, updated_at, activation_id, lost_at
        """

    static func decodeShadow(_ row: PostgresRow) throws -> ShadowRecord {
        let (id, group, host, domain, stateText, bv, bm, fv, fm, units, created, updated, activation) = try row.decode(
            (String, String, String, String, String, Int64, Int64, Int64, Int64, Int64, Int64, Int64, String?).self)
        guard let state = ShadowState(rawValue: stateText) else {
            throw MetricStoreError(.corruptData, "shadow \(id) has unknown state '\(stateText)'")
        }
        return ShadowRecord(id: id, group: group, host: host, domainName: domain, state: state, baselineVCPUs: bv,
                            baselineMemoryMiB: bm, fullVCPUs: fv, fullMemoryMiB: fm, reservedUnits: units,
                            createdAt: created, updatedAt: updated, activationID: activation,
                            lostAt: try row.column["lost_at"].decode(Int64?.self))
    }

    static func insertShadow(_ shadow: ShadowRecord, _ s: PostgresSession, replacing: Bool) throws {
        try s.query("""
            INSERT INTO shadows (id, grp, host, domain_name, state, baseline_vcpus, baseline_memory_mib, full_vcpus,
                                 full_memory_mib, reserved_units, created_at, updated_at, activation_id)
            VALUES (\(shadow.id), \(shadow.group), \(shadow.host), \(shadow.domainName), \(shadow.state.rawValue),
                    \(shadow.baselineVCPUs), \(shadow.baselineMemoryMiB), \(shadow.fullVCPUs), \(shadow.fullMemoryMiB),
                    \(shadow.reservedUnits), \(shadow.createdAt), \(shadow.updatedAt), \(shadow.activationID))
            \(unescaped: replacing ? upsertShadowClause : "")
            """)
    }

    private static let upsertShadowClause = """
        ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, host = excluded.host, domain_name = excluded.domain_name,
            state = excluded.state, baseline_vcpus = excluded.baseline_vcpus,
            baseline_memory_mib = excluded.baseline_memory_mib, full_vcpus = excluded.full_vcpus,
            full_memory_mib = excluded.full_memory_mib, reserved_units = excluded.reserved_units,
            updated_at = excluded.updated_at, activation_id = excluded.activation_id, lost_at = NULL
        """

    static func insertReservation(for shadow: ShadowRecord, at now: Int64, _ s: PostgresSession) throws -> ReservationRecord {
        let reservation = ReservationRecord(host: shadow.host, shadowID: shadow.id, amount: shadow.fullAmount, createdAt: now)
        try s.query("""
            INSERT INTO reservations (host, shadow_id, vcpus, memory_mib, units, created_at)
            VALUES (\(reservation.host), \(reservation.shadowID), \(reservation.amount.vcpus), \(reservation.amount.memoryMiB),
                    \(reservation.amount.units), \(now))
            """)
        return reservation
    }

    static func json<T: Encodable>(_ value: T, _ what: String) throws(MetricStoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw MetricStoreError(.postgres, "cannot encode \(what): \(error)", cause: SendableDescription(error))
        }
    }
}
