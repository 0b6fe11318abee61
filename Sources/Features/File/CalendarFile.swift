import Foundation
import PSMConfiguration
import TimeSeries
import TOMLKit

/// The contents of a calendar TOML file: a time zone, holiday rules and events (see docs/calendar.md).
public struct CalendarFile: Sendable, Hashable {
    public var calendar: HolidayCalendar
    public var events: [Event]

    package init(calendar: HolidayCalendar, events: [Event]) {
        self.calendar = calendar
        self.events = events
    }

    /// Reads and parses the file at `path`; throws `CalendarFileError`.
    package static func load(path: String) throws -> CalendarFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CalendarFileError(.unreadableFile, file: path, "cannot read the file as UTF-8 text (\(error.localizedDescription))")
        }
        return try parse(text, fileName: path)
    }

    /// Parses calendar TOML; `fileName` only labels errors. Throws `CalendarFileError`.
    package static func parse(_ text: String, fileName: String) throws -> CalendarFile {
        let root: TOMLTable
        do { root = try TOMLText.parse(text) } catch {
            throw CalendarFileError(.syntax, file: fileName, error.description)
        }
        let reader = EntryReader(file: fileName, entry: nil, table: root)
        try reader.rejectUnknownKeys(allowed: ["time_zone", "holiday", "event"])
        let zone = try reader.string("time_zone") ?? "UTC"
        guard TimeZone(identifier: zone) != nil else {
            throw CalendarFileError(.unknownZone, file: fileName,
                                    "time_zone: unknown time zone \"\(zone)\" (expected an IANA name such as \"Europe/Berlin\")")
        }
        let holidays = try reader.tables("holiday").enumerated().map { i, table in
            try parseHoliday(EntryReader(file: fileName, entry: "holiday[\(i + 1)]", table: table))
        }
        let calendar: HolidayCalendar
        do {
            calendar = try HolidayCalendar(timeZone: zone, holidays: holidays)
        } catch let error as FeatureError {
            throw CalendarFileError(.badValue, file: fileName, error.message) // unreachable: each part was checked
        }
        let events = try reader.tables("event").enumerated().map { i, table in
            try parseEvent(EntryReader(file: fileName, entry: "event[\(i + 1)]", table: table), calendar: calendar)
        }
        return CalendarFile(calendar: calendar, events: events)
    }

    private static func parseHoliday(_ r: EntryReader) throws -> Holiday {
        var r = r
        let name = try r.requiredString("name")
        r.name = name
        try r.rejectUnknownKeys(allowed: ["name", "date", "rule", "duration_days"])
        let days = try r.int("duration_days") ?? 1
        guard (1...366).contains(days) else { throw r.error(.badValue, "duration_days \(days) must be 1…366") }
        let rule: HolidayRule
        switch (r.table["date"], r.table["rule"]) {
        case (nil, nil):
            throw r.error(.missingKey, "give either \"date\" (YYYY-MM-DD or MM-DD) or \"rule\" (e.g. \"4th thursday of november\")")
        case (.some, .some):
            throw r.error(.badValue, "give either \"date\" or \"rule\", not both")
        case (let value?, nil):
            if let date = value.date {
                rule = .date(year: date.year, month: date.month, day: date.day)
            } else if let text = value.string {
                do { rule = try HolidayRule(parsing: text) } catch let error as FeatureError {
                    throw r.error(.badDate, "date: \(error.message)")
                }
                if case .nthWeekday = rule { throw r.error(.badDate, "date \"\(text)\" is a rule; write it as rule = \"\(text)\"") }
            } else {
                throw r.error(.wrongType, "\"date\" must be a string such as \"12-25\" or a TOML date")
            }
        case (nil, let value?):
            guard let text = value.string else { throw r.error(.wrongType, "\"rule\" must be a string") }
            do { rule = try HolidayRule(parsing: text) } catch let error as FeatureError {
                throw r.error(.badRule, "rule: \(error.message)")
            }
        }
        let holiday = Holiday(name: name, rule: rule, durationDays: days)
        do { try holiday.validate() } catch let error as FeatureError { throw r.error(.badDate, error.message) }
        return holiday
    }

    private static func parseEvent(_ r: EntryReader, calendar: HolidayCalendar) throws -> Event {
        var r = r
        let name = try r.requiredString("name")
        r.name = name
        try r.rejectUnknownKeys(allowed: ["name", "kind", "start", "end", "recurrence", "until", "series", "groups",
                                          "multiplier", "level", "note"])
        let kindText = try r.requiredString("kind")
        guard let kind = Event.Kind(rawValue: kindText.lowercased()) else {
            let known = Event.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw r.error(.unknownKind, "unknown kind \"\(kindText)\" (expected one of: \(known))")
        }
        guard let start = try r.instant("start", calendar: calendar) else { throw r.error(.missingKey, "\"start\" is required") }
        guard let end = try r.instant("end", calendar: calendar) else { throw r.error(.missingKey, "\"end\" is required") }
        guard end > start else {
            throw r.error(.endBeforeStart, "end \(Timestamp.format(end)) is not after start \(Timestamp.format(start))")
        }
        var recurrence: Event.Recurrence?
        if let text = try r.string("recurrence") {
            guard let period = Event.Recurrence.Period(rawValue: text.lowercased()) else {
                throw r.error(.badValue, "recurrence \"\(text)\" must be daily, weekly, monthly or yearly")
            }
            let until = try r.instant("until", calendar: calendar)
            if let until, until < start {
                throw r.error(.badValue, "until \(Timestamp.format(until)) is before start \(Timestamp.format(start))")
            }
            recurrence = Event.Recurrence(period: period, until: until)
        } else if r.table["until"] != nil {
            throw r.error(.badValue, "\"until\" needs a \"recurrence\"")
        }
        let scope: Event.Scope
        switch (try r.strings("series"), try r.strings("groups")) {
        case (nil, nil): scope = .all
        case (let ids?, nil): scope = .series(ids)
        case (nil, let groups?): scope = .groups(groups)
        case (.some, .some): throw r.error(.badValue, "give either \"series\" or \"groups\", not both")
        }
        let multiplier = try r.number("multiplier")
        let level = try r.number("level")
        if let multiplier, !(multiplier.isFinite && multiplier >= 0) {
            throw r.error(.badValue, "multiplier \(multiplier) must be a finite number ≥ 0")
        }
        if let level, !(level.isFinite && level >= 0) {
            throw r.error(.badValue, "level \(level) must be a finite number ≥ 0")
        }
        return Event(name: name, kind: kind, start: start, end: end, recurrence: recurrence, scope: scope,
                     multiplier: multiplier, level: level, note: try r.string("note"))
    }
}
