import Foundation
import Testing
import TimeSeries
@testable import Features

@Suite struct HolidayRuleTests {
    @Test func thanksgiving2026IsNovember26() throws {
        let calendar = try newYork([Holiday(name: "Thanksgiving", rule: HolidayRule(parsing: "4th thursday of november"))])
        #expect(calendar.isHoliday(at: try unix("2026-11-26T12:00:00-05:00")))
        #expect(calendar.holidays(at: try unix("2026-11-26T00:00:00-05:00")).map(\.name) == ["Thanksgiving"])
        #expect(!calendar.isHoliday(at: try unix("2026-11-19T12:00:00-05:00")))
        #expect(!calendar.isHoliday(at: try unix("2026-11-27T00:00:00-05:00")))
        // The last minute of the 25th local is not yet the holiday.
        #expect(!calendar.isHoliday(at: try unix("2026-11-25T23:59:59-05:00")))
    }

    @Test func lastMondayOfMay2026IsMay25() throws {
        let rule = try HolidayRule(parsing: "last monday of may")
        #expect(rule == .nthWeekday(ordinal: -1, weekday: .monday, month: 5))
        let may25 = Timestamp.daysFromCivil(year: 2026, month: 5, day: 25)
        #expect(rule.startDay(inYear: 2026) == may25)
        // 2027: May 31 is a Monday, so it is the last one.
        #expect(rule.startDay(inYear: 2027) == Timestamp.daysFromCivil(year: 2027, month: 5, day: 31))
    }

    @Test func fifthWeekdayExistsOnlyInSomeMonths() throws {
        // November 2026 has Thursdays 5, 12, 19, 26 only; October 2026 has five (1 … 29).
        #expect(try HolidayRule(parsing: "5th thursday of november").startDay(inYear: 2026) == nil)
        #expect(try HolidayRule(parsing: "fifth Thu of Oct").startDay(inYear: 2026)
                    == Timestamp.daysFromCivil(year: 2026, month: 10, day: 29))
    }

    @Test func firstWeekdayWhenMonthStartsOnIt() throws {
        // 2026-06-01 is a Monday.
        #expect(try HolidayRule(parsing: "1st monday of june").startDay(inYear: 2026)
                    == Timestamp.daysFromCivil(year: 2026, month: 6, day: 1))
    }

    @Test func parsesDatesAndRejectsNonsense() throws {
        #expect(try HolidayRule(parsing: "2026-12-25") == .date(year: 2026, month: 12, day: 25))
        #expect(try HolidayRule(parsing: "12-25") == .annual(month: 12, day: 25))
        #expect(try HolidayRule(parsing: "02-29") == .annual(month: 2, day: 29))
        for bad in ["2026-02-29", "13-01", "12-32", "4th thursday in november", "6th monday of may",
                    "4th funday of may", "last monday of maytember", "", "+1-25"] {
            #expect(throws: FeatureError.self, "\(bad)") { try HolidayRule(parsing: bad) }
        }
    }

    @Test func leapDayHolidayOccursOnlyInLeapYears() throws {
        let calendar = try HolidayCalendar(holidays: [Holiday(name: "Leap", rule: .annual(month: 2, day: 29))])
        #expect(calendar.isHoliday(at: try unix("2028-02-29T10:00:00Z")))
        #expect(!calendar.isHoliday(at: try unix("2027-02-28T10:00:00Z")))
        #expect(!calendar.isHoliday(at: try unix("2027-03-01T10:00:00Z")))
    }

    @Test func multiDayHolidaySpansTheYearEnd() throws {
        let calendar = try HolidayCalendar(holidays: [Holiday(name: "New Year", rule: .annual(month: 12, day: 31), durationDays: 2)])
        #expect(calendar.isHoliday(at: try unix("2026-12-31T00:00:00Z")))
        #expect(calendar.isHoliday(at: try unix("2027-01-01T23:59:59Z")))
        #expect(!calendar.isHoliday(at: try unix("2027-01-02T00:00:00Z")))
        #expect(!calendar.isHoliday(at: try unix("2026-12-30T23:59:59Z")))
    }

    @Test func fixedDateHolidayOccursInItsYearOnly() throws {
        let calendar = try HolidayCalendar(holidays: [Holiday(name: "Launch", rule: .date(year: 2026, month: 7, day: 4))])
        #expect(calendar.isHoliday(at: try unix("2026-07-04T08:00:00Z")))
        #expect(!calendar.isHoliday(at: try unix("2027-07-04T08:00:00Z")))
    }

    @Test func invalidHolidaysAreRejectedByTheCalendar() {
        #expect(throws: FeatureError.self) {
            try HolidayCalendar(holidays: [Holiday(name: "X", rule: .date(year: 2026, month: 2, day: 30))])
        }
        #expect(throws: FeatureError.self) {
            try HolidayCalendar(holidays: [Holiday(name: "X", rule: .annual(month: 1, day: 1), durationDays: 0)])
        }
        #expect(throws: FeatureError.self) {
            try HolidayCalendar(holidays: [Holiday(name: "X", rule: .nthWeekday(ordinal: 0, weekday: .monday, month: 1))])
        }
    }
}

