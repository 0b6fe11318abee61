import TimeSeries

extension Event {
    /// Whether some occurrence `[s, s + (end - start))` of the event meets `window`.
    ///
    /// Occurrence k of a daily or weekly event starts k days or weeks after `start`; of a monthly
    /// or yearly event, k months or years later on the same day of month and time of day, clamped
    /// to the month's last day (Jan 31 → Feb 28 → Mar 31). No occurrence starts after `until`.
    func occurs(in window: Range<Int64>) -> Bool {
        guard !window.isEmpty else { return false }
        let (duration, overflow) = end.subtractingReportingOverflow(start)
        guard let recurrence, !overflow else { return start < window.upperBound && end > window.lowerBound }
        let until = recurrence.until ?? .max
        switch recurrence.period {
        case .daily: return occursEvery(seconds: 86_400, duration: duration, until: until, in: window)
        case .weekly: return occursEvery(seconds: 604_800, duration: duration, until: until, in: window)
        case .monthly: return occursEvery(months: 1, duration: duration, until: until, in: window)
        case .yearly: return occursEvery(months: 12, duration: duration, until: until, in: window)
        }
    }

    /// The end of the last possible occurrence, nil when the event recurs forever.
    var activeUntil: Int64? {
        guard let recurrence else { return end }
        guard let until = recurrence.until else { return nil }
        let (duration, o1) = end.subtractingReportingOverflow(start)
        let (last, o2) = until.addingReportingOverflow(duration)
        return o1 || o2 ? nil : Swift.max(end, last)
    }

    private func occursEvery(seconds period: Int64, duration: Int64, until: Int64, in window: Range<Int64>) -> Bool {
        // First k with start + k·period + duration > lowerBound, i.e. k·period > need.
        var k: Int64 = 0
        if window.lowerBound > start {
            guard let need = Self.distance(from: start, to: window.lowerBound, minus: duration) else { return false }
            if need >= 0 { k = need / period + 1 }
        }
        let (offset, o3) = k.multipliedReportingOverflow(by: period)
        let (s, o4) = start.addingReportingOverflow(offset)
        guard !o3, !o4 else { return false }
        return s < window.upperBound && s <= until
    }

    private func occursEvery(months unit: Int64, duration: Int64, until: Int64, in window: Range<Int64>) -> Bool {
        let (days, secondOfDay) = Timestamp.floorDivMod(start, 86_400)
        let civil = Timestamp.civilFromDays(days)
        let baseMonth = civil.year * 12 + (civil.month - 1)
        // Years beyond ±1 million are outside anything the store schedules; they also keep the
        // civil-date arithmetic far from overflow.
        let limitMonths: Int64 = 12_000_000
        func occurrenceStart(_ k: Int64) -> Int64? {
            let month = baseMonth + k * unit
            guard abs(month) < limitMonths else { return nil }
            let (year, m0) = Timestamp.floorDivMod(month, 12)
            let day = Swift.min(civil.day, Self.daysInMonth(year: year, month: m0 + 1))
            return Timestamp.daysFromCivil(year: Int(year), month: Int(m0 + 1), day: Int(day)) * 86_400 + secondOfDay
        }
        // Months last at most 31 days, so every k below this bound ends before the window.
        var k: Int64 = 0
        if window.lowerBound > start {
            guard let need = Self.distance(from: start, to: window.lowerBound, minus: duration) else { return false }
            if need > 0 { k = need / (31 * 86_400 * unit) }
        }
        guard k < limitMonths else { return false }
        while let s = occurrenceStart(k), s < window.upperBound, s <= until {
            if s + duration > window.lowerBound { return true }
            k += 1
        }
        return false
    }

    /// `to - from - minus` for `to > from`, nil when it overflows (a window absurdly far away).
    private static func distance(from: Int64, to: Int64, minus: Int64) -> Int64? {
        let (d, o1) = to.subtractingReportingOverflow(from)
        let (r, o2) = d.subtractingReportingOverflow(minus)
        return o1 || o2 ? nil : r
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
