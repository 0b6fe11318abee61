import MetricStore
import PostgresNIO

/// Traffic routing state of activated shadows (MetricStore+Routes).
extension PostgresStore {
    public func saveRoute(_ route: RouteRecord) throws(MetricStoreError) {
        try connector.run("cannot store the route of shadow \(route.shadowID)") { s in
            try s.query("""
                INSERT INTO routes (shadow_id, activation_id, grp, server, state, address, error, attempts, updated_at,
                                    next_attempt, drain_deadline)
                VALUES (\(route.shadowID), \(route.activationID), \(route.group), \(route.server), \(route.state.rawValue),
                        \(route.address), \(route.error), \(Int64(route.attempts)), \(route.updatedAt), \(route.nextAttempt),
                        \(route.drainDeadline))
                ON CONFLICT (shadow_id) DO UPDATE SET activation_id = excluded.activation_id, grp = excluded.grp,
                    server = excluded.server, state = excluded.state, address = excluded.address, error = excluded.error,
                    attempts = excluded.attempts, updated_at = excluded.updated_at, next_attempt = excluded.next_attempt,
                    drain_deadline = excluded.drain_deadline
                """)
        }
    }

    public func route(shadow shadowID: String) throws(MetricStoreError) -> RouteRecord? {
        try connector.run("cannot read the route of shadow \(shadowID)", transaction: false) { s in
            try s.query("SELECT \(unescaped: Self.routeColumns) FROM routes WHERE shadow_id = \(shadowID)").first.map(Self.decodeRoute)
        }
    }

    public func route(activation activationID: String) throws(MetricStoreError) -> RouteRecord? {
        try connector.run("cannot read the route of activation \(activationID)", transaction: false) { s in
            try s.query("SELECT \(unescaped: Self.routeColumns) FROM routes WHERE activation_id = \(activationID) LIMIT 1")
                .first.map(Self.decodeRoute)
        }
    }

    public func routes(states: Set<RouteRecord.State>, group: String?) throws(MetricStoreError) -> [RouteRecord] {
        let names: [String]? = states.isEmpty ? nil : states.map(\.rawValue).sorted()
        return try connector.run("cannot list routes", transaction: false) { s in
            try s.query("""
                SELECT \(unescaped: Self.routeColumns) FROM routes
                WHERE (\(names)::text[] IS NULL OR state = ANY(\(names))) AND (\(group)::text IS NULL OR grp = \(group))
                ORDER BY grp COLLATE "C", server COLLATE "C"
                """).map(Self.decodeRoute)
        }
    }

    static let routeColumns = """
        shadow_id, activation_id, grp, server, state, address, error, attempts, updated_at, next_attempt, drain_deadline
        """

    static func decodeRoute(_ row: PostgresRow) throws -> RouteRecord {
        let (shadow, activation, group, server, stateText, address, error, attempts, updated, next, deadline) = try row.decode(
            (String, String?, String, String, String, String?, String?, Int64, Int64, Int64?, Int64?).self)
        return RouteRecord(shadowID: shadow, activationID: activation, group: group, server: server,
                           state: RouteRecord.State(rawValue: stateText) ?? .failed, address: address, error: error,
                           attempts: Int(attempts), updatedAt: updated, nextAttempt: next, drainDeadline: deadline)
    }
}
