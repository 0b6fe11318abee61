import Foundation
import MetricStore
import Synchronization
import Testing
import TimeSeries

/// Decisions, state documents, notices (with the group commit), routes and samples.
extension Checks {
    static func decisionsAndStateCommitTogether(_ store: any ActuatorStore) throws {
        let state = StoredState(name: "sizing", version: 3, time: 100, json: #"{"a":1}"#)
        let ids = try store.insert(decisions: [("web", 100, "{\"n\":1}"), ("db", 100, "{\"n\":2}"), ("web", 200, "{\"n\":3}")],
                                   states: [state])
        #expect(ids.count == 3 && ids == ids.sorted() && Set(ids).count == 3)
        let web = try store.decisions(group: "web", limit: 5)
        #expect(web.map(\.json) == ["{\"n\":3}", "{\"n\":1}"], "newest first")
        #expect(web.map(\.id) == [ids[2], ids[0]])
        #expect(try store.decisions(group: "web").map(\.time) == [200])
        #expect(try store.decisions(group: "web", limit: 0).isEmpty)
        #expect(try store.state(named: "sizing") == state)
        try store.save(states: [StoredState(name: "sizing", version: 4, time: 300, json: "{}"),
                                StoredState(name: "cost", version: 1, time: 300, json: "[]")])
        #expect(try store.state(named: "sizing")?.version == 4)
        #expect(try store.state(named: "cost")?.json == "[]")
        #expect(try store.state(named: "none") == nil)
        // By prefix (the per-actuator sizing documents of a fleet), and removed by name.
        try store.save(states: [StoredState(name: "sizing@b", version: 1, time: 310, json: "{}"),
                                StoredState(name: "sizing@a", version: 1, time: 320, json: "{}"),
                                StoredState(name: "sizinG@c", version: 1, time: 330, json: "{}")])
        #expect(try store.states(prefix: "sizing@").map(\.name) == ["sizing@a", "sizing@b"])
        #expect(try store.states(prefix: "sizing").map(\.name) == ["sizing", "sizing@a", "sizing@b"])
        #expect(try store.states(prefix: "nothing").isEmpty)
        #expect(try store.deleteStates(named: ["sizing@a", "sizing@gone"]) == 1)
        #expect(try store.states(prefix: "sizing@").map(\.name) == ["sizing@b"])
        #expect(try store.state(named: "sizinG@c") != nil, "the prefix is case-sensitive")
        #expect(try store.deleteDecisions(before: 200) == 2)
        #expect(try store.decisions(group: "db").isEmpty)
    }

    static func noticesFilterByKindWindowAndScope(_ store: any ActuatorStore) throws {
        _ = try store.insert([Series(id: "vm-7", grid: TimeGrid(axis: .time, start: 0, step: 60, count: 1), values: [1],
                                     metric: "cpu", group: "web")])
        let events = [
            Event(name: "sale", kind: .notice, start: 1000, end: 2000, scope: .groups(["web"]), multiplier: 2),
            Event(name: "all", kind: .notice, start: 5000, end: 6000, scope: .all, level: 40, note: "everyone"),
            Event(name: "vm", kind: .notice, start: 1500, end: 1600, scope: .series(["vm-7"])),
            Event(name: "xmas", kind: .holiday, start: 0, end: 86_400, recurrence: .init(period: .yearly), scope: .all),
        ]
        let ids = try store.insert(events: events, createdAt: 77)
        #expect(ids.count == 4 && Set(ids).count == 4)
        let notices = try store.events(kind: .notice)
        #expect(notices.map(\.event.name) == ["sale", "vm", "all"], "by start")
        #expect(notices.first?.event == events[0] && notices.first?.createdAt == 77)
        #expect(try store.events(kind: .notice, overlapping: 1800..<5500).map(\.event.name) == ["sale", "all"])
        #expect(try store.events(kind: .notice, overlapping: 3000..<3000).isEmpty)
        #expect(try store.events(kind: .notice, scope: .group("web")).map(\.event.name) == ["sale", "vm", "all"])
        #expect(try store.events(kind: .notice, scope: .group("db")).map(\.event.name) == ["all"])
        // A yearly holiday a year later, found through its recurrence.
        let nextYear = Int64(365 * 86_400)
        #expect(try store.events(overlapping: (nextYear + 10)..<(nextYear + 20)).map(\.event.name) == ["xmas"])
        #expect(try store.deleteEvent(id: ids[0]))
        #expect(try store.deleteEvent(id: ids[0]) == false)
        #expect(try store.events(kind: .notice).count == 2)
        expectCode(.invalidEvent, "an event ending before it starts") {
            _ = try store.insert(events: [Event(name: "bad", kind: .notice, start: 10, end: 5)], createdAt: 1)
        }
        #expect(try store.events().count == 3)
    }

    static func noticeGroupCommitStoresEveryEvent(_ store: any ActuatorStore) async throws {
        let committed = Mutex<[String]>([])
        let queue = EventCommitQueue(store: store, maximumBatch: 16) { events in
            committed.withLock { $0 += events.map(\.name) }
        }
        let n = 60
        let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
            for i in 0..<n {
                group.addTask {
                    try await queue.insert(Event(name: "n\(i)", kind: .notice, start: Int64(i), end: Int64(i) + 60,
                                                 scope: .groups(["web"])), createdAt: 5)
                }
            }
            var ids: [Int64] = []
            for try await id in group { ids.append(id) }
            return ids
        }
        #expect(Set(ids).count == n)
        let stored = try store.events(kind: .notice)
        #expect(stored.count == n)
        #expect(Set(stored.map(\.id)) == Set(ids), "each caller got its own event's id")
        for s in stored { #expect(ids.contains(s.id) && s.event.name == "n\(s.event.start)") }
        let statistics = queue.statistics
        #expect(statistics.events == n && statistics.failedEvents == 0)
        #expect(statistics.commits >= (n + 15) / 16 && statistics.commits <= n)
        #expect(statistics.largestBatch <= 16)
        #expect(Set(committed.withLock { $0 }) == Set((0..<n).map { "n\($0)" }))
        // An invalid event is refused before it joins a batch.
        await #expect(throws: MetricStoreError.self) {
            _ = try await queue.insert(Event(name: "", kind: .notice, start: 0, end: 1), createdAt: 5)
        }
        #expect(queue.pendingCount == 0)
    }

