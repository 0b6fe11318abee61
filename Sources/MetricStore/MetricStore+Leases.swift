import GRDB

/// Group leases (migration `v8-leases`): on one host a single actuator owns every group, but the
/// semantics are PostgresStore's, so the runtime and the conformance suite see one contract.
extension MetricStore {
    static let leasesMigration = "v8-leases"

    static func registerLeasesSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE leases (
                grp        TEXT PRIMARY KEY CHECK (length(grp) > 0),
                owner      TEXT NOT NULL CHECK (length(owner) > 0),
                token      INTEGER NOT NULL CHECK (token > 0),
                expires_at INTEGER NOT NULL
            );
            """)
    }

    public func acquireLease(group: String, owner: String, at now: Int64, seconds: Int64) throws(MetricStoreError) -> LeaseOutcome {
        guard !group.isEmpty, !owner.isEmpty, seconds > 0 else {
            throw MetricStoreError(.invalidEvent, "a lease needs a group, an owner and a positive duration")
        }
        return try write("cannot acquire the lease of group \(group)", immediate: true) { db in
            let until = now + seconds
            guard let row = try Row.fetchOne(db, sql: "SELECT owner, token, expires_at FROM leases WHERE grp = ?",
                                             arguments: [group]) else {
                try db.execute(sql: "INSERT INTO leases (grp, owner, token, expires_at) VALUES (?, ?, 1, ?)",
                               arguments: [group, owner, until])
                return .acquired(Lease(group: group, owner: owner, token: 1, expiresAt: until))
            }
            let current = Lease(group: group, owner: row["owner"], token: row["token"], expiresAt: row["expires_at"])
            if current.expiresAt > now {
                guard current.owner == owner else { return .held(current) }
                try db.execute(sql: "UPDATE leases SET expires_at = ? WHERE grp = ?", arguments: [until, group])
                return .acquired(Lease(group: group, owner: owner, token: current.token, expiresAt: until))
            }
            let token = current.token + 1
            try db.execute(sql: "UPDATE leases SET owner = ?, token = ?, expires_at = ? WHERE grp = ?",
                           arguments: [owner, token, until, group])
            return .acquired(Lease(group: group, owner: owner, token: token, expiresAt: until))
        }
    }

    public func renewLeases(_ leases: [Lease], at now: Int64, seconds: Int64) throws(MetricStoreError) -> [Lease] {
        guard !leases.isEmpty else { return [] }
        return try write("cannot renew \(leases.count) group lease(s)") { db in
            let update = try db.cachedStatement(sql: """
                UPDATE leases SET expires_at = ? WHERE grp = ? AND owner = ? AND token = ? AND expires_at > ?
                """)
            var renewed: [Lease] = []
            for lease in leases {
                try update.execute(arguments: [now + seconds, lease.group, lease.owner, lease.token, now])
                guard db.changesCount > 0 else { continue }
                var r = lease
                r.expiresAt = now + seconds
                renewed.append(r)
            }
            return renewed
        }
    }

    @discardableResult
    public func releaseLease(_ lease: Lease) throws(MetricStoreError) -> Bool {
        try write("cannot release the lease of group \(lease.group)") { db in
            // The row stays with its token: the next owner continues from it.
            try db.execute(sql: "UPDATE leases SET expires_at = 0 WHERE grp = ? AND owner = ? AND token = ? AND expires_at > 0",
                           arguments: [lease.group, lease.owner, lease.token])
            return db.changesCount > 0
        }
    }

    public func leases() throws(MetricStoreError) -> [Lease] {
        try read("cannot read leases") { db in
            try Row.fetchAll(db, sql: "SELECT grp, owner, token, expires_at FROM leases ORDER BY grp").map {
                Lease(group: $0["grp"], owner: $0["owner"], token: $0["token"], expiresAt: $0["expires_at"])
            }
        }
    }

    /// Throws `leaseLost` inside the write's transaction when the fence's token is not current.
    static func check(_ fences: [LeaseFence], _ what: String, path: String?, _ db: Database) throws {
        for fence in fences {
            let current = try Bool.fetchOne(db, sql: "SELECT 1 FROM leases WHERE grp = ? AND token = ? AND expires_at > ?",
                                            arguments: [fence.group, fence.token, fence.now]) ?? false
            guard current else { throw fence.lost(what, path: path) }
        }
    }

    /// The fence check of a write to one shadow: the shadow's group must be the fenced one.
    static func check(_ fence: LeaseFence?, shadow id: String, _ what: String, path: String?, _ db: Database) throws {
        guard let fence else { return }
        if let group = try String.fetchOne(db, sql: "SELECT grp FROM shadows WHERE id = ?", arguments: [id]), group != fence.group {
            throw fence.wrongGroup(group, what, path: path)
        }
        try check([fence], what, path: path, db)
    }
}
