import Features
import Foundation
import MetricStore
import PostgresNIO
import TimeSeries

/// Events (the API's notices, calendars): MetricStore+Events' rules, in PostgreSQL. A commit is
/// durable when PostgreSQL acknowledges it (`synchronous_commit` is the server's to set).
extension PostgresStore {
    @discardableResult
    public func insert(events: [Event], createdAt: Int64) throws(MetricStoreError) -> [Int64] {
        for event in events { try MetricStore.validate(event) }
        let encoded = try MetricStore.encode(events)
        return try connector.run("cannot insert events") { s in
            try Self.writeEvents(zip(events, encoded).map { ($0, $1, createdAt) }, s)
        }
    }

    public func commitEvents(_ take: () -> [PendingEvent]) throws(MetricStoreError) -> (batch: [PendingEvent], ids: [Int64]) {
        try connector.run("cannot insert events") { s in
            let batch = take()
            return (batch, try Self.writeEvents(batch.map { ($0.event, $0.encoded, $0.createdAt) }, s))
        }
    }

    public func events(kind: Event.Kind?, overlapping window: Range<Int64>?,
                       scope: EventScopeFilter) throws(MetricStoreError) -> [StoredEvent] {
        if let window, window.isEmpty { return [] }
        let decoder = JSONDecoder()
        return try connector.run("cannot read events", transaction: false) { s in
            // Index prefilter on the active span; recurring events are refined below.
            let rows = try s.query("""
                SELECT id, kind, name, start, "end", recurrence, scope, multiplier, level, note, created_at FROM events
                WHERE (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                  AND (\(window?.upperBound)::bigint IS NULL
                       OR (start < \(window?.upperBound) AND (active_until IS NULL OR active_until > \(window?.lowerBound))))
                ORDER BY start, id
                """)
            var groupKeys: Set<String> = []
            if case .group(let group) = scope {
                groupKeys = Set(try s.query("SELECT key FROM series WHERE coalesce(grp, key) = \(group)").map { try $0.decode(String.self) })
            }
            var result: [StoredEvent] = []
            for row in rows {
                let (id, kind, name, start, end, recurrence, scopeText, multiplier, level, note, created) = try row.decode(
                    (Int64, String, String, Int64, Int64, String?, String, Double?, Double?, String?, Int64).self)
                let stored = try MetricStore.storedEvent(id: id, kind: kind, name: name, start: start, end: end,
                                                         recurrence: recurrence, scope: scopeText, multiplier: multiplier,
                                                         level: level, note: note, createdAt: created, decoder)
                if let window, stored.event.occurrences(overlapping: window).isEmpty { continue }
                guard MetricStore.matches(stored.event.scope, scope, groupKeys: groupKeys) else { continue }
                result.append(stored)
            }
            return result
        }
    }

    @discardableResult
    public func deleteEvent(id: Int64) throws(MetricStoreError) -> Bool {
        try connector.run("cannot delete event \(id)") { s in try s.changes("DELETE FROM events WHERE id = \(id)") > 0 }
    }

    static func writeEvents(_ events: [(Event, (scope: String, recurrence: String?), Int64)], _ s: PostgresSession) throws -> [Int64] {
        var ids: [Int64] = []
        ids.reserveCapacity(events.count)
        for (event, json, createdAt) in events {
            let row = try s.query("""
                INSERT INTO events (kind, name, start, "end", recurrence, scope, multiplier, level, note, created_at, active_until)
                VALUES (\(event.kind.rawValue), \(event.name), \(event.start), \(event.end), \(json.recurrence), \(json.scope),
                        \(event.multiplier), \(event.level), \(event.note), \(createdAt), \(event.activeUntil))
                RETURNING id
                """).first
            guard let row else { throw MetricStoreError(.postgres, "inserting event \(event.name) returned no id") }
            ids.append(try row.decode(Int64.self))
        }
        return ids
    }
}
