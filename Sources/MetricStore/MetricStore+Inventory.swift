import Foundation
import GRDB

/// A host with what is reserved on it and what is left.
public struct HostAvailability: Sendable, Hashable, Codable {
    public var host: HostRecord
    /// Summed reservations of the shadows on it.
    package var reserved: CapacityAmount
    /// capacity − load − reserved (negative in a dimension when over-committed, e.g. after adoption).
    public var free: CapacityAmount

    public init(host: HostRecord, reserved: CapacityAmount, free: CapacityAmount) {
        self.host = host
        self.reserved = reserved
        self.free = free
    }
}

extension MetricStore {
    // MARK: - Hosts

    /// Inserts the host or replaces its configuration (name is the key); shadows and reservations stay.
    public func upsertHost(_ host: HostRecord) throws(MetricStoreError) {
        let labels = try Self.encodeJSON(host.labels, "host labels")
        try write("cannot write host \(host.name)") { db in
            try db.execute(sql: """
                INSERT INTO hosts (name, uri, vcpus, memory_mib, capacity_units, load_vcpus, load_memory_mib,
                                   load_units, labels, enabled, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET uri = excluded.uri, vcpus = excluded.vcpus,
                    memory_mib = excluded.memory_mib, capacity_units = excluded.capacity_units,
                    load_vcpus = excluded.load_vcpus, load_memory_mib = excluded.load_memory_mib,
                    load_units = excluded.load_units, labels = excluded.labels, enabled = excluded.enabled,
                    updated_at = excluded.updated_at
                """, arguments: [host.name, host.uri, host.capacity.vcpus, host.capacity.memoryMiB, host.capacity.units,
                                 host.load.vcpus, host.load.memoryMiB, host.load.units, labels, host.enabled,
                                 host.updatedAt])
        }
    }

    /// Records what regular VMs use on the host now; returns whether the host exists.
    @discardableResult
    public func setLoad(_ load: CapacityAmount, ofHost name: String, at now: Int64) throws(MetricStoreError) -> Bool {
        try write("cannot write the load of host \(name)") { db in
            try db.execute(sql: """
                UPDATE hosts SET load_vcpus = ?, load_memory_mib = ?, load_units = ?, updated_at = ? WHERE name = ?
                """, arguments: [max(load.vcpus, 0), max(load.memoryMiB, 0), max(load.units, 0), now, name])
            return db.changesCount > 0
        }
    }

    /// Every host with its reservations and free capacity, sorted by name.
    public func hostAvailability() throws(MetricStoreError) -> [HostAvailability] {
        try read("cannot read hosts") { db in try Self.availability(db, host: nil) }
    }

    /// One host with its reservations and free capacity; nil when unknown.
    public func hostAvailability(_ name: String) throws(MetricStoreError) -> HostAvailability? {
        try read("cannot read host \(name)") { db in try Self.availability(db, host: name).first }
    }

    // MARK: - Shadows and reservations

    /// Records `shadow` on `host` together with a reservation of its full size, in one transaction,
    /// unless the host's free capacity (capacity − load − reservations) would go below zero in any
    /// dimension; then nothing is written.
    ///
    /// The check and the writes happen in one `BEGIN IMMEDIATE` transaction, so two stores sharing the
    /// file (two actuators) are serialised on it and cannot over-reserve together.
    public func reserve(shadow: ShadowRecord, on host: String, at now: Int64,
                        fence: LeaseFence?) throws(MetricStoreError) -> ReservationOutcome {
        var record = shadow
        record.host = host
        record.updatedAt = now
        let what = "cannot reserve capacity for shadow \(shadow.id) on \(host)"
        if let fence, fence.group != shadow.group { throw fence.wrongGroup(shadow.group, what, path: path) }
        return try write(what, immediate: true) { db in
            try Self.check(fence.map { [$0] } ?? [], what, path: path, db)
            guard let available = try Self.availability(db, host: host).first else { return .unknownHost }
            guard available.host.enabled else { return .hostDisabled }
            // An unreachable or lost host takes nothing new until it answers again.
            guard available.host.status.state == .up else { return .hostDisabled }
            guard available.free.fits(record.fullAmount) else { return .insufficientCapacity(free: available.free) }
            try Self.insertShadow(record, db, replacing: false)
            return .reserved(try Self.insertReservation(for: record, at: now, db))
        }
    }

    /// Records a shadow found in the hypervisor (adoption after a restart), replacing any stored
    /// record of the same id, with a reservation when `reserving`. No capacity check: the domain
    /// already exists, so refusing would only hide capacity it holds. The host must be known.
    public func adopt(shadow: ShadowRecord, reserving: Bool, at now: Int64, fence: LeaseFence?) throws(MetricStoreError) {
        var record = shadow
        record.updatedAt = now
        let what = "cannot adopt shadow \(shadow.id)"
        if let fence, fence.group != shadow.group { throw fence.wrongGroup(shadow.group, what, path: path) }
        try write(what, immediate: true) { db in
            try Self.check(fence.map { [$0] } ?? [], what, path: path, db)
            try db.execute(sql: "DELETE FROM reservations WHERE shadow_id = ?", arguments: [record.id])
            try Self.insertShadow(record, db, replacing: true)
            if reserving { _ = try Self.insertReservation(for: record, at: now, db) }
        }
    }

