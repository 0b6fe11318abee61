import Features
import Foundation
import GRDB
import TimeSeries

/// An event as stored: its row id (to delete it) and when it was recorded.
public struct StoredEvent: Sendable, Hashable, Identifiable {
    public var id: Int64
    package var event: Event
    /// Unix seconds at which the event was inserted.
    public var createdAt: Int64
}

/// Which events a query returns, by what they apply to.
public enum EventScopeFilter: Sendable, Hashable {
    /// Every event, whatever its scope.
    case any
    /// Events that apply to this series (`Event.Scope.applies(toSeries:group:)`).
    case series(String, group: String?)
    /// Events that apply to the group: scope `.all`, `.groups` naming it, or `.series` naming a
    /// stored series of the group (its group is it, or it has no group and its key is it).
    case group(String)
}

extension MetricStore {
    /// Stores the events in one transaction; returns their ids in the same order.
    ///
    /// - Parameter createdAt: the recording time in Unix seconds (injected so tests need no clock).
    @discardableResult
    public func insert(events: [Event], createdAt: Int64) throws(MetricStoreError) -> [Int64] {
        for event in events { try Self.validate(event) }
        let encoded = try Self.encode(events)
        return try write("cannot insert events", durability: .powerLoss) { db in
            try Self.writeEvents(events, encoded, createdAt: createdAt, db)
        }
    }