@Suite struct LocalTimeTests {
    @Test func unknownZoneIsAClearError() {
        do {
            _ = try HolidayCalendar(timeZone: "Europe/Atlantis")
            Issue.record("expected an error")
        } catch let error as FeatureError {
            #expect(error.code == .unknownTimeZone)
            #expect(error.message.contains("Europe/Atlantis"))
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func hourOfDayAcrossBerlinSpringForward() throws {
        let c = try berlin()
        // 2026-03-29: clocks go 02:00 CET → 03:00 CEST at 01:00 UTC.
        #expect(c.hourOfDay(at: try unix("2026-03-29T00:30:00Z")) == 1)
        #expect(c.hourOfDay(at: try unix("2026-03-29T00:59:59Z")) == 1)
        #expect(c.hourOfDay(at: try unix("2026-03-29T01:00:00Z")) == 3)
        #expect(c.hourOfDay(at: try unix("2026-03-29T01:30:00Z")) == 3)
        #expect(c.utcOffset(at: try unix("2026-03-29T00:59:59Z")) == 3600)
        #expect(c.utcOffset(at: try unix("2026-03-29T01:00:00Z")) == 7200)
        // A whole day later the local hour is again UTC + 2 (summer).
        #expect(c.hourOfDay(at: try unix("2026-03-30T10:00:00Z")) == 12)
    }

    @Test func hourOfDayAcrossBerlinFallBack() throws {
        let c = try berlin()
        // 2026-10-25: 03:00 CEST → 02:00 CET at 01:00 UTC, so local 02:xx happens twice.
        #expect(c.hourOfDay(at: try unix("2026-10-25T00:30:00Z")) == 2)
        #expect(c.hourOfDay(at: try unix("2026-10-25T01:30:00Z")) == 2)
        #expect(c.hourOfDay(at: try unix("2026-10-25T02:30:00Z")) == 3)
    }

    @Test func hourOfDayAcrossNewYorkSwitches() throws {
        let c = try newYork()
        // 2026-03-08 02:00 EST → 03:00 EDT at 07:00 UTC; 2026-11-01 02:00 EDT → 01:00 EST at 06:00 UTC.
        #expect(c.hourOfDay(at: try unix("2026-03-08T06:59:59Z")) == 1)
        #expect(c.hourOfDay(at: try unix("2026-03-08T07:00:00Z")) == 3)
        #expect(c.hourOfDay(at: try unix("2026-11-01T05:30:00Z")) == 1)
        #expect(c.hourOfDay(at: try unix("2026-11-01T06:30:00Z")) == 1)
        #expect(c.hourOfDay(at: try unix("2026-11-01T07:30:00Z")) == 2)
    }

    @Test func dayOfWeekAndDateUseLocalMidnight() throws {
        let c = try berlin()
        // 2026-03-28T23:30Z is Saturday in UTC but 00:30 on Sunday 29 March in Berlin.
        let t = try unix("2026-03-28T23:30:00Z")
        #expect(Timestamp.weekday(t) == 5)
        #expect(c.dayOfWeek(at: t) == 6)
        #expect(c.localDate(at: t) == (2026, 3, 29))
        // New York is behind: the same instant is still Saturday evening there.
        #expect(try newYork().dayOfWeek(at: t) == 5)
    }

    @Test func holidayIsJudgedInLocalTime() throws {
        let christmas = Holiday(name: "Christmas", rule: .annual(month: 12, day: 25))
        let t = try unix("2026-12-24T23:30:00Z") // 00:30 on the 25th in Berlin
        #expect(try berlin([christmas]).isHoliday(at: t))
        #expect(!(try HolidayCalendar(timeZone: "UTC", holidays: [christmas]).isHoliday(at: t)))
    }

    @Test func localWallTimeToUnixInGapsAndOverlaps() throws {
        let c = try berlin()
        func local(_ iso: String) throws -> Int64 { try unix(iso + "Z") } // wall time written as UTC
        #expect(c.unixSeconds(fromLocal: try local("2026-07-01T12:00:00")) == (try unix("2026-07-01T10:00:00Z")))
        #expect(c.unixSeconds(fromLocal: try local("2026-01-15T12:00:00")) == (try unix("2026-01-15T11:00:00Z")))
        // 02:30 does not exist on 2026-03-29: it maps to 03:30 CEST.
        #expect(c.unixSeconds(fromLocal: try local("2026-03-29T02:30:00")) == (try unix("2026-03-29T01:30:00Z")))
        // 02:30 happens twice on 2026-10-25: the first (CEST) is chosen.
        #expect(c.unixSeconds(fromLocal: try local("2026-10-25T02:30:00")) == (try unix("2026-10-25T00:30:00Z")))
    }
}

@Suite struct HolidayRuleTextTests {
    @Test func rulesPrintAsTheyParse() throws {
        let cases: [(HolidayRule, String)] = [
            (.date(year: 2026, month: 7, day: 4), "2026-07-04"),
            (.annual(month: 2, day: 29), "02-29"),
            (.nthWeekday(ordinal: 4, weekday: .thursday, month: 11), "4th thursday of november"),
            (.nthWeekday(ordinal: -1, weekday: .monday, month: 5), "last monday of may"),
            (.nthWeekday(ordinal: 2, weekday: .sunday, month: 1), "2nd sunday of january"),
        ]
        for (rule, text) in cases {
            #expect(rule.description == text)
            #expect(try HolidayRule(parsing: text) == rule)
        }
    }

    @Test func calendarJSONStoresRulesAsText() throws {
        let calendar = try newYork([Holiday(name: "Thanksgiving", rule: .nthWeekday(ordinal: 4, weekday: .thursday, month: 11),
                                            durationDays: 2)])
        let json = try #require(String(data: try JSONEncoder().encode(calendar), encoding: .utf8))
        #expect(json.contains("\"4th thursday of november\""))
        #expect(json.contains("\"duration_days\":2"))
        #expect(try JSONDecoder().decode(HolidayCalendar.self, from: Data(json.utf8)) == calendar)
        let broken = json.replacingOccurrences(of: "4th thursday", with: "9th thursday")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(HolidayCalendar.self, from: Data(broken.utf8)) }
    }

    @Test func yearsOutsideFourDigitsAreRejected() {
        #expect(throws: FeatureError.self) { try HolidayCalendar(holidays: [Holiday(name: "X", rule: .date(year: 12_026, month: 1, day: 1))]) }
    }
}
