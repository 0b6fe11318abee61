import Foundation
import Testing
import TimeSeries
@testable import Features

@Suite struct EventWindowTests {
    private let hour: Int64 = 3600

    private func value(_ schema: FeatureSchema, at t: Int64, _ events: [Event],
                       series: String = "a", group: String? = "web", column: Int = 0) throws -> Double {
        try schema.row(at: t, seriesID: series, group: group, events: events)[column]
    }

    @Test func stepWindowEdgesAreExact() throws {
        let s = try unix("2026-06-01T00:00:00Z"), e = s + 6 * hour
        let promo = Event(name: "sale", kind: .promotion, start: s, end: e)
        let schema = try FeatureSchema(events: [EventFeature(kind: .promotion, lead: hour, lag: 2 * hour)])
        #expect(schema.columnNames == ["promotion_window"])
        #expect(try value(schema, at: s - hour - 1, [promo]) == 0)
        #expect(try value(schema, at: s - hour, [promo]) == 1)
        #expect(try value(schema, at: s, [promo]) == 1)
        #expect(try value(schema, at: e - 1, [promo]) == 1)
        #expect(try value(schema, at: e, [promo]) == 1)
        #expect(try value(schema, at: e + 2 * hour - 1, [promo]) == 1)
        #expect(try value(schema, at: e + 2 * hour, [promo]) == 0)
    }

    @Test func withoutLeadOrLagTheWindowIsTheEventItself() throws {
        let s = try unix("2026-06-01T00:00:00Z"), e = s + hour
        let promo = Event(name: "sale", kind: .promotion, start: s, end: e)
        let schema = try FeatureSchema(events: [EventFeature(kind: .promotion)])
        #expect(try value(schema, at: s - 1, [promo]) == 0)
        #expect(try value(schema, at: s, [promo]) == 1)
        #expect(try value(schema, at: e - 1, [promo]) == 1)
        #expect(try value(schema, at: e, [promo]) == 0)
    }

