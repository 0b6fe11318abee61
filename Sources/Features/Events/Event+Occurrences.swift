import TimeSeries

extension Event {
    /// The occurrences of this event (each `start..<end`) that overlap `range`, in time order.
    ///
    /// Recurrences repeat in the calendar's *local wall-clock time*: a weekly event from 09:00 to
    /// 17:00 stays 09:00–17:00 local across daylight-saving switches. Monthly and yearly repeats
    /// keep the day of month, clamped to the month's length (Jan 31 → Feb 28, Feb 29 → Feb 28).
    /// An occurrence is included when it starts no later than `recurrence.until`. Events whose
    /// end is not after their start, or that lie beyond `FeatureSchema.positionLimit`,
    /// have no occurrences.
    package func occurrences(overlapping range: Range<Int64>, calendar: HolidayCalendar = .utc) -> [Range<Int64>] {
        guard end > start, !range.isEmpty,
              FeatureSchema.positionLimit.contains(start), FeatureSchema.positionLimit.contains(end) else { return [] }
        let range = max(range.lowerBound, FeatureSchema.positionLimit.lowerBound)
            ..< min(range.upperBound, FeatureSchema.positionLimit.upperBound)
        guard !range.isEmpty else { return [] }
        guard let recurrence else {
            return start < range.upperBound && end > range.lowerBound ? [start..<end] : []
        }
        let localStart = calendar.localSeconds(at: start)
        let localLength = calendar.localSeconds(at: end) - localStart
        let (startDay, timeOfDay) = Timestamp.floorDivMod(localStart, 86_400)
        let (year, month, day) = Timestamp.civilFromDays(startDay)

        // Every offset shift is under two days, so this slack never skips an overlapping occurrence.
        let slack: Int64 = 2 * 86_400
        let duration = end - start
        let first: Int64, stride: Int64
        switch recurrence.period {
        case .daily, .weekly:
            stride = recurrence.period == .daily ? 86_400 : 604_800
            first = max(0, Timestamp.floorDivMod(range.lowerBound - duration - slack - start, stride).0)
        case .monthly, .yearly:
            stride = recurrence.period == .monthly ? 1 : 12
            // n months span at most 31·n days, so every occurrence before `first` ends before the range.
            let monthsBefore = Timestamp.floorDivMod(range.lowerBound - duration - slack - start, 31 * 86_400).0
            first = max(0, (monthsBefore / stride) - 1)
        }

        func occurrence(_ n: Int64) -> Range<Int64> {
            if n == 0 { return start..<end }
            let local: Int64
            switch recurrence.period {
            case .daily, .weekly:
                local = localStart + n * stride
            case .monthly, .yearly:
                let (y, m, d) = Civil.adding(months: n * stride, toYear: year, month: month, day: day)
                local = Civil.days(year: y, month: m, day: d) * 86_400 + timeOfDay
            }
            let s = calendar.unixSeconds(fromLocal: local)
            let e = calendar.unixSeconds(fromLocal: local + localLength)
            return s..<max(e, s + 1)
        }

        var result: [Range<Int64>] = []
        var n = first
        // The cap only guards against absurd ranges (a daily event over millions of years).
        while n - first < 10_000_000 {
            let o = occurrence(n)
            if let until = recurrence.until, o.lowerBound > until { break }
            if o.lowerBound >= range.upperBound + slack { break }
            if o.lowerBound < range.upperBound, o.upperBound > range.lowerBound { result.append(o) }
            n += 1
        }
        return result
    }
}
