import TimeSeries
import TOMLKit

/// Typed access to one TOML table, producing errors that name the file and the entry.
struct EntryReader {
    let file: String
    let entry: String?
    let table: TOMLTable
    /// The entry's `name`, once known, so errors read `holiday[2] "Thanksgiving"`.
    var name: String?

    init(file: String, entry: String?, table: TOMLTable) {
        self.file = file
        self.entry = entry
        self.table = table
    }

    func error(_ code: CalendarFileError.Code, _ message: String) -> CalendarFileError {
        let label = entry.map { e in name.map { "\(e) \"\($0)\"" } ?? e }
        return CalendarFileError(code, file: file, entry: label, message)
    }

    func rejectUnknownKeys(allowed: [String]) throws {
        for key in table.keys.sorted() where !allowed.contains(key) {
            throw error(.unknownKey, "unknown key \"\(key)\" (expected one of: \(allowed.joined(separator: ", ")))")
        }
    }

    func string(_ key: String) throws -> String? {
        guard let value = table[key] else { return nil }
        guard let s = value.string else { throw error(.wrongType, "\"\(key)\" must be a string") }
        return s
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw error(.missingKey, "\"\(key)\" is required") }
        return s
    }

    func int(_ key: String) throws -> Int? {
        guard let value = table[key] else { return nil }
        guard value.type == .int, let i = value.int else { throw error(.wrongType, "\"\(key)\" must be an integer") }
        return i
    }

    func number(_ key: String) throws -> Double? {
        guard let value = table[key] else { return nil }
        switch value.type {
        case .double: if let d = value.double { return d }
        case .int: if let i = value.int { return Double(i) }
        default: break
        }
        throw error(.wrongType, "\"\(key)\" must be a number")
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = table[key] else { return nil }
        guard let array = value.array else { throw error(.wrongType, "\"\(key)\" must be an array of strings") }
        return try array.map { element in
            guard let s = element.string else { throw error(.wrongType, "\"\(key)\" must be an array of strings") }
            return s
        }
    }

    /// The `[[key]]` tables, or none when the key is absent.
    func tables(_ key: String) throws -> [TOMLTable] {
        guard let value = table[key] else { return [] }
        guard let array = value.array else { throw error(.wrongType, "\"\(key)\" must be written as [[\(key)]] tables") }
        return try array.map { element in
            guard let t = element.table else { throw error(.wrongType, "\"\(key)\" must be written as [[\(key)]] tables") }
            return t
        }
    }

    /// An instant from a TOML date-time/date or an ISO 8601 string; without an offset it is local
    /// time in the calendar's zone.
    func instant(_ key: String, calendar: HolidayCalendar) throws -> Int64? {
        guard let value = table[key] else { return nil }
        if let dt = value.dateTime {
            let local = Civil.days(year: Int64(dt.date.year), month: Int64(dt.date.month), day: Int64(dt.date.day)) * 86_400
                + Int64(dt.time.hour * 3600 + dt.time.minute * 60 + dt.time.second)
            if let offset = dt.offset { return local - Int64(offset.offset) * 60 }
            return calendar.unixSeconds(fromLocal: local)
        }
        if let d = value.date {
            return calendar.unixSeconds(fromLocal: Civil.days(year: Int64(d.year), month: Int64(d.month), day: Int64(d.day)) * 86_400)
        }
        guard let text = value.string else {
            throw error(.wrongType, "\"\(key)\" must be a date-time (TOML or an ISO 8601 string)")
        }
        guard let parsed = Timestamp.parse(text) else {
            throw error(.badDate, "\(key) \"\(text)\" is not an ISO 8601 date or date-time (YYYY-MM-DD[THH:MM[:SS]][Z|±HH:MM])")
        }
        switch parsed.zone {
        case .offset: return parsed.seconds
        case .unspecified: return calendar.unixSeconds(fromLocal: parsed.seconds)
        }
    }
}
