import Foundation
import Testing
import TimeSeries
@testable import Features

@Suite struct CalendarFileTests {
    @Test func parsesTheCheckedInExample() throws {
        let path = repositoryRoot.appendingPathComponent("examples/calendar.toml").path
        let file = try CalendarFile.load(path: path)
        #expect(file.calendar.timeZoneIdentifier == "Europe/Berlin")
        #expect(file.calendar.holidays.map(\.name) == ["New Year", "Christmas", "Thanksgiving", "Whit Monday 2026", "Spring bank holiday"])
        #expect(file.calendar.holidays[1].durationDays == 2)
        #expect(file.calendar.holidays[3].rule == .date(year: 2026, month: 5, day: 25))
        #expect(file.calendar.holidays(at: try unix("2026-11-26T12:00:00+01:00")).map(\.name) == ["Thanksgiving"])
        #expect(file.calendar.isHoliday(at: try unix("2026-12-26T23:00:00+01:00")))

        #expect(file.events.count == 3)
        let sale = file.events[0]
        #expect(sale == Event(name: "Black Friday sale", kind: .promotion,
                              start: try unix("2026-11-27T00:00:00+01:00"), end: try unix("2026-11-30T00:00:00+01:00"),
                              recurrence: .init(period: .yearly), scope: .groups(["web"]), multiplier: 3.0))
        let batch = file.events[1]
        #expect(batch.start == (try unix("2026-01-05T02:00:00+01:00")))   // local time in Berlin (winter)
        #expect(batch.end == (try unix("2026-01-05T03:30:00+01:00")))
        #expect(batch.recurrence == .init(period: .daily, until: try unix("2026-12-31T23:59:59+01:00")))
        #expect(batch.scope == .series(["db-1-cpu", "db-2-cpu"]))
        #expect(batch.level == 85 && batch.multiplier == nil && batch.note == "ETL job; CPU goes to about 85 %")
        let newsletter = file.events[2]
        #expect(newsletter.start == (try unix("2026-01-06T09:00:00+01:00")))
        #expect(newsletter.scope == .groups(["web", "api"]) && newsletter.multiplier == 1.4)
        // The daily batch keeps 02:00 local after the switch to summer time.
        let summer = batch.occurrences(overlapping: (try unix("2026-07-01T00:00:00Z"))..<(try unix("2026-07-02T00:00:00Z")),
                                       calendar: file.calendar)
        #expect(summer == [(try unix("2026-07-01T02:00:00+02:00"))..<(try unix("2026-07-01T03:30:00+02:00"))])
    }

    @Test func nativeTomlDatesAndDefaults() throws {
        let file = try CalendarFile.parse("""
            [[event]]
            name = "a"
            kind = "Notice"
            start = 2026-11-27T00:00:00+01:00
            end = 2026-11-28
            multiplier = 2
            """, fileName: "x.toml")
        #expect(file.calendar == .utc)
        let e = try #require(file.events.first)
        #expect(e.kind == .notice && e.scope == .all && e.multiplier == 2 && e.recurrence == nil)
        #expect(e.start == (try unix("2026-11-26T23:00:00Z")))
        #expect(e.end == (try unix("2026-11-28T00:00:00Z")))   // a bare date is local midnight (UTC here)
    }

    @Test func emptyFileIsAnEmptyUTCCalendar() throws {
        let file = try CalendarFile.parse("", fileName: "empty.toml")
        #expect(file.calendar == .utc && file.events.isEmpty)
    }

    // MARK: error paths

    private func failure(_ text: String, file: String = "cal.toml") -> CalendarFileError? {
        do {
            _ = try CalendarFile.parse(text, fileName: file)
            return nil
        } catch let error as CalendarFileError {
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    private func expectFailure(_ text: String, _ code: CalendarFileError.Code, entry: String?, mentions: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = failure(text) else {
            Issue.record("expected \(code) but the file parsed", sourceLocation: sourceLocation)
            return
        }
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.file == "cal.toml", sourceLocation: sourceLocation)
        #expect(error.entry == entry, sourceLocation: sourceLocation)
        #expect(error.message.contains(mentions), "\(error.message)", sourceLocation: sourceLocation)
        #expect(error.description.hasPrefix("cal.toml: "), sourceLocation: sourceLocation)
    }

    private let goodHoliday = "[[holiday]]\nname = \"New Year\"\ndate = \"01-01\"\n"
    private func event(_ body: String) -> String { "[[event]]\nname = \"E\"\n" + body + "\n" }
    private let span = "kind = \"promotion\"\nstart = \"2026-06-01T00:00:00Z\"\nend = \"2026-06-02T00:00:00Z\""

    @Test func unreadableFile() throws {
        do {
            _ = try CalendarFile.load(path: "/nonexistent/dir/calendar.toml")
            Issue.record("expected an error")
        } catch let error as CalendarFileError {
            #expect(error.code == .unreadableFile)
            #expect(error.description.hasPrefix("/nonexistent/dir/calendar.toml: "))
        }
    }

    @Test func syntaxErrorNamesTheLine() {
        expectFailure("time_zone = \"UTC\"\n[[holiday]\nname = 1", .syntax, entry: nil, mentions: "line 2")
    }

    @Test func unknownKeys() {
        expectFailure("timezone = \"UTC\"", .unknownKey, entry: nil, mentions: "\"timezone\"")
        expectFailure(goodHoliday + "[[holiday]]\nname = \"X\"\ndate = \"01-02\"\ndays = 2", .unknownKey,
                      entry: "holiday[2] \"X\"", mentions: "\"days\"")
        expectFailure(event(span + "\nmultiplyer = 2"), .unknownKey, entry: "event[1] \"E\"", mentions: "\"multiplyer\"")
    }

    @Test func missingKeys() {
        expectFailure("[[holiday]]\ndate = \"01-01\"", .missingKey, entry: "holiday[1]", mentions: "\"name\"")
        expectFailure(goodHoliday + "[[holiday]]\nname = \"X\"", .missingKey, entry: "holiday[2] \"X\"", mentions: "\"rule\"")
        expectFailure(event("start = \"2026-06-01\"\nend = \"2026-06-02\""), .missingKey, entry: "event[1] \"E\"", mentions: "\"kind\"")
        expectFailure(event("kind = \"promotion\"\nend = \"2026-06-02\""), .missingKey, entry: "event[1] \"E\"", mentions: "\"start\"")
        expectFailure(event("kind = \"promotion\"\nstart = \"2026-06-02\""), .missingKey, entry: "event[1] \"E\"", mentions: "\"end\"")
    }

    @Test func wrongTypes() {
        expectFailure("time_zone = 1", .wrongType, entry: nil, mentions: "\"time_zone\"")
        expectFailure("holiday = \"Christmas\"", .wrongType, entry: nil, mentions: "[[holiday]]")
        expectFailure("[[holiday]]\nname = 3\ndate = \"01-01\"", .wrongType, entry: "holiday[1]", mentions: "\"name\"")
        expectFailure("[[holiday]]\nname = \"X\"\ndate = 1225", .wrongType, entry: "holiday[1] \"X\"", mentions: "\"date\"")
        expectFailure("[[holiday]]\nname = \"X\"\nrule = 4", .wrongType, entry: "holiday[1] \"X\"", mentions: "\"rule\"")
        expectFailure(goodHoliday + "duration_days = 1.5", .wrongType, entry: "holiday[1] \"New Year\"", mentions: "\"duration_days\"")
        expectFailure(event(span + "\nmultiplier = \"3\""), .wrongType, entry: "event[1] \"E\"", mentions: "\"multiplier\"")
        expectFailure(event(span + "\ngroups = \"web\""), .wrongType, entry: "event[1] \"E\"", mentions: "\"groups\"")
        expectFailure(event(span + "\nseries = [1, 2]"), .wrongType, entry: "event[1] \"E\"", mentions: "\"series\"")
        expectFailure(event("kind = \"promotion\"\nstart = 5\nend = \"2026-06-02\""), .wrongType, entry: "event[1] \"E\"", mentions: "\"start\"")
    }

    @Test func badDates() {
        expectFailure(goodHoliday + "[[holiday]]\nname = \"X\"\ndate = \"13-45\"", .badDate, entry: "holiday[2] \"X\"", mentions: "13-45")
        expectFailure("[[holiday]]\nname = \"X\"\ndate = \"2026-02-29\"", .badDate, entry: "holiday[1] \"X\"", mentions: "2026-2-29")
        expectFailure("[[holiday]]\nname = \"X\"\ndate = \"4th thursday of november\"", .badDate, entry: "holiday[1] \"X\"",
                      mentions: "rule = ")
        expectFailure(event("kind = \"promotion\"\nstart = \"2026-13-01\"\nend = \"2026-06-02\""), .badDate,
                      entry: "event[1] \"E\"", mentions: "2026-13-01")
        expectFailure(event(span + "\nrecurrence = \"weekly\"\nuntil = \"next year\""), .badDate,
                      entry: "event[1] \"E\"", mentions: "next year")
    }

    @Test func badRule() {
        expectFailure(goodHoliday + goodHoliday + "[[holiday]]\nname = \"Thanksgiving\"\nrule = \"4th thursday in november\"",
                      .badRule, entry: "holiday[3] \"Thanksgiving\"", mentions: "4th thursday in november")
        expectFailure("[[holiday]]\nname = \"X\"\nrule = \"6th monday of may\"", .badRule, entry: "holiday[1] \"X\"", mentions: "6th")
    }

    @Test func endBeforeStart() {
        expectFailure(event("kind = \"promotion\"\nstart = \"2026-06-02T00:00:00Z\"\nend = \"2026-06-01T00:00:00Z\""),
                      .endBeforeStart, entry: "event[1] \"E\"", mentions: "not after start")
        expectFailure(event("kind = \"promotion\"\nstart = \"2026-06-02\"\nend = \"2026-06-02\""),
                      .endBeforeStart, entry: "event[1] \"E\"", mentions: "not after start")
    }

    @Test func unknownKind() {
        expectFailure(event("kind = \"sale\"\nstart = \"2026-06-01\"\nend = \"2026-06-02\""), .unknownKind,
                      entry: "event[1] \"E\"", mentions: "holiday, promotion, notice, calendar")
    }

    @Test func unknownZone() {
        expectFailure("time_zone = \"Europe/Atlantis\"", .unknownZone, entry: nil, mentions: "Europe/Atlantis")
    }

    @Test func badValues() {
        expectFailure(goodHoliday + "duration_days = 0", .badValue, entry: "holiday[1] \"New Year\"", mentions: "duration_days")
        expectFailure("[[holiday]]\nname = \"X\"\ndate = \"01-01\"\nrule = \"last monday of may\"", .badValue,
                      entry: "holiday[1] \"X\"", mentions: "not both")
        expectFailure(event(span + "\nseries = [\"a\"]\ngroups = [\"web\"]"), .badValue, entry: "event[1] \"E\"", mentions: "not both")
        expectFailure(event(span + "\nmultiplier = -1.0"), .badValue, entry: "event[1] \"E\"", mentions: "multiplier")
        expectFailure(event(span + "\nlevel = nan"), .badValue, entry: "event[1] \"E\"", mentions: "level")
        expectFailure(event(span + "\nrecurrence = \"hourly\""), .badValue, entry: "event[1] \"E\"", mentions: "hourly")
        expectFailure(event(span + "\nuntil = \"2027-01-01\""), .badValue, entry: "event[1] \"E\"", mentions: "recurrence")
        expectFailure(event(span + "\nrecurrence = \"daily\"\nuntil = \"2026-01-01\""), .badValue,
                      entry: "event[1] \"E\"", mentions: "before start")
    }
}
