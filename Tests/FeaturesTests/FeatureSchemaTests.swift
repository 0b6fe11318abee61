import Foundation
import Testing
import TimeSeries
@testable import Features

@Suite struct FeatureSchemaTests {
    static func fullSchema() throws -> FeatureSchema {
        try FeatureSchema(
            calendar: berlin([Holiday(name: "Christmas", rule: .annual(month: 12, day: 25), durationDays: 2),
                              Holiday(name: "Whit Monday", rule: .nthWeekday(ordinal: -1, weekday: .monday, month: 5))]),
            fourier: [FourierTerm(period: 86_400, harmonics: 1)],
            hourOfDay: .cyclic, dayOfWeek: .oneHot, holidayFlag: true,
            events: [EventFeature(kind: .promotion, lead: 3600, lag: 7200, shape: .ramp),
                     EventFeature(kind: .notice, value: .multiplier)])
    }

    @Test func columnNamesAreStableAndOrdered() throws {
        #expect(try Self.fullSchema().columnNames == [
            "fourier_86400_1_sin", "fourier_86400_1_cos", "hour_sin", "hour_cos",
            "dow_1", "dow_2", "dow_3", "dow_4", "dow_5", "dow_6", "holiday", "promotion_window", "notice_multiplier",
        ])
        let oneHot = try FeatureSchema(hourOfDay: .oneHot, dayOfWeek: .cyclic)
        #expect(oneHot.columnNames == (1...23).map { "hour_\($0)" } + ["dow_sin", "dow_cos"])
    }

    @Test func oneHotDropsTheFirstLevel() throws {
        let schema = try FeatureSchema(calendar: berlin(), hourOfDay: .oneHot, dayOfWeek: .oneHot)
        // Monday 2026-06-01 00:15 Berlin: hour 0 and Monday are the baselines, so every column is 0.
        let monday = try schema.row(at: try unix("2026-06-01T00:15:00+02:00"), seriesID: "s", group: nil, events: [])
        #expect(monday == [Double](repeating: 0, count: 29))
        // Wednesday 2026-06-03 14:59 Berlin: hour_14 (index 13) and dow_2 (index 23 + 1).
        let wednesday = try schema.row(at: try unix("2026-06-03T14:59:00+02:00"), seriesID: "s", group: nil, events: [])
        var expected = [Double](repeating: 0, count: 29)
        expected[13] = 1
        expected[24] = 1
        #expect(wednesday == expected)
    }

    @Test func cyclicEncodingValues() throws {
        let schema = try FeatureSchema(calendar: berlin(), hourOfDay: .cyclic, dayOfWeek: .cyclic)
        // Thursday 2026-06-04 18:00 local: time of day ¾ → (sin, cos) = (−1, 0); weekday 3 → angle 6π/7.
        let r = try schema.row(at: try unix("2026-06-04T18:00:00+02:00"), seriesID: "s", group: nil, events: [])
        #expect(abs(r[0] + 1) < 1e-12)
        #expect(abs(r[1]) < 1e-12)
        #expect(abs(r[2] - sin(6 * .pi / 7)) < 1e-12)
        #expect(abs(r[3] - cos(6 * .pi / 7)) < 1e-12)
    }

    @Test func holidayColumnFollowsTheCalendar() throws {
        let schema = try Self.fullSchema()
        let h = try #require(schema.columnNames.firstIndex(of: "holiday"))
        func flag(_ iso: String) throws -> Double { try schema.row(at: try unix(iso), seriesID: "s", group: nil, events: [])[h] }
        #expect(try flag("2026-12-25T10:00:00+01:00") == 1)
        #expect(try flag("2026-12-26T23:59:00+01:00") == 1)   // two-day holiday
        #expect(try flag("2026-12-27T00:00:00+01:00") == 0)
        #expect(try flag("2026-05-25T12:00:00+02:00") == 1)
        #expect(try flag("2026-05-24T23:30:00Z") == 1)        // already 01:30 on the 25th in Berlin
    }

    @Test func invalidSchemasAreRejected() throws {
        func code(_ make: () throws -> FeatureSchema) -> FeatureError.Code? {
            do { _ = try make(); return nil } catch let e as FeatureError { return e.code } catch { return nil }
        }
        #expect(code { try FeatureSchema(axis: .index, hourOfDay: .cyclic) } == .unsupportedOnIndexAxis)
        #expect(code { try FeatureSchema(axis: .index, holidayFlag: true) } == .unsupportedOnIndexAxis)
        #expect(code { try FeatureSchema(fourier: [FourierTerm(period: 0, harmonics: 1)]) } == .invalidSchema)
        #expect(code { try FeatureSchema(fourier: [FourierTerm(period: .nan, harmonics: 1)]) } == .invalidSchema)
        #expect(code { try FeatureSchema(fourier: [FourierTerm(period: 24, harmonics: 0)]) } == .invalidSchema)
        #expect(code { try FeatureSchema(events: [EventFeature(kind: .notice, lead: -1)]) } == .invalidSchema)
        #expect(code { try FeatureSchema(events: [EventFeature(kind: .notice), EventFeature(kind: .notice, lag: 60)]) } == .invalidSchema)
        #expect(code { try FeatureSchema(fourier: [FourierTerm(period: 24, harmonics: 1), FourierTerm(period: 24, harmonics: 2)]) } == .invalidSchema)
    }

    @Test func axisMismatchAndRecurrenceOnIndexAxisThrow() throws {
        let timeSchema = try FeatureSchema(fourier: [FourierTerm(period: 86_400, harmonics: 1)])
        #expect(throws: FeatureError.self) {
            try timeSchema.matrix(for: TimeGrid(axis: .index, start: 0, step: 1, count: 3), seriesID: "s", group: nil, events: [])
        }
        let indexSchema = try FeatureSchema(axis: .index, events: [EventFeature(kind: .promotion)])
        let recurring = Event(name: "r", kind: .promotion, start: 0, end: 5, recurrence: .init(period: .daily))
        #expect(throws: FeatureError.self) { try indexSchema.row(at: 2, seriesID: "s", group: nil, events: [recurring]) }
        #expect(throws: FeatureError.self) { try timeSchema.row(at: .max, seriesID: "s", group: nil, events: []) }
        #expect(throws: FeatureError.self) {
            try timeSchema.matrix(for: TimeGrid(axis: .time, start: 0, step: .max / 2, count: 4), seriesID: "s", group: nil, events: [])
        }
    }

    @Test func emptyGridGivesEmptyMatrix() throws {
        let m = try Self.fullSchema().matrix(for: TimeGrid(axis: .time, start: 0, step: 60, count: 0),
                                             seriesID: "s", group: nil, events: [])
        #expect(m.rows == 0 && m.columns == 13 && m.values.isEmpty)
    }

    @Test func jsonRoundTripGivesIdenticalOutput() throws {
        let schema = try Self.fullSchema()
        let data = try JSONEncoder().encode(schema)
        let decoded = try JSONDecoder().decode(FeatureSchema.self, from: data)
        #expect(decoded == schema)
        let s = try unix("2026-11-27T00:00:00+01:00")
        let events = [Event(name: "bf", kind: .promotion, start: s, end: s + 3 * 86_400, recurrence: .init(period: .yearly)),
                      Event(name: "n", kind: .notice, start: s + 3600, end: s + 7200, multiplier: 1.75)]
        let grid = TimeGrid(axis: .time, start: s - 86_400, step: 900, count: 500)
        let a = try schema.matrix(for: grid, seriesID: "s", group: nil, events: events)
        let b = try decoded.matrix(for: grid, seriesID: "s", group: nil, events: events)
        #expect(a.names == b.names)
        #expect(bits(a.values) == bits(b.values))
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"Europe\\/Berlin\"") || json.contains("\"Europe/Berlin\""))
    }

    @Test func decodingRefusesTamperedOrForeignSchemas() throws {
        let data = try JSONEncoder().encode(try Self.fullSchema())
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func decodeFails(_ o: [String: Any]) throws -> Bool {
            let d = try JSONSerialization.data(withJSONObject: o)
            do { _ = try JSONDecoder().decode(FeatureSchema.self, from: d); return false } catch { return true }
        }
        var renamed = object
        renamed["columns"] = ["something", "else"]
        #expect(try decodeFails(renamed))
        var future = object
        future["format_version"] = 99
        #expect(try decodeFails(future))
        var calendar = try #require(object["calendar"] as? [String: Any])
        calendar["time_zone"] = "Mars/Olympus_Mons"
        object["calendar"] = calendar
        #expect(try decodeFails(object))
    }
}
