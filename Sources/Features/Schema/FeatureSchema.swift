import TimeSeries

/// The ordered list of feature columns a model was trained with, and everything needed to
/// recompute them: stored in model manifests and used identically at training and scoring time.
///
/// Columns come in this order: Fourier terms (per term, per harmonic: sin then cos), hour of
/// day, day of week, the holiday flag, then one column per event feature.
public struct FeatureSchema: Sendable, Hashable {
    /// Bumped whenever a column's name or meaning changes, so old manifests are refused.
    package static let formatVersion = 1
    /// Positions (Unix seconds or step indices) the schema accepts: about ±31,700 years.
    package static let positionLimit: Range<Int64> = -1_000_000_000_000 ..< 1_000_000_000_000

    package let axis: TimeAxis
    /// Time zone and holidays for local-time columns and for expanding recurring events.
    package let calendar: HolidayCalendar
    package let fourier: [FourierTerm]
    package let hourOfDay: CalendarEncoding?
    package let dayOfWeek: CalendarEncoding?
    /// Whether to add the `holiday` column (1 on local days covered by a calendar holiday).
    package let holidayFlag: Bool
    package let events: [EventFeature]
    /// The column names, in matrix order.
    public let columnNames: [String]

    /// Creates a schema; throws `FeatureError` when parameters are invalid or need a time axis.
    package init(axis: TimeAxis = .time, calendar: HolidayCalendar = .utc, fourier: [FourierTerm] = [],
                hourOfDay: CalendarEncoding? = nil, dayOfWeek: CalendarEncoding? = nil,
                holidayFlag: Bool = false, events: [EventFeature] = []) throws {
        if axis == .index, hourOfDay != nil || dayOfWeek != nil || holidayFlag {
            throw FeatureError(.unsupportedOnIndexAxis,
                               "hour-of-day, day-of-week and holiday columns need a time axis, not step indices")
        }
        for term in fourier {
            guard term.period.isFinite, term.period > 0 else {
                throw FeatureError(.invalidSchema, "Fourier period \(term.period) must be a positive number")
            }
            guard (1...1000).contains(term.harmonics) else {
                throw FeatureError(.invalidSchema, "Fourier harmonics \(term.harmonics) must be 1…1000")
            }
        }
        let maxShift: Int64 = 10_000_000_000
        for feature in events {
            guard (0...maxShift).contains(feature.lead), (0...maxShift).contains(feature.lag) else {
                throw FeatureError(.invalidSchema,
                                   "event feature \"\(feature.name)\": lead and lag must be 0…\(maxShift)")
            }
        }
        self.axis = axis
        self.calendar = calendar
        self.fourier = fourier
        self.hourOfDay = hourOfDay
        self.dayOfWeek = dayOfWeek
        self.holidayFlag = holidayFlag
        self.events = events
        self.columnNames = Self.names(fourier: fourier, hourOfDay: hourOfDay, dayOfWeek: dayOfWeek,
                                      holidayFlag: holidayFlag, events: events)
        var seen = Set<String>()
        for name in columnNames where !seen.insert(name).inserted {
            throw FeatureError(.invalidSchema, "column \"\(name)\" appears twice; give event features distinct names")
        }
    }

    /// The number of columns.
    package var columnCount: Int { columnNames.count }

    private static func names(fourier: [FourierTerm], hourOfDay: CalendarEncoding?, dayOfWeek: CalendarEncoding?,
                              holidayFlag: Bool, events: [EventFeature]) -> [String] {
        var names: [String] = []
        for term in fourier {
            for k in 1...term.harmonics {
                names.append("fourier_\(term.periodLabel)_\(k)_sin")
                names.append("fourier_\(term.periodLabel)_\(k)_cos")
            }
        }
        switch hourOfDay {
        case .oneHot: names += (1..<24).map { "hour_\($0)" }
        case .cyclic: names += ["hour_sin", "hour_cos"]
        case nil: break
        }
        switch dayOfWeek {
        case .oneHot: names += (1..<7).map { "dow_\($0)" }
        case .cyclic: names += ["dow_sin", "dow_cos"]
        case nil: break
        }
        if holidayFlag { names.append("holiday") }
        names += events.map(\.name)
        return names
    }
}

extension FeatureSchema: Codable {
    private enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", axis, calendar, fourier
        case hourOfDay = "hour_of_day", dayOfWeek = "day_of_week", holidayFlag = "holiday", events, columns
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .formatVersion, in: c,
                debugDescription: "feature schema format \(version) is not supported (this build reads \(Self.formatVersion))")
        }
        do {
            try self.init(axis: c.decode(TimeAxis.self, forKey: .axis),
                          calendar: c.decode(HolidayCalendar.self, forKey: .calendar),
                          fourier: c.decode([FourierTerm].self, forKey: .fourier),
                          hourOfDay: c.decodeIfPresent(CalendarEncoding.self, forKey: .hourOfDay),
                          dayOfWeek: c.decodeIfPresent(CalendarEncoding.self, forKey: .dayOfWeek),
                          holidayFlag: c.decode(Bool.self, forKey: .holidayFlag),
                          events: c.decode([EventFeature].self, forKey: .events))
        } catch let error as FeatureError {
            throw DecodingError.dataCorruptedError(forKey: .axis, in: c, debugDescription: error.message)
        }
        let stored = try c.decode([String].self, forKey: .columns)
        guard stored == columnNames else {
            throw DecodingError.dataCorruptedError(
                forKey: .columns, in: c,
                debugDescription: "stored columns \(stored) differ from the columns this build derives \(columnNames)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encode(axis, forKey: .axis)
        try c.encode(calendar, forKey: .calendar)
        try c.encode(fourier, forKey: .fourier)
        try c.encodeIfPresent(hourOfDay, forKey: .hourOfDay)
        try c.encodeIfPresent(dayOfWeek, forKey: .dayOfWeek)
        try c.encode(holidayFlag, forKey: .holidayFlag)
        try c.encode(events, forKey: .events)
        try c.encode(columnNames, forKey: .columns)
    }
}
