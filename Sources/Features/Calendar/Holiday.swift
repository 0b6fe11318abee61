/// A day of the week, ISO 8601 order (Monday first).
package enum Weekday: Int, Sendable, Hashable, Codable, CaseIterable {
    case monday = 0, tuesday, wednesday, thursday, friday, saturday, sunday

    var name: String { String(describing: self) }
}

/// When a holiday falls, in the calendar's local time.
package enum HolidayRule: Sendable, Hashable {
    /// One specific date (`2026-12-25`).
    case date(year: Int, month: Int, day: Int)
    /// The same month and day every year (`12-25`); Feb 29 occurs in leap years only.
    case annual(month: Int, day: Int)
    /// The nth given weekday of a month (`4th thursday of november`); `ordinal` is 1…5, or -1 for the last.
    case nthWeekday(ordinal: Int, weekday: Weekday, month: Int)

    /// The local day number (days since 1970-01-01) on which the holiday starts in `year`, if it occurs.
    func startDay(inYear year: Int64) -> Int64? {
        switch self {
        case let .date(y, m, d):
            guard Int64(y) == year, Civil.isValid(year: year, month: Int64(m), day: Int64(d)) else { return nil }
            return Civil.days(year: year, month: Int64(m), day: Int64(d))
        case let .annual(m, d):
            guard Civil.isValid(year: year, month: Int64(m), day: Int64(d)) else { return nil }
            return Civil.days(year: year, month: Int64(m), day: Int64(d))
        case let .nthWeekday(ordinal, weekday, m):
            guard (1...12).contains(m), (-100_000...100_000).contains(year) else { return nil }
            let month = Int64(m)
            let lastDayOfMonth = Civil.daysInMonth(year: year, month: month)
            if ordinal == -1 {
                let last = Civil.days(year: year, month: month, day: lastDayOfMonth)
                return last - Int64((Civil.weekday(days: last) - weekday.rawValue + 7) % 7)
            }
            guard (1...5).contains(ordinal) else { return nil }
            let first = Civil.days(year: year, month: month, day: 1)
            let firstMatch = first + Int64((weekday.rawValue - Civil.weekday(days: first) + 7) % 7)
            let nth = firstMatch + 7 * Int64(ordinal - 1)
            return nth - first < lastDayOfMonth ? nth : nil // a 5th weekday exists in some months only
        }
    }

    /// Checks that the rule can ever occur, so a typo does not silently produce no holiday.
    func validate() throws {
        switch self {
        case let .date(y, m, d):
            guard (1...9999).contains(y), Civil.isValid(year: Int64(y), month: Int64(m), day: Int64(d)) else {
                throw FeatureError(.invalidHoliday, "\(y)-\(m)-\(d) is not a valid date")
            }
        case let .annual(m, d):
            guard Civil.isValid(year: 2000, month: Int64(m), day: Int64(d)) else { // 2000 is a leap year
                throw FeatureError(.invalidHoliday, "month \(m), day \(d) is not a valid date in any year")
            }
        case let .nthWeekday(ordinal, _, m):
            guard (1...12).contains(m) else { throw FeatureError(.invalidHoliday, "month \(m) is not 1…12") }
            guard ordinal == -1 || (1...5).contains(ordinal) else {
                throw FeatureError(.invalidHoliday, "ordinal \(ordinal) is not 1…5 or last (-1)")
            }
        }
    }
}

/// A named holiday: a rule for its first day and how many consecutive local days it lasts.
package struct Holiday: Sendable, Hashable, Codable {
    private enum CodingKeys: String, CodingKey { case name, rule, durationDays = "duration_days" }

    package var name: String
    package var rule: HolidayRule
    /// Consecutive local days covered, starting on the rule's day (1…366).
    package var durationDays: Int

    package init(name: String, rule: HolidayRule, durationDays: Int = 1) {
        self.name = name
        self.rule = rule
        self.durationDays = durationDays
    }

    /// Whether the holiday covers local day `day` (days since 1970-01-01) whose civil year is `year`.
    func covers(day: Int64, year: Int64) -> Bool {
        // A holiday of up to 366 days that started in the previous year may still be running.
        for y in [year, year - 1] {
            if let first = rule.startDay(inYear: y), day >= first, day < first + Int64(durationDays) {
                return true
            }
        }
        return false
    }

    func validate() throws {
        do {
            try rule.validate()
        } catch let error as FeatureError {
            throw FeatureError(error.code, "holiday \"\(name)\": \(error.message)")
        }
        guard (1...366).contains(durationDays) else {
            throw FeatureError(.invalidHoliday, "holiday \"\(name)\": duration \(durationDays) days is not 1…366")
        }
    }
}
