import Foundation
import Testing
import TimeSeries
@testable import Features

/// The key contract: a row of the training matrix equals, bit for bit, the row the scoring path
/// computes for the same position alone.
@Suite struct TrainScoreParityTests {
    private func assertParity(_ schema: FeatureSchema, _ grid: TimeGrid, series: String = "a", group: String? = "web",
                              events: [Event], minimumEventRows: Int) throws {
        let m = try schema.matrix(for: grid, seriesID: series, group: group, events: events)
        #expect(m.rows == grid.count && m.columns == schema.columnCount && m.names == schema.columnNames)
        var mismatches = 0
        for i in 0..<grid.count {
            let row = try schema.row(at: grid.position(at: i), seriesID: series, group: group, events: events)
            if bits(row) != bits(m.row(i)) {
                mismatches += 1
                if mismatches <= 3 { Issue.record("row \(i) at \(grid.position(at: i)): \(row) vs \(Array(m.row(i)))") }
            }
        }
        #expect(mismatches == 0)
        // Guard against a vacuous pass: the event columns must actually be switched on somewhere.
        let firstEvent = schema.columnCount - schema.events.count
        let rowsWithEvents = (0..<m.rows).filter { r in (firstEvent..<m.columns).contains { m[r, $0] != 0 } }.count
        #expect(rowsWithEvents >= minimumEventRows)
    }

    private func events(calendar: HolidayCalendar, around t: Int64) -> [Event] {
        let hour: Int64 = 3600
        return [
            // Started before the grid, still running at its start.
            Event(name: "long sale", kind: .promotion, start: t - 30 * hour, end: t + 5 * hour, scope: .groups(["web"])),
            // Recurs daily through the grid, partly in the lead window before it.
            Event(name: "nightly batch", kind: .notice, start: t - 50 * hour, end: t - 48 * hour,
                  recurrence: .init(period: .daily, until: t + 100 * hour), multiplier: 2.5),
            Event(name: "weekly", kind: .promotion, start: t - 8 * 24 * hour + 1800, end: t - 8 * 24 * hour + 9000,
                  recurrence: .init(period: .weekly)),
            // Ends after the grid.
            Event(name: "launch", kind: .notice, start: t + 150 * hour, end: t + 400 * hour, level: 900),
            // Not for this series: must stay off.
            Event(name: "db only", kind: .promotion, start: t, end: t + 500 * hour, scope: .groups(["db"])),
        ]
    }

    private func schema(_ calendar: HolidayCalendar, hour: CalendarEncoding, dow: CalendarEncoding) throws -> FeatureSchema {
        try FeatureSchema(
            calendar: calendar,
            fourier: [FourierTerm(period: 86_400, harmonics: 3), FourierTerm(period: 604_800, harmonics: 2),
                      FourierTerm(period: 31_557_600, harmonics: 1)],
            hourOfDay: hour, dayOfWeek: dow, holidayFlag: true,
            events: [EventFeature(kind: .promotion, lead: 5400, lag: 3600, shape: .ramp),
                     EventFeature(kind: .promotion, lead: 900, name: "promotion_step"),
                     EventFeature(kind: .notice, value: .multiplier, lead: 7200, lag: 1800),
                     EventFeature(kind: .notice, value: .level, lag: 3600, shape: .ramp)])
    }

    @Test func berlinSpringForwardHourly() throws {
        let c = try berlin([Holiday(name: "Easter Monday 2026", rule: .date(year: 2026, month: 4, day: 6))])
        let start = try unix("2026-03-26T00:00:00Z")
        let grid = TimeGrid(axis: .time, start: start, step: 3600, count: 24 * 14)
        try assertParity(schema(c, hour: .cyclic, dow: .oneHot), grid, events: events(calendar: c, around: start),
                         minimumEventRows: 50)
    }

    @Test func berlinFallBackFiveMinutes() throws {
        let c = try berlin([Holiday(name: "Reformation", rule: .annual(month: 10, day: 31))])
        let start = try unix("2026-10-24T13:05:00Z")
        let grid = TimeGrid(axis: .time, start: start, step: 300, count: 12 * 24 * 8)
        try assertParity(schema(c, hour: .oneHot, dow: .cyclic), grid, events: events(calendar: c, around: start),
                         minimumEventRows: 500)
    }

    @Test func newYorkBothSwitchesQuarterHourly() throws {
        let c = try newYork([Holiday(name: "Thanksgiving", rule: .nthWeekday(ordinal: 4, weekday: .thursday, month: 11))])
        for iso in ["2026-03-06T17:00:00Z", "2026-10-30T09:45:00Z"] {
            let start = try unix(iso)
            let grid = TimeGrid(axis: .time, start: start, step: 900, count: 4 * 24 * 6)
            // 4 nightly notices × 4.5 h + the running sale's 6 h = 24 h of 15-minute rows.
            try assertParity(schema(c, hour: .oneHot, dow: .oneHot), grid, events: events(calendar: c, around: start),
                             minimumEventRows: 96)
        }
    }

    @Test func irregularStepNotDividingTheHour() throws {
        let c = try berlin()
        let start = try unix("2026-03-28T22:17:13Z")
        let grid = TimeGrid(axis: .time, start: start, step: 1337, count: 1000)
        try assertParity(schema(c, hour: .cyclic, dow: .cyclic), grid, events: events(calendar: c, around: start),
                         minimumEventRows: 100)
    }

    @Test func indexAxis() throws {
        let schema = try FeatureSchema(axis: .index,
                                       fourier: [FourierTerm(period: 24, harmonics: 2), FourierTerm(period: 7.5, harmonics: 1)],
                                       events: [EventFeature(kind: .promotion, lead: 3, lag: 2, shape: .ramp),
                                                EventFeature(kind: .notice, value: .multiplier, lag: 4)])
        let events = [
            Event(name: "p1", kind: .promotion, start: -5, end: 12),          // overlaps the grid start
            Event(name: "p2", kind: .promotion, start: 40, end: 45),
            Event(name: "p3", kind: .promotion, start: 95, end: 130),         // overlaps the grid end
            Event(name: "n1", kind: .notice, start: 20, end: 30, multiplier: 0.5),
            Event(name: "n2", kind: .notice, start: 25, end: 60, multiplier: 4),
        ]
        for start in [Int64(0), 7, -20] {
            try assertParity(schema, TimeGrid(axis: .index, start: start, step: 1, count: 110), events: events,
                             minimumEventRows: 40)
        }
        try assertParity(schema, TimeGrid(axis: .index, start: 3, step: 4, count: 30), events: events, minimumEventRows: 10)
    }

    @Test func overlappingGridsAgreeWhereTheyOverlap() throws {
        let c = try berlin()
        let s = try schema(c, hour: .cyclic, dow: .oneHot)
        let start = try unix("2026-03-27T00:00:00Z")
        let ev = events(calendar: c, around: start)
        let long = try s.matrix(for: TimeGrid(axis: .time, start: start, step: 600, count: 1000), seriesID: "a", group: "web", events: ev)
        let short = try s.matrix(for: TimeGrid(axis: .time, start: start + 600 * 333, step: 600, count: 400),
                                 seriesID: "a", group: "web", events: ev)
        for i in 0..<400 { #expect(bits(short.row(i)) == bits(long.row(333 + i))) }
    }
}
