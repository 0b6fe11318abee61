import Foundation
import TimeSeries

extension FeatureSchema {
    /// The feature matrix over every position of `grid` (the training path).
    ///
    /// Events are expanded once for the whole grid and swept in time order, so the cost is
    /// proportional to rows × columns plus the number of occurrences. Row `i` is bit-identical to
    /// `row(at: grid.position(at: i), …)`.
    public func matrix(for grid: TimeGrid, seriesID: String, group: String?, events: [Event]) throws -> FeatureMatrix {
        guard grid.axis == axis else {
            throw FeatureError(.axisMismatch, "the grid's axis is \(grid.axis.rawValue) but the schema was built for \(axis.rawValue)")
        }
        let columns = columnCount
        guard grid.count > 0 else { return FeatureMatrix(rows: 0, columns: columns, names: columnNames, values: []) }
        let (span, spanOverflow) = grid.step.multipliedReportingOverflow(by: Int64(grid.count - 1))
        let (last, lastOverflow) = grid.start.addingReportingOverflow(span)
        guard !spanOverflow, !lastOverflow, Self.positionLimit.contains(grid.start), Self.positionLimit.contains(last) else {
            throw FeatureError(.invalidSchema, "grid positions \(grid.start)…\(last) lie outside \(Self.positionLimit)")
        }
        let (size, sizeOverflow) = grid.count.multipliedReportingOverflow(by: columns)
        guard !sizeOverflow else { throw FeatureError(.invalidSchema, "a \(grid.count) × \(columns) matrix is too large") }

        var pending = try windows(for: events, seriesID: seriesID, group: group, from: grid.start, through: last)
        pending.sort { $0.windowStart < $1.windowStart }
        var writer = RowWriter(schema: self)
        var active: [EventWindow] = []
        var next = 0
        var values = [Double](repeating: 0, count: size)
        values.withUnsafeMutableBufferPointer { out in
            for i in 0..<grid.count {
                let t = grid.start + Int64(i) * grid.step
                while next < pending.count, pending[next].windowStart <= t {
                    active.append(pending[next])
                    next += 1
                }
                active.removeAll { $0.windowEnd <= t }
                writer.write(at: t, windows: active, into: out, base: i * columns)
            }
        }
        return FeatureMatrix(rows: grid.count, columns: columns, names: columnNames, values: values)
    }

    /// The feature row for one position (the scoring path): Unix seconds or a step index.
    package func row(at position: Int64, seriesID: String, group: String?, events: [Event]) throws -> [Double] {
        guard Self.positionLimit.contains(position) else {
            throw FeatureError(.invalidSchema, "position \(position) lies outside \(Self.positionLimit)")
        }
        let nearby = try windows(for: events, seriesID: seriesID, group: group, from: position, through: position)
        var writer = RowWriter(schema: self)
        var row = [Double](repeating: 0, count: columnCount)
        row.withUnsafeMutableBufferPointer { out in
            writer.write(at: position, windows: nearby, into: out, base: 0)
        }
        return row
    }

    /// The windows of every occurrence that applies to this series and touches `first…last`.
    private func windows(for events: [Event], seriesID: String, group: String?,
                         from first: Int64, through last: Int64) throws -> [EventWindow] {
        guard !self.events.isEmpty else { return [] }
        var result: [EventWindow] = []
        for event in events where event.scope.applies(toSeries: seriesID, group: group) {
            let features = self.events.indices.filter { self.events[$0].kind == event.kind }
            guard !features.isEmpty else { continue }
            if axis == .index, event.recurrence != nil {
                throw FeatureError(.unsupportedOnIndexAxis,
                                   "event \"\(event.name)\" recurs, but daily/weekly/monthly/yearly repeats need a time axis")
            }
            let maxLead = features.map { self.events[$0].lead }.max() ?? 0
            let maxLag = features.map { self.events[$0].lag }.max() ?? 0
            let occurrences = event.occurrences(overlapping: (first - maxLag)..<(last + maxLead + 1), calendar: calendar)
            for column in features {
                let feature = self.events[column]
                guard let magnitude = feature.magnitude(of: event) else { continue }
                for o in occurrences {
                    let w = EventWindow(column: column, windowStart: o.lowerBound - feature.lead, start: o.lowerBound,
                                        end: o.upperBound, windowEnd: o.upperBound + feature.lag,
                                        magnitude: magnitude, ramp: feature.shape == .ramp)
                    if w.windowStart <= last, w.windowEnd > first { result.append(w) }
                }
            }
        }
        return result
    }
}