    /// Drops the shadow's reservation; returns whether it had one.
    @discardableResult
    public func release(shadow id: String, fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        let what = "cannot release the reservation of shadow \(id)"
        return try write(what, immediate: fence != nil) { db in
            try Self.check(fence, shadow: id, what, path: path, db)
            try db.execute(sql: "DELETE FROM reservations WHERE shadow_id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    /// Moves the shadow from any of `states` to `to` only if it is in one of them now
    /// (compare-and-set); returns whether it moved. Entering `active` or `gone` releases its
    /// reservation in the same transaction.
    @discardableResult
    public func transition(shadow id: String, fromAnyOf states: Set<ShadowState>, to: ShadowState,
                           at now: Int64, fence: LeaseFence?) throws(MetricStoreError) -> Bool {
        guard !states.isEmpty else { return false }
        let what = "cannot change the state of shadow \(id)"
        return try write(what, immediate: true) { db in
            try Self.check(fence, shadow: id, what, path: path, db)
            return try Self.compareAndSet(id, from: states, to: to, at: now, db)
        }
    }

    /// The shadow with this id, if recorded.
    public func shadow(id: String) throws(MetricStoreError) -> ShadowRecord? {
        try read("cannot read shadow \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.shadowColumns) FROM shadows WHERE id = ?", arguments: [id]).map(Self.decodeShadow)
        }
    }

    /// Shadows on `host` (nil: any) of `group` (nil: any) in `states` (nil: any), sorted by id.
    ///
    /// The filters run in SQL (indexes `shadows_host_state`, `shadows_grp_state`, `shadows_state`):
    /// `gone` rows accumulate, and an activation or a decision cycle must not decode all of them.
    public func shadows(host: String?, group: String?, states: Set<ShadowState>?) throws(MetricStoreError) -> [ShadowRecord] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let host {
            conditions.append("host = ?")
            arguments.append(host)
        }
        if let group {
            conditions.append("grp = ?")
            arguments.append(group)
        }
        if let states {
            guard !states.isEmpty else { return [] }
            let sorted = states.map(\.rawValue).sorted()
            conditions.append("state IN (" + sorted.map { _ in "?" }.joined(separator: ", ") + ")")
            arguments += sorted.map { $0 as any DatabaseValueConvertible }
        }
        let sql = "SELECT \(Self.shadowColumns) FROM shadows" + (conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND "))
            + " ORDER BY id"
        return try read("cannot read shadows") { db in
            // A cached statement: read several times a cycle, preparing it anew each time was a
            // visible share of a 10,000-group cycle (docs/benchmarks.md, "The whole actuator cycle").
            try Row.fetchAll(db.cachedStatement(sql: sql), arguments: StatementArguments(arguments)).map(Self.decodeShadow)
        }
    }

    /// Every reservation, sorted by host then shadow id.
    public func reservations() throws(MetricStoreError) -> [ReservationRecord] {
        try read("cannot read reservations") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM reservations ORDER BY host, shadow_id").map { row in
                ReservationRecord(host: row["host"], shadowID: row["shadow_id"],
                                  amount: CapacityAmount(vcpus: row["vcpus"], memoryMiB: row["memory_mib"],
                                                         units: row["units"]),
                                  createdAt: row["created_at"])
            }
        }
    }

    // MARK: - Shared SQL

    static func compareAndSet(_ id: String, from states: Set<ShadowState>, to: ShadowState, at now: Int64,
                              _ db: Database, activationID: String?? = nil) throws -> Bool {
        try ShadowLifecycle.check(shadow: id, from: states, to: to)
        let placeholders = states.map { _ in "?" }.joined(separator: ", ")
        var arguments: StatementArguments = [to.rawValue, now]
        var setActivation = ""
        if let activationID {
            setActivation = ", activation_id = ?"
            arguments += [activationID]
        }
        arguments += [id]
        arguments += StatementArguments(states.map(\.rawValue).sorted())
        try db.execute(sql: "UPDATE shadows SET state = ?, updated_at = ?\(setActivation) WHERE id = ? AND state IN (\(placeholders))",
                       arguments: arguments)
        guard db.changesCount > 0 else { return false }
        if to == .active {
            // An activated VM runs as load: its reserved vCPUs and memory move to the host's load
            // until the next measurement reads the domain itself. Released without it, the room
            // counted nowhere in between, and the same cycle's reconcile pass placed shadows there.
            try db.execute(sql: """
                UPDATE hosts SET load_vcpus = load_vcpus + r.vcpus, load_memory_mib = load_memory_mib + r.memory_mib
                FROM (SELECT host, vcpus, memory_mib FROM reservations WHERE shadow_id = ?) AS r WHERE hosts.name = r.host
                """, arguments: [id])
        }
        if to == .active || to == .gone {
            try db.execute(sql: "DELETE FROM reservations WHERE shadow_id = ?", arguments: [id])
        }
        return true
    }

