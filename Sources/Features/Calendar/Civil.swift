import TimeSeries

/// Proleptic Gregorian date arithmetic on day counts since 1970-01-01.
enum Civil {
    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Whether year-month-day names a real date (years limited to keep arithmetic far from overflow).
    static func isValid(year: Int64, month: Int64, day: Int64) -> Bool {
        (-100_000...100_000).contains(year) && (1...12).contains(month)
            && day >= 1 && day <= daysInMonth(year: year, month: month)
    }

    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        Timestamp.daysFromCivil(year: Int(year), month: Int(month), day: Int(day))
    }

    /// ISO weekday of a day count: 0 = Monday … 6 = Sunday.
    static func weekday(days: Int64) -> Int {
        Int(Timestamp.floorDivMod(days + 3, 7).1) // 1970-01-01 was a Thursday
    }

    /// The date `months` calendar months after the given one, its day clamped to the month's length.
    static func adding(months: Int64, toYear year: Int64, month: Int64, day: Int64) -> (Int64, Int64, Int64) {
        let (yearShift, zeroBasedMonth) = Timestamp.floorDivMod(month - 1 + months, 12)
        let y = year + yearShift
        let m = zeroBasedMonth + 1
        return (y, m, min(day, daysInMonth(year: y, month: m)))
    }
}
