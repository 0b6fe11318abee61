import GRDB

/// How far an activated shadow's traffic routing got (migration `v6-routing-state`).
public struct RouteRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// The router took the server (it receives traffic).
        case routed
        /// The last attempt failed; the runtime retries at `nextAttempt` (backoff).
        case failed
        /// Taking it away: no new sessions; parked once its sessions end or at `drainDeadline`.
        case draining
        /// Out of rotation (maintenance or removed); the shadow is no longer active.
        case withdrawn
    }

    public var shadowID: String
    /// The activation that routed it (nil for a shadow adopted without one).
    public var activationID: String?
    public var group: String
    /// The server's name in the router.
    package var server: String
    public var state: State
    /// The address given to the router (nil when none was known).
    public var address: String?
    /// The last failure (what the router answered), kept until a success.
    public var error: String?
    /// Consecutive failed attempts (0 after a success).
    package var attempts: Int
    public var updatedAt: Int64
    /// When a failed route is tried again.
    package var nextAttempt: Int64?
    /// When a draining server is parked even with sessions open.
    package var drainDeadline: Int64?

    public init(shadowID: String, activationID: String?, group: String, server: String, state: State,
                address: String? = nil, error: String? = nil, attempts: Int = 0, updatedAt: Int64,
                nextAttempt: Int64? = nil, drainDeadline: Int64? = nil) {
        self.shadowID = shadowID
        self.activationID = activationID
        self.group = group
        self.server = server
        self.state = state
        self.address = address
        self.error = error
        self.attempts = attempts
        self.updatedAt = updatedAt
        self.nextAttempt = nextAttempt
        self.drainDeadline = drainDeadline
    }
}

extension MetricStore {
    /// Writes (replaces) the routing state of `route.shadowID`.
    public func saveRoute(_ route: RouteRecord) throws(MetricStoreError) {
        try write("cannot store the route of shadow \(route.shadowID)") { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO routes (shadow_id, activation_id, grp, server, state, address, error, attempts,
                                               updated_at, next_attempt, drain_deadline)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [route.shadowID, route.activationID, route.group, route.server, route.state.rawValue,
                                 route.address, route.error, route.attempts, route.updatedAt, route.nextAttempt,
                                 route.drainDeadline])
        }
    }

    /// The routing state of a shadow, nil when psm never routed it.
    public func route(shadow shadowID: String) throws(MetricStoreError) -> RouteRecord? {
        try read("cannot read the route of shadow \(shadowID)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM routes WHERE shadow_id = ?", arguments: [shadowID]).map(Self.decodeRoute)
        }
    }

    /// The routing state recorded for an activation, nil when none.
    public func route(activation activationID: String) throws(MetricStoreError) -> RouteRecord? {
        try read("cannot read the route of activation \(activationID)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM routes WHERE activation_id = ?", arguments: [activationID]).map(Self.decodeRoute)
        }
    }

    /// Routes in the given states (all when empty), by group then server.
    public func routes(states: Set<RouteRecord.State>, group: String?) throws(MetricStoreError) -> [RouteRecord] {
        try read("cannot list routes") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if !states.isEmpty {
                conditions.append("state IN (\(Array(repeating: "?", count: states.count).joined(separator: ", ")))")
                for s in states.sorted(by: { $0.rawValue < $1.rawValue }) { _ = arguments.append(contentsOf: [s.rawValue]) }
            }
            if let group {
                conditions.append("grp = ?")
                _ = arguments.append(contentsOf: [group])
            }
            let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(db, sql: "SELECT * FROM routes\(filter) ORDER BY grp, server", arguments: arguments)
                .map(Self.decodeRoute)
        }
    }

    static func decodeRoute(_ row: Row) -> RouteRecord {
        let stateText: String = row["state"]
        return RouteRecord(shadowID: row["shadow_id"], activationID: row["activation_id"], group: row["grp"],
                           server: row["server"], state: RouteRecord.State(rawValue: stateText) ?? .failed,
                           address: row["address"], error: row["error"], attempts: row["attempts"],
                           updatedAt: row["updated_at"], nextAttempt: row["next_attempt"], drainDeadline: row["drain_deadline"])
    }
}