    /// Events of `kind` (nil = all kinds) with an occurrence meeting `window` (nil = any time)
    /// and applying to `scope`, ordered by start then id.
    public func events(kind: Event.Kind?, overlapping window: Range<Int64>?,
                       scope: EventScopeFilter) throws(MetricStoreError) -> [StoredEvent] {
        if let window, window.isEmpty { return [] }
        let decoder = JSONDecoder()
        return try read("cannot read events") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let kind {
                conditions.append("kind = ?")
                arguments += [kind.rawValue]
            }
            if let window {
                // Index prefilter on the active span; recurring events are refined below.
                conditions.append("start < ? AND (active_until IS NULL OR active_until > ?)")
                arguments += [window.upperBound, window.lowerBound]
            }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            // Cached: the API's forecast reads run this often, and parsing it cost more than running it.
            let statement = try db.cachedStatement(sql: """
                SELECT id, kind, name, start, "end", recurrence, scope, multiplier, level, note, created_at
                FROM events \(whereClause) ORDER BY start, id
                """)
            let rows = try Row.fetchAll(statement, arguments: arguments)
            var groupKeys: Set<String> = []
            if case .group(let group) = scope {
                groupKeys = Set(try String.fetchAll(db, sql: "SELECT key FROM series WHERE coalesce(grp, key) = ?",
                                                    arguments: [group]))
            }
            var result: [StoredEvent] = []
            for row in rows {
                let stored = try Self.decodeEvent(row, decoder)
                if let window, stored.event.occurrences(overlapping: window).isEmpty { continue }
                guard Self.matches(stored.event.scope, scope, groupKeys: groupKeys) else { continue }
                result.append(stored)
            }
            return result
        }
    }

    /// The group commit's transaction (`EventCommitQueue`): power-loss durable, the batch taken
    /// once this store's writer is held.
    public func commitEvents(_ take: () -> [PendingEvent]) throws(MetricStoreError) -> (batch: [PendingEvent], ids: [Int64]) {
        try write("cannot insert events", immediate: true, durability: .powerLoss) { db in
            let batch = take()
            var ids: [Int64] = []
            ids.reserveCapacity(batch.count)
            for p in batch {
                ids += try Self.writeEvents([p.event], [p.encoded], createdAt: p.createdAt, db)
            }
            return (batch, ids)
        }
    }

    /// Deletes the event with this id; returns whether it existed.
    @discardableResult
    public func deleteEvent(id: Int64) throws(MetricStoreError) -> Bool {
        try write("cannot delete event \(id)") { db in
            try db.execute(sql: "DELETE FROM events WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    // MARK: - Internals

    /// Scope and recurrence as JSON text, encoded before the transaction starts.
    public static func encode(_ events: [Event]) throws(MetricStoreError) -> [(scope: String, recurrence: String?)] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var encoded: [(scope: String, recurrence: String?)] = []
        for event in events {
            do {
                let scope = String(decoding: try encoder.encode(event.scope), as: UTF8.self)
                let recurrence = try event.recurrence.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
                encoded.append((scope, recurrence))
            } catch {
                throw MetricStoreError(.invalidEvent, "cannot encode event \(event.name): \(error)")
            }
        }
        return encoded
    }

    package static func writeEvents(_ events: [Event], _ encoded: [(scope: String, recurrence: String?)], createdAt: Int64,
                            _ db: Database) throws -> [Int64] {
        var ids: [Int64] = []
        let insert = try db.cachedStatement(sql: """
            INSERT INTO events (kind, name, start, "end", recurrence, scope, multiplier, level, note,
                                created_at, active_until)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (event, json) in zip(events, encoded) {
            try insert.execute(arguments: [event.kind.rawValue, event.name, event.start, event.end, json.recurrence,
                                           json.scope, event.multiplier, event.level, event.note, createdAt, event.activeUntil])
            ids.append(db.lastInsertedRowID)
        }
        return ids
    }

    public static func validate(_ event: Event) throws(MetricStoreError) {
        guard !event.name.isEmpty else { throw MetricStoreError(.invalidEvent, "an event name cannot be empty") }
        guard event.end > event.start else {
            throw MetricStoreError(.invalidEvent, "event \(event.name) ends at \(event.end), not after its start \(event.start)")
        }
        guard !event.end.subtractingReportingOverflow(event.start).overflow else {
            throw MetricStoreError(.invalidEvent, "event \(event.name) lasts longer than the 64-bit range")
        }
        if let until = event.recurrence?.until, until < event.start {
            throw MetricStoreError(.invalidEvent, "event \(event.name) recurs until \(until), before its start \(event.start)")
        }
        for (label, value) in [("multiplier", event.multiplier), ("level", event.level)] {
            if let value, !value.isFinite {
                throw MetricStoreError(.invalidEvent, "event \(event.name) has a non-finite \(label)")
            }
        }
    }

    private static func decodeEvent(_ row: Row, _ decoder: JSONDecoder) throws -> StoredEvent {
        try storedEvent(id: row["id"], kind: row["kind"], name: row["name"], start: row["start"], end: row["end"],
                        recurrence: row["recurrence"], scope: row["scope"], multiplier: row["multiplier"],
                        level: row["level"], note: row["note"], createdAt: row["created_at"], decoder)
    }

    /// An event from its stored columns (shared with PostgresStore).
    package static func storedEvent(id: Int64, kind kindText: String, name: String, start: Int64, end: Int64,
                                    recurrence recurrenceText: String?, scope scopeText: String, multiplier: Double?,
                                    level: Double?, note: String?, createdAt: Int64,
                                    _ decoder: JSONDecoder) throws(MetricStoreError) -> StoredEvent {
        guard let kind = Event.Kind(rawValue: kindText) else {
            throw MetricStoreError(.corruptData, "event \(id) has an unknown kind '\(kindText)'")
        }
        let scope: Event.Scope
        let recurrence: Event.Recurrence?
        do {
            scope = try decoder.decode(Event.Scope.self, from: Data(scopeText.utf8))
            recurrence = try recurrenceText.map { try decoder.decode(Event.Recurrence.self, from: Data($0.utf8)) }
        } catch {
            throw MetricStoreError(.corruptData, "event \(id) has an unreadable scope or recurrence: \(error)")
        }
        let event = Event(name: name, kind: kind, start: start, end: end, recurrence: recurrence,
                          scope: scope, multiplier: multiplier, level: level, note: note)
        return StoredEvent(id: id, event: event, createdAt: createdAt)
    }

    package static func matches(_ scope: Event.Scope, _ filter: EventScopeFilter, groupKeys: Set<String>) -> Bool {
        switch filter {
        case .any:
            return true
        case .series(let id, let group):
            return scope.applies(toSeries: id, group: group)
        case .group(let group):
            switch scope {
            case .all: return true
            case .groups(let groups): return groups.contains(group)
            case .series(let ids): return ids.contains(where: groupKeys.contains)
            }
        }
    }
}
