import MetricStore
import Testing
import TimeSeries

@Suite struct EventStorageTests {
    private func t(_ iso: String) throws -> Int64 { try #require(Timestamp.parse(iso)).seconds }

    @Test func eventsRoundTripWithEveryField() throws {
        let store = try MetricStore.inMemory()
        let event = Event(name: "Black Friday", kind: .promotion, start: 100, end: 200,
                          recurrence: .init(period: .yearly, until: 10_000_000), scope: .groups(["web", "api"]),
                          multiplier: 2.5, level: nil, note: "from marketing")
        let notice = Event(name: "launch", kind: .notice, start: 150, end: 160, scope: .series(["web-1"]), level: 900)
        let ids = try store.insert(events: [event, notice], createdAt: 42)
        #expect(ids.count == 2 && ids[0] != ids[1])
        let all = try store.events()
        #expect(all.map(\.event) == [event, notice])
        #expect(all.map(\.id) == ids)
        #expect(all.allSatisfy { $0.createdAt == 42 })
    }

    @Test func overlapIsHalfOpenAndFiltersByKind() throws {
        let store = try MetricStore.inMemory()
        try store.insert(events: [
            Event(name: "a", kind: .holiday, start: 0, end: 10),
            Event(name: "b", kind: .notice, start: 10, end: 20),
            Event(name: "c", kind: .notice, start: 5, end: 30),
        ], createdAt: 0)
        #expect(try store.events(overlapping: 0..<10).map(\.event.name) == ["a", "c"])
        #expect(try store.events(overlapping: 9..<11).map(\.event.name) == ["a", "c", "b"])
        #expect(try store.events(overlapping: 20..<30).map(\.event.name) == ["c"])
        #expect(try store.events(overlapping: 30..<40).isEmpty)
        #expect(try store.events(kind: .notice, overlapping: 0..<10).map(\.event.name) == ["c"])
        #expect(try store.events(kind: .calendar).isEmpty)
        #expect(try store.events(overlapping: 5..<5).isEmpty)
    }

    @Test func weeklyEventsOverlapOnlyTheirOccurrencesUntilTheEnd() throws {
        let store = try MetricStore.inMemory()
        // Mondays 09:00–10:00 from 2026-11-02, last occurrence starting 2026-11-23.
        let start = try t("2026-11-02T09:00:00Z")
        try store.insert(events: [Event(name: "standup", kind: .calendar, start: start, end: start + 3600,
                                        recurrence: .init(period: .weekly, until: try t("2026-11-23T09:00:00Z")))],
                         createdAt: 0)
        func hits(_ from: String, _ to: String) throws -> Bool { !(try store.events(overlapping: try t(from)..<t(to))).isEmpty }
        #expect(try hits("2026-11-16T09:30:00Z", "2026-11-16T09:31:00Z"))
        #expect(try hits("2026-11-23T08:00:00Z", "2026-11-23T09:00:01Z"))
        #expect(try !hits("2026-11-16T10:00:00Z", "2026-11-23T09:00:00Z")) // between occurrences
        #expect(try !hits("2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z")) // after until
        #expect(try !hits("2026-10-26T09:00:00Z", "2026-10-26T10:00:00Z")) // before the first
    }

    @Test func monthlyEventsClampToTheLastDayOfShortMonths() throws {
        let store = try MetricStore.inMemory()
        let start = try t("2026-01-31T00:00:00Z")
        try store.insert(events: [Event(name: "month-end", kind: .calendar, start: start, end: start + 86_400,
                                        recurrence: .init(period: .monthly))], createdAt: 0)
        func hits(_ from: String, _ to: String) throws -> Bool { !(try store.events(overlapping: try t(from)..<t(to))).isEmpty }
        #expect(try hits("2026-02-28T12:00:00Z", "2026-02-28T13:00:00Z"))
        #expect(try !hits("2026-03-01T00:00:00Z", "2026-03-30T23:59:59Z"))
        #expect(try hits("2026-03-31T23:00:00Z", "2026-04-01T00:00:00Z"))
        #expect(try hits("2026-04-30T01:00:00Z", "2026-04-30T02:00:00Z"))
        #expect(try hits("2031-12-31T05:00:00Z", "2031-12-31T06:00:00Z")) // forever, years later
        #expect(try !hits("2031-12-30T05:00:00Z", "2031-12-30T06:00:00Z"))
    }

    @Test func yearlyEventsFromALeapDayFallOnFebruary28() throws {
        let store = try MetricStore.inMemory()
        let start = try t("2024-02-29T00:00:00Z")
        try store.insert(events: [Event(name: "leap", kind: .holiday, start: start, end: start + 86_400,
                                        recurrence: .init(period: .yearly))], createdAt: 0)
        #expect(try store.events(overlapping: try t("2025-02-28T10:00:00Z")..<t("2025-02-28T11:00:00Z")).count == 1)
        #expect(try store.events(overlapping: try t("2025-03-01T10:00:00Z")..<t("2025-03-01T11:00:00Z")).isEmpty)
        #expect(try store.events(overlapping: try t("2028-02-29T10:00:00Z")..<t("2028-02-29T11:00:00Z")).count == 1)
    }

    @Test func scopeFilterMatchesSeriesAndGroups() throws {
        let store = try MetricStore.inMemory()
        let grid = TimeGrid(axis: .time, start: 0, step: 60, count: 1)
        try store.insert([Series(id: "a", grid: grid, values: [1], group: "web"),
                          Series(id: "b", grid: grid, values: [1], group: "db"),
                          Series(id: "solo", grid: grid, values: [1])])
        try store.insert(events: [
            Event(name: "everyone", kind: .holiday, start: 0, end: 100, scope: .all),
            Event(name: "series-a", kind: .notice, start: 0, end: 100, scope: .series(["a"])),
            Event(name: "group-web", kind: .promotion, start: 0, end: 100, scope: .groups(["web"])),
            Event(name: "series-solo", kind: .notice, start: 0, end: 100, scope: .series(["solo"])),
        ], createdAt: 0)
        func names(_ filter: EventScopeFilter) throws -> Set<String> {
            Set(try store.events(overlapping: 0..<100, scope: filter).map(\.event.name))
        }
        #expect(try names(.any) == ["everyone", "series-a", "group-web", "series-solo"])
        #expect(try names(.series("a", group: "web")) == ["everyone", "series-a", "group-web"])
        #expect(try names(.series("b", group: "db")) == ["everyone"])
        #expect(try names(.group("web")) == ["everyone", "series-a", "group-web"])
        #expect(try names(.group("db")) == ["everyone"])
        #expect(try names(.group("solo")) == ["everyone", "series-solo"])
    }

    @Test func deletingAnEventByIdRemovesOnlyIt() throws {
        let store = try MetricStore.inMemory()
        let ids = try store.insert(events: [Event(name: "x", kind: .notice, start: 0, end: 1),
                                            Event(name: "y", kind: .notice, start: 0, end: 1)], createdAt: 0)
        #expect(try store.deleteEvent(id: ids[0]))
        #expect(try !store.deleteEvent(id: ids[0]))
        #expect(try store.events().map(\.event.name) == ["y"])
    }

    @Test func malformedEventsAreRejectedAndNothingIsStored() throws {
        let store = try MetricStore.inMemory()
        let backwards = #expect(throws: MetricStoreError.self) {
            try store.insert(events: [Event(name: "ok", kind: .notice, start: 0, end: 1),
                                      Event(name: "bad", kind: .notice, start: 10, end: 10)])
        }
        #expect(backwards?.code == .invalidEvent)
        let infinite = #expect(throws: MetricStoreError.self) {
            try store.insert(events: [Event(name: "inf", kind: .notice, start: 0, end: 1, multiplier: .infinity)])
        }
        #expect(infinite?.code == .invalidEvent)
        #expect(try store.events().isEmpty)
    }
}
