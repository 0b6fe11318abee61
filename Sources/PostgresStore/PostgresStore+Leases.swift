import MetricStore
import PostgresNIO

/// Group leases: the rows and their fencing (MetricStore+Leases has the same semantics on SQLite).
extension PostgresStore {
    public func acquireLease(group: String, owner: String, at now: Int64, seconds: Int64) throws(MetricStoreError) -> LeaseOutcome {
        guard !group.isEmpty, !owner.isEmpty, seconds > 0 else {
            throw MetricStoreError(.invalidEvent, "a lease needs a group, an owner and a positive duration")
        }
        let until = now + seconds
        return try connector.run("cannot acquire the lease of group \(group)") { s in
            // Insert-or-lock: the row exists afterwards and is locked by this transaction, so two
            // actuators acquiring at once are serialised on it.
            let inserted = try s.query("""
                INSERT INTO leases (grp, owner, token, expires_at) VALUES (\(group), \(owner), 1, \(until))
                ON CONFLICT (grp) DO NOTHING RETURNING token
                """).first != nil
            if inserted { return .acquired(Lease(group: group, owner: owner, token: 1, expiresAt: until)) }
            let row = try s.query("SELECT owner, token, expires_at FROM leases WHERE grp = \(group) FOR UPDATE").first
            guard let row else { throw MetricStoreError(.postgres, "the lease row of group \(group) vanished") }
            let (holder, token, expires) = try row.decode((String, Int64, Int64).self)
            let current = Lease(group: group, owner: holder, token: token, expiresAt: expires)
            if current.expiresAt > now {
                guard current.owner == owner else { return .held(current) }
                try s.query("UPDATE leases SET expires_at = \(until) WHERE grp = \(group)")
                return .acquired(Lease(group: group, owner: owner, token: token, expiresAt: until))
            }
            try s.query("UPDATE leases SET owner = \(owner), token = \(token + 1), expires_at = \(until) WHERE grp = \(group)")
            return .acquired(Lease(group: group, owner: owner, token: token + 1, expiresAt: until))
        }
    }

    /// One statement for every lease: an actuator renews all its groups each cycle.
    public func renewLeases(_ leases: [Lease], at now: Int64, seconds: Int64) throws(MetricStoreError) -> [Lease] {
        guard !leases.isEmpty else { return [] }
        let until = now + seconds
        let held = try connector.run("cannot renew \(leases.count) group lease(s)") { s in
            Set(try s.query("""
                UPDATE leases AS l SET expires_at = \(until)
                FROM unnest(\(leases.map(\.group))::text[], \(leases.map(\.owner))::text[], \(leases.map(\.token))::bigint[])
                     AS r(grp, owner, token)
                WHERE l.grp = r.grp AND l.owner = r.owner AND l.token = r.token AND l.expires_at > \(now)
                RETURNING l.grp
                """).map { try $0.decode(String.self) })
        }
        return leases.filter { held.contains($0.group) }.map { var r = $0; r.expiresAt = until; return r }
    }

    @discardableResult
    public func releaseLease(_ lease: Lease) throws(MetricStoreError) -> Bool {
        try connector.run("cannot release the lease of group \(lease.group)") { s in
            try s.changes("""
                UPDATE leases SET expires_at = 0
                WHERE grp = \(lease.group) AND owner = \(lease.owner) AND token = \(lease.token) AND expires_at > 0
                """) > 0
        }
    }

    public func leases() throws(MetricStoreError) -> [Lease] {
        try connector.run("cannot read leases", transaction: false) { s in
            try s.query("SELECT grp, owner, token, expires_at FROM leases ORDER BY grp COLLATE \"C\"").map { row in
                let (group, owner, token, expires) = try row.decode((String, String, Int64, Int64).self)
                return Lease(group: group, owner: owner, token: token, expiresAt: expires)
            }
        }
    }

    /// Throws `leaseLost` when a fence's token is not current. `FOR SHARE` keeps the lease row
    /// until this transaction ends: a takeover (an UPDATE of the row) waits for the fenced write
    /// to commit, and a fenced write after the takeover sees the new token.
    /// All fences in one statement (a cycle's decision log carries one per group); the first
    /// fence not current, in the order given, is the one reported.
    static func check(_ fences: [LeaseFence], _ what: String, _ location: String, _ s: PostgresSession) throws {
        guard !fences.isEmpty else { return }
        struct Key: Hashable { var group: String, token: Int64, now: Int64 }
        let current = Set(try s.query("""
            SELECT f.grp, f.token, f.now FROM leases l
            JOIN unnest(\(fences.map(\.group))::text[], \(fences.map(\.token))::bigint[], \(fences.map(\.now))::bigint[])
                 AS f(grp, token, now)
              ON l.grp = f.grp AND l.token = f.token AND l.expires_at > f.now
            FOR SHARE OF l
            """).map { row in
                let (group, token, now) = try row.decode((String, Int64, Int64).self)
                return Key(group: group, token: token, now: now)
            })
        if let lost = fences.first(where: { !current.contains(Key(group: $0.group, token: $0.token, now: $0.now)) }) {
            throw lost.lost(what, path: location)
        }
    }

    /// The fence of a write to one shadow: the shadow's group must be the fenced one.
    static func check(_ fence: LeaseFence?, shadow id: String, _ what: String, _ location: String, _ s: PostgresSession) throws {
        guard let fence else { return }
        if let row = try s.query("SELECT grp FROM shadows WHERE id = \(id)").first {
            let group = try row.decode(String.self)
            if group != fence.group { throw fence.wrongGroup(group, what, path: location) }
        }
        try check([fence], what, location, s)
    }
}
