import Foundation
import TimeSeries

/// Holidays and local wall-clock time in one IANA time zone.
///
/// Every local quantity (hour, weekday, holiday) uses the zone's UTC offset *at that instant*,
/// so days with a daylight-saving switch have 23 or 25 hours and are still labelled correctly.
public struct HolidayCalendar: Sendable, Hashable {
    /// The IANA zone name as given (`Europe/Berlin`, `UTC`).
    package let timeZoneIdentifier: String
    package let holidays: [Holiday]
    private let zone: TimeZone

    /// A calendar in UTC with no holidays.
    public static let utc = HolidayCalendar(verifiedIdentifier: "UTC", zone: .gmt, holidays: [])

    /// Creates a calendar; throws `unknownTimeZone` or `invalidHoliday`.
    package init(timeZone identifier: String = "UTC", holidays: [Holiday] = []) throws {
        guard let zone = TimeZone(identifier: identifier) else {
            throw FeatureError(.unknownTimeZone,
                               "unknown time zone \"\(identifier)\" (expected an IANA name such as \"Europe/Berlin\" or \"UTC\")")
        }
        for holiday in holidays { try holiday.validate() }
        self.init(verifiedIdentifier: identifier, zone: zone, holidays: holidays)
    }

    private init(verifiedIdentifier: String, zone: TimeZone, holidays: [Holiday]) {
        self.timeZoneIdentifier = verifiedIdentifier
        self.zone = zone
        self.holidays = holidays
    }

    /// Seconds east of UTC in effect at Unix time `t`.
    package func utcOffset(at t: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(t))))
    }

    /// The local wall-clock time at `t`, written as if it were a UTC Unix time.
    package func localSeconds(at t: Int64) -> Int64 { t + utcOffset(at: t) }

    /// The local calendar date at `t`.
    package func localDate(at t: Int64) -> (year: Int, month: Int, day: Int) {
        let (y, m, d) = Timestamp.civilFromDays(Timestamp.floorDivMod(localSeconds(at: t), 86_400).0)
        return (Int(y), Int(m), Int(d))
    }

    /// The local hour of day at `t`, 0…23.
    package func hourOfDay(at t: Int64) -> Int {
        Int(Timestamp.floorDivMod(localSeconds(at: t), 86_400).1 / 3600)
    }

    /// The local day of week at `t`, 0 = Monday … 6 = Sunday.
    package func dayOfWeek(at t: Int64) -> Int {
        Civil.weekday(days: Timestamp.floorDivMod(localSeconds(at: t), 86_400).0)
    }

    /// Whether the local day containing `t` is covered by any holiday.
    package func isHoliday(at t: Int64) -> Bool {
        isHoliday(localDay: Timestamp.floorDivMod(localSeconds(at: t), 86_400).0)
    }

    /// The holidays covering the local day that contains `t`.
    package func holidays(at t: Int64) -> [Holiday] {
        let day = Timestamp.floorDivMod(localSeconds(at: t), 86_400).0
        let year = Timestamp.civilFromDays(day).year
        return holidays.filter { $0.covers(day: day, year: year) }
    }

    /// Whether local day number `day` (days since 1970-01-01, local) is a holiday.
    func isHoliday(localDay day: Int64) -> Bool {
        guard !holidays.isEmpty else { return false }
        let year = Timestamp.civilFromDays(day).year
        return holidays.contains { $0.covers(day: day, year: year) }
    }

    /// The Unix time at which local wall-clock time `local` (seconds, written as UTC) occurs.
    ///
    /// A wall time repeated when clocks fall back maps to its first occurrence; a wall time skipped
    /// when clocks spring forward maps to the instant the same distance past the switch
    /// (02:30 on a 02:00→03:00 night becomes 03:30), as POSIX `mktime` and Python do.
    package func unixSeconds(fromLocal local: Int64) -> Int64 {
        let before = utcOffset(at: local - 86_400)
        let after = utcOffset(at: local + 86_400)
        if before == after { return local - before }
        let early = local - before, late = local - after
        let earlyValid = utcOffset(at: early) == before
        let lateValid = utcOffset(at: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        case (false, false): return early
        }
    }

    public static func == (a: HolidayCalendar, b: HolidayCalendar) -> Bool {
        a.timeZoneIdentifier == b.timeZoneIdentifier && a.holidays == b.holidays
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timeZoneIdentifier)
        hasher.combine(holidays)
    }
}

extension HolidayCalendar: Codable {
    private enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone", holidays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let identifier = try container.decode(String.self, forKey: .timeZone)
        let holidays = try container.decode([Holiday].self, forKey: .holidays)
        do {
            try self.init(timeZone: identifier, holidays: holidays)
        } catch let error as FeatureError {
            throw DecodingError.dataCorruptedError(forKey: .timeZone, in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(timeZoneIdentifier, forKey: .timeZone)
        try container.encode(holidays, forKey: .holidays)
    }
}