/// One occurrence's window for one event column.
struct EventWindow: Sendable {
    var column: Int
    var windowStart: Int64
    var start: Int64
    var end: Int64
    var windowEnd: Int64
    var magnitude: Double
    var ramp: Bool

    /// The value at `t`, or nil outside the window.
    @inline(__always)
    func value(at t: Int64) -> Double? {
        guard t >= windowStart, t < windowEnd else { return nil }
        if t < start {
            return ramp ? magnitude * Double(t - windowStart) / Double(start - windowStart) : magnitude
        }
        if t < end { return magnitude }
        return ramp ? magnitude * Double(windowEnd - t) / Double(windowEnd - end) : magnitude
    }
}

/// Writes one row; shared by both paths so that they cannot drift apart.
struct RowWriter {
    let schema: FeatureSchema
    private var cachedDay: Int64 = .min
    private var cachedHoliday = false
    private let eventBase: Int

    init(schema: FeatureSchema) {
        self.schema = schema
        self.eventBase = schema.columnCount - schema.events.count
    }

    mutating func write(at t: Int64, windows: [EventWindow], into out: UnsafeMutableBufferPointer<Double>, base: Int) {
        var c = base
        for term in schema.fourier {
            for k in 1...term.harmonics {
                let angle = FourierTerm.angle(harmonic: k, position: t, period: term.period)
                out[c] = sin(angle)
                out[c + 1] = cos(angle)
                c += 2
            }
        }
        if schema.hourOfDay != nil || schema.dayOfWeek != nil || schema.holidayFlag {
            let (day, secondOfDay) = Timestamp.floorDivMod(schema.calendar.localSeconds(at: t), 86_400)
            switch schema.hourOfDay {
            case .oneHot:
                let hour = Int(secondOfDay / 3600)
                for h in 1..<24 { out[c + h - 1] = h == hour ? 1 : 0 }
                c += 23
            case .cyclic:
                let angle = 2 * Double.pi * Double(secondOfDay) / 86_400
                out[c] = sin(angle)
                out[c + 1] = cos(angle)
                c += 2
            case nil: break
            }
            let weekday = Civil.weekday(days: day)
            switch schema.dayOfWeek {
            case .oneHot:
                for d in 1..<7 { out[c + d - 1] = d == weekday ? 1 : 0 }
                c += 6
            case .cyclic:
                let angle = 2 * Double.pi * Double(weekday) / 7
                out[c] = sin(angle)
                out[c + 1] = cos(angle)
                c += 2
            case nil: break
            }
            if schema.holidayFlag {
                if day != cachedDay {
                    cachedDay = day
                    cachedHoliday = schema.calendar.isHoliday(localDay: day)
                }
                out[c] = cachedHoliday ? 1 : 0
                c += 1
            }
        }
        for column in 0..<schema.events.count { out[base + eventBase + column] = 0 }
        // Overlapping windows keep the value of largest magnitude (ties: the larger), a choice
        // independent of window order, so both paths agree whatever order they hold windows in.
        for w in windows {
            guard let v = w.value(at: t) else { continue }
            let slot = base + eventBase + w.column
            let current = out[slot]
            if abs(v) > abs(current) || (abs(v) == abs(current) && v > current) { out[slot] = v }
        }
    }
}