    static func routesReplaceAndList(_ store: any ActuatorStore) throws {
        let r1 = RouteRecord(shadowID: "s1", activationID: "a1", group: "web", server: "web-2", state: .failed,
                             address: "10.0.0.2:80", error: "refused", attempts: 2, updatedAt: 10, nextAttempt: 40)
        let r2 = RouteRecord(shadowID: "s2", activationID: nil, group: "web", server: "web-1", state: .routed, updatedAt: 11)
        let r3 = RouteRecord(shadowID: "s3", activationID: "a3", group: "db", server: "db-1", state: .draining,
                             updatedAt: 12, drainDeadline: 99)
        for r in [r1, r2, r3] { try store.saveRoute(r) }
        #expect(try store.route(shadow: "s1") == r1)
        #expect(try store.route(activation: "a3") == r3)
        #expect(try store.route(activation: "zz") == nil)
        #expect(try store.routes().map(\.server) == ["db-1", "web-1", "web-2"])
        #expect(try store.routes(states: [.failed, .draining]).map(\.server) == ["db-1", "web-2"])
        #expect(try store.routes(group: "web").map(\.server) == ["web-1", "web-2"])
        #expect(try store.routes(states: [.routed], group: "db").isEmpty)
        var routed = r1
        routed.state = .routed
        routed.error = nil
        routed.attempts = 0
        routed.nextAttempt = nil
        try store.saveRoute(routed)
        #expect(try store.route(shadow: "s1") == routed)
        #expect(try store.routes().count == 3)
    }

    static func samplesReplaceSkipNaNAndCheckTheGrid(_ store: any ActuatorStore) throws {
        let grid = TimeGrid(axis: .time, start: 600, step: 60, count: 4)
        #expect(try store.insert([Series(id: "web/cpu", grid: grid, values: [1, .nan, 3, 4], metric: "cpu", group: "web")]) == 3)
        // Overlapping positions are replaced; NaN never overwrites.
        #expect(try store.insert([Series(id: "web/cpu", grid: TimeGrid(axis: .time, start: 720, step: 60, count: 3),
                                         values: [.nan, 40, 50])]) == 2)
        let read = try #require(try store.series(key: "web/cpu"))
        #expect(read.grid == TimeGrid(axis: .time, start: 600, step: 60, count: 5))
        #expect(read.values.map { $0.isNaN ? -1 : $0 } == [1, -1, 3, 40, 50])
        #expect(read.metric == "cpu" && read.group == "web")
        #expect(try store.series(key: "web/cpu", from: 700, to: 800)?.values == [3, 40])
        #expect(try store.latest(key: "web/cpu") == Sample(ts: 840, value: 50))
        #expect(try store.series(key: "nope") == nil)
        #expect(try store.latest(key: "nope") == nil)
        expectCode(.incompatibleSeries, "another step") {
            _ = try store.insert([Series(id: "web/cpu", grid: TimeGrid(axis: .time, start: 600, step: 30, count: 1), values: [9])])
        }
        expectCode(.incompatibleSeries, "off the grid") {
            _ = try store.insert([Series(id: "web/cpu", grid: TimeGrid(axis: .time, start: 610, step: 60, count: 1), values: [9])])
        }
        expectCode(.invalidSeries, "an empty id") {
            _ = try store.insert([Series(id: "", grid: grid, values: [1, 2, 3, 4])])
        }
        #expect(try store.deleteSamples(keys: ["web/cpu", "other"], before: 780) == 2)
        #expect(try store.series(key: "web/cpu")?.values == [40, 50])
        #expect(try store.deleteSamples(keys: [], before: 10_000) == 0)
    }

    static func samplesAreAllOrNothing(_ store: any ActuatorStore) throws {
        let good = Series(id: "a", grid: TimeGrid(axis: .time, start: 0, step: 60, count: 2), values: [1, 2])
        _ = try store.insert([good])
        let fresh = Series(id: "b", grid: TimeGrid(axis: .time, start: 0, step: 60, count: 2), values: [5, 6])
        let bad = Series(id: "a", grid: TimeGrid(axis: .index, start: 0, step: 60, count: 1), values: [7])
        expectCode(.incompatibleSeries, "a batch with an incompatible series") { _ = try store.insert([fresh, bad]) }
        #expect(try store.series(key: "b") == nil, "the batch's other series was not written")
        #expect(try store.series(key: "a")?.values == [1, 2])
    }
}
