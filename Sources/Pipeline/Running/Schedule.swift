import Foundation

/// `--every 6h`: runs at wall-clock multiples of the interval since the Unix epoch (00:00,
/// 06:00, 12:00, 18:00 UTC for 6h), so that several machines or a restarted process agree on the slots.
package struct Schedule: Sendable, Hashable {
    /// Interval in seconds, at least 60.
    package let interval: Int64

    package init(interval: Int64) { self.interval = max(60, interval) }

    /// Parses `30m`, `6h`, `1d`, `90s` (at least one minute), or nil.
    package init?(_ text: String) {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last, let scale = units[unit], let n = Int64(text.dropLast()), n >= 1 else { return nil }
        let (seconds, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow, seconds >= 60 else { return nil }
        self.init(interval: seconds)
    }

    /// The first slot strictly after `date`.
    package func nextSlot(after date: Date) -> Date {
        let now = Int64(date.timeIntervalSince1970.rounded(.down))
        let next = (now / interval + 1) * interval
        return Date(timeIntervalSince1970: TimeInterval(next))
    }
}
