/// A named window of time that may change demand: a holiday, a promotion, a developer's notice.
///
/// The same value is read from calendar files, stored by the MetricStore, posted to the
/// actuator's API and turned into model features by `Features`.
public struct Event: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case holiday, promotion, notice, calendar
    }

    /// Which series an event applies to.
    public enum Scope: Sendable, Hashable, Codable {
        case all
        case series([String])
        case groups([String])

        /// Whether the event applies to a series with this id and group.
        public func applies(toSeries id: String, group: String?) -> Bool {
            switch self {
            case .all: return true
            case .series(let ids): return ids.contains(id)
            case .groups(let groups): return groups.contains(group ?? id)
            }
        }
    }

    /// How an event repeats; occurrences start every `period` after `start` until `until`.
    public struct Recurrence: Sendable, Hashable, Codable {
        public enum Period: String, Sendable, Hashable, Codable { case daily, weekly, monthly, yearly }
        public var period: Period
        /// Unix seconds after which no occurrence starts; nil repeats forever.
        public var until: Int64?
        public init(period: Period, until: Int64? = nil) {
            self.period = period
            self.until = until
        }
    }

    public var name: String
    public var kind: Kind
    /// Unix seconds (UTC), inclusive.
    public var start: Int64
    /// Unix seconds (UTC), exclusive.
    public var end: Int64
    public var recurrence: Recurrence?
    public var scope: Scope
    /// Expected load relative to normal (1.5 = 50 % more), when given.
    public var multiplier: Double?
    /// Expected absolute load level, when given.
    public var level: Double?
    public var note: String?

    public init(name: String, kind: Kind, start: Int64, end: Int64, recurrence: Recurrence? = nil,
                scope: Scope = .all, multiplier: Double? = nil, level: Double? = nil, note: String? = nil) {
        self.name = name
        self.kind = kind
        self.start = start
        self.end = end
        self.recurrence = recurrence
        self.scope = scope
        self.multiplier = multiplier
        self.level = level
        self.note = note
    }
}