    static func availability(_ db: Database, host: String?) throws -> [HostAvailability] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT h.*, coalesce(sum(r.vcpus), 0) AS r_vcpus, coalesce(sum(r.memory_mib), 0) AS r_memory,
                   coalesce(sum(r.units), 0) AS r_units
            FROM hosts h LEFT JOIN reservations r ON r.host = h.name
            WHERE ? IS NULL OR h.name = ?
            GROUP BY h.name ORDER BY h.name
            """), arguments: [host, host])
        return try rows.map { row in
            let labelsText: String = row["labels"]
            guard let labels = try? JSONDecoder().decode([String: String].self, from: Data(labelsText.utf8)) else {
                throw MetricStoreError(.corruptData, "host \(row["name"] as String? ?? "?") has labels that are not a JSON object of strings")
            }
            let record = HostRecord(name: row["name"], uri: row["uri"],
                                    capacity: CapacityAmount(vcpus: row["vcpus"], memoryMiB: row["memory_mib"],
                                                             units: row["capacity_units"]),
                                    load: CapacityAmount(vcpus: row["load_vcpus"], memoryMiB: row["load_memory_mib"],
                                                         units: row["load_units"]),
                                    labels: labels, enabled: row["enabled"], updatedAt: row["updated_at"],
                                    status: Self.decodeHostStatus(row))
            let reserved = CapacityAmount(vcpus: row["r_vcpus"], memoryMiB: row["r_memory"], units: row["r_units"])
            return HostAvailability(host: record, reserved: reserved, free: record.capacity - record.load - reserved)
        }
    }

    static func insertShadow(_ shadow: ShadowRecord, _ db: Database, replacing: Bool) throws {
        try db.execute(sql: """
            INSERT INTO shadows (id, grp, host, domain_name, state, baseline_vcpus, baseline_memory_mib, full_vcpus,
                                 full_memory_mib, reserved_units, created_at, updated_at, activation_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            \(replacing ? upsertShadowClause : "")
            """, arguments: [shadow.id, shadow.group, shadow.host, shadow.domainName, shadow.state.rawValue,
                             shadow.baselineVCPUs, shadow.baselineMemoryMiB, shadow.fullVCPUs, shadow.fullMemoryMiB,
                             shadow.reservedUnits, shadow.createdAt, shadow.updatedAt, shadow.activationID])
    }

    /// An update in place (not REPLACE, which would delete the row its activations reference).
    private static let upsertShadowClause = """
        ON CONFLICT (id) DO UPDATE SET grp = excluded.grp, host = excluded.host, domain_name = excluded.domain_name,
            state = excluded.state, baseline_vcpus = excluded.baseline_vcpus,
            baseline_memory_mib = excluded.baseline_memory_mib, full_vcpus = excluded.full_vcpus,
            full_memory_mib = excluded.full_memory_mib, reserved_units = excluded.reserved_units,
            updated_at = excluded.updated_at, activation_id = excluded.activation_id, lost_at = NULL
        """

    static func insertReservation(for shadow: ShadowRecord, at now: Int64, _ db: Database) throws -> ReservationRecord {
        let reservation = ReservationRecord(host: shadow.host, shadowID: shadow.id, amount: shadow.fullAmount, createdAt: now)
        try db.execute(sql: """
            INSERT INTO reservations (host, shadow_id, vcpus, memory_mib, units, created_at) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [reservation.host, reservation.shadowID, reservation.amount.vcpus,
                             reservation.amount.memoryMiB, reservation.amount.units, now])
        return reservation
    }

    /// The columns `decodeShadow` reads, in its order: every shadow read selects these (by position:
    /// a lookup by name lower-cases the name for every column of every row, a few percent of a
    /// 10,000-group cycle).
    static let shadowColumns = "id, grp, host, domain_name, state, baseline_vcpus, baseline_memory_mib, full_vcpus, "
        + "full_memory_mib, reserved_units, created_at, updated_at, activation_id, lost_at"

    static func decodeShadow(_ row: Row) throws -> ShadowRecord {
        let stateText: String = row[4]
        guard let state = ShadowState(rawValue: stateText) else {
            throw MetricStoreError(.corruptData, "shadow \(row[0] as String? ?? "?") has unknown state '\(stateText)'")
        }
        return ShadowRecord(id: row[0], group: row[1], host: row[2], domainName: row[3],
                            state: state, baselineVCPUs: row[5], baselineMemoryMiB: row[6],
                            fullVCPUs: row[7], fullMemoryMiB: row[8],
                            reservedUnits: row[9], createdAt: row[10],
                            updatedAt: row[11], activationID: row[12], lostAt: row[13])
    }

    static func encodeJSON<T: Encodable>(_ value: T, _ what: String) throws(MetricStoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw MetricStoreError(.sqlite, "cannot encode \(what): \(error)", cause: SendableDescription(error))
        }
    }
}