    @Test func rampRisesBeforeAndFallsAfter() throws {
        let s = try unix("2026-06-01T00:00:00Z"), e = s + 6 * hour
        let promo = Event(name: "sale", kind: .promotion, start: s, end: e)
        let schema = try FeatureSchema(events: [EventFeature(kind: .promotion, lead: 4 * hour, lag: 2 * hour, shape: .ramp)])
        let grid = TimeGrid(axis: .time, start: s - 5 * hour, step: hour, count: 14)
        let column = try #require(try schema.matrix(for: grid, seriesID: "a", group: nil, events: [promo])
            .column(named: "promotion_window"))
        // s−5h … s−1h: 0 (outside), 0, ¼, ½, ¾; s … e−1h: 1; e: 1, e+1h: ½, e+2h: 0 (outside).
        #expect(column == [0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1, 1, 0.5, 0])
    }

    @Test func multiplierAndLevelCarryMagnitude() throws {
        let s = try unix("2026-06-01T00:00:00Z")
        let notice = Event(name: "launch", kind: .notice, start: s, end: s + hour, multiplier: 3.0)
        let levelNotice = Event(name: "batch", kind: .notice, start: s, end: s + hour, level: 500)
        let schema = try FeatureSchema(events: [
            EventFeature(kind: .notice, value: .multiplier),
            EventFeature(kind: .notice, value: .level),
            EventFeature(kind: .notice),
        ])
        #expect(schema.columnNames == ["notice_multiplier", "notice_level", "notice_window"])
        #expect(try schema.row(at: s, seriesID: "a", group: nil, events: [notice]) == [2.0, 0, 1])
        #expect(try schema.row(at: s, seriesID: "a", group: nil, events: [levelNotice]) == [0, 500, 1])
        #expect(try schema.row(at: s, seriesID: "a", group: nil, events: [notice, levelNotice]) == [2.0, 500, 1])
        #expect(try schema.row(at: s + hour, seriesID: "a", group: nil, events: [notice, levelNotice]) == [0, 0, 0])
    }

    @Test func overlappingEventsKeepTheLargestMagnitude() throws {
        let s = try unix("2026-06-01T00:00:00Z")
        let up = Event(name: "up", kind: .notice, start: s, end: s + 2 * hour, multiplier: 1.5)
        let down = Event(name: "down", kind: .notice, start: s + hour, end: s + 3 * hour, multiplier: 0.2)
        let schema = try FeatureSchema(events: [EventFeature(kind: .notice, value: .multiplier)])
        #expect(try value(schema, at: s, [up, down]) == 0.5)
        #expect(try value(schema, at: s + hour, [down, up]) == -0.8)   // |−0.8| > |0.5|
        #expect(try value(schema, at: s + 2 * hour, [up, down]) == -0.8)
    }

    @Test func otherKindsDoNotLeakIntoAColumn() throws {
        let s = try unix("2026-06-01T00:00:00Z")
        let holiday = Event(name: "h", kind: .holiday, start: s, end: s + hour)
        let schema = try FeatureSchema(events: [EventFeature(kind: .promotion)])
        #expect(try value(schema, at: s, [holiday]) == 0)
    }

    @Test func scopeFiltersBySeriesAndGroup() throws {
        let s = try unix("2026-06-01T00:00:00Z")
        let web = Event(name: "web sale", kind: .promotion, start: s, end: s + hour, scope: .groups(["web"]))
        let one = Event(name: "one series", kind: .promotion, start: s, end: s + hour, scope: .series(["a"]))
        let schema = try FeatureSchema(events: [EventFeature(kind: .promotion)])
        #expect(try value(schema, at: s, [web], series: "a", group: "web") == 1)
        #expect(try value(schema, at: s, [web], series: "b", group: "db") == 0)
        #expect(try value(schema, at: s, [web], series: "web", group: nil) == 1) // a series without a group is its own
        #expect(try value(schema, at: s, [one], series: "a", group: "db") == 1)
        #expect(try value(schema, at: s, [one], series: "b", group: "web") == 0)
        let grid = TimeGrid(axis: .time, start: s, step: hour, count: 1)
        #expect(try schema.matrix(for: grid, seriesID: "b", group: "db", events: [web, one]).values == [0])
        #expect(try schema.matrix(for: grid, seriesID: "b", group: "web", events: [web, one]).values == [1])
    }

    @Test func weeklyRecurrenceKeepsLocalTimeAcrossDST() throws {
        let calendar = try berlin()
        // Mondays 09:00–17:00 Berlin from 16 March; until the start of 13 April's occurrence.
        let event = Event(name: "standup", kind: .promotion,
                          start: try unix("2026-03-16T09:00:00+01:00"), end: try unix("2026-03-16T17:00:00+01:00"),
                          recurrence: .init(period: .weekly, until: try unix("2026-04-13T09:00:00+02:00")))
        let got = event.occurrences(overlapping: (try unix("2026-03-01T00:00:00Z"))..<(try unix("2026-05-01T00:00:00Z")),
                                    calendar: calendar)
        let expected = try [
            ("2026-03-16T09:00:00+01:00", "2026-03-16T17:00:00+01:00"),
            ("2026-03-23T09:00:00+01:00", "2026-03-23T17:00:00+01:00"),
            ("2026-03-30T09:00:00+02:00", "2026-03-30T17:00:00+02:00"), // after the switch: still 09:00 local
            ("2026-04-06T09:00:00+02:00", "2026-04-06T17:00:00+02:00"),
            ("2026-04-13T09:00:00+02:00", "2026-04-13T17:00:00+02:00"),
        ].map { try unix($0.0)..<unix($0.1) }
        #expect(got == expected)
        // A window that starts mid-series finds only the overlapping occurrences (here the 3rd and the 4th).
        let middle = event.occurrences(overlapping: (try unix("2026-03-30T16:00:00+02:00"))..<(try unix("2026-04-06T10:00:00+02:00")),
                                       calendar: calendar)
        #expect(middle == Array(expected[2...3]))
    }

    @Test func weeklyRecurrenceInUTCIsAPlainSevenDayStride() throws {
        let s = try unix("2026-01-05T10:00:00Z")
        let event = Event(name: "w", kind: .promotion, start: s, end: s + hour, recurrence: .init(period: .weekly))
        let got = event.occurrences(overlapping: s..<(s + 21 * 86_400))
        #expect(got == [s..<(s + hour), (s + 604_800)..<(s + 604_800 + hour), (s + 1_209_600)..<(s + 1_209_600 + hour)])
    }

    @Test func monthlyAndYearlyRecurrenceClampTheDay() throws {
        let s = try unix("2026-01-31T12:00:00Z")
        let monthly = Event(name: "m", kind: .promotion, start: s, end: s + hour, recurrence: .init(period: .monthly))
        let starts = monthly.occurrences(overlapping: s..<(try unix("2026-05-01T00:00:00Z"))).map(\.lowerBound)
        #expect(starts == [s, try unix("2026-02-28T12:00:00Z"), try unix("2026-03-31T12:00:00Z"), try unix("2026-04-30T12:00:00Z")])

        let leap = try unix("2028-02-29T00:00:00Z")
        let yearly = Event(name: "y", kind: .promotion, start: leap, end: leap + 86_400, recurrence: .init(period: .yearly))
        let yearlyStarts = yearly.occurrences(overlapping: (try unix("2029-01-01T00:00:00Z"))..<(try unix("2033-01-01T00:00:00Z")))
            .map(\.lowerBound)
        #expect(yearlyStarts == [try unix("2029-02-28T00:00:00Z"), try unix("2030-02-28T00:00:00Z"),
                                 try unix("2031-02-28T00:00:00Z"), try unix("2032-02-29T00:00:00Z")])
    }

    @Test func dailyRecurrenceFarFromItsStartIsFound() throws {
        let s = try unix("2020-01-01T08:00:00Z")
        let daily = Event(name: "d", kind: .promotion, start: s, end: s + hour, recurrence: .init(period: .daily))
        let day = try unix("2026-06-10T00:00:00Z")
        #expect(daily.occurrences(overlapping: day..<(day + 86_400)) == [(day + 8 * hour)..<(day + 9 * hour)])
    }

    @Test func emptyOrInvertedEventsHaveNoOccurrences() {
        let inverted = Event(name: "x", kind: .promotion, start: 100, end: 50)
        #expect(inverted.occurrences(overlapping: 0..<1_000).isEmpty)
        let absurd = Event(name: "x", kind: .promotion, start: .min, end: .max, recurrence: .init(period: .daily))
        #expect(absurd.occurrences(overlapping: 0..<1_000).isEmpty)
    }
}
