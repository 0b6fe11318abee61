@testable import Actuator
import Foundation
import GRDB
@testable import MetricStore
import ModelRegistry
@testable import Scaling
import Testing
import TimeSeries

@Suite("Actuator runtime: the API's notice writes (group commit) and forecast cache")
struct RuntimeAPIPathTests {
    /// A runtime that has scored one cycle, and its first forecast step.
    static func scored(_ f: RuntimeFixture, clock: ManualWallClock) async throws -> (ActuatorRuntime, ForecastView) {
        let runtime = try await f.runtime(clock: clock)
        await runtime.observe(group: "web", demand: 10, at: f.start)
        _ = await runtime.cycle()
        let view = try await runtime.forecast(group: "web")
        try #require(view.steps.count == 3 && view.notices.isEmpty)
        return (runtime, view)
    }

    @Test("a group whose model does not load has no servable model: an error naming the version, not an empty answer")
    func aBrokenModelIsNotAnEmptyForecast() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let registry = ModelRegistry(root: URL(fileURLWithPath: f.configuration.registry))
        let version = try #require(try registry.current(group: "web"))
        let dir = f.configuration.registry + "/web/" + version.id
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0 != ModelRegistry.manifestName })
        var bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file))
        bytes[bytes.startIndex] ^= 0x20
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + file))
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        await runtime.observe(group: "web", demand: 10, at: f.start)
        _ = await runtime.cycle()
        do {
            let view = try await runtime.forecast(group: "web")
            Issue.record("answered with \(view.steps.count) steps")
        } catch {
            #expect(error.kind == .unavailable)
            #expect(error.message.contains("no servable model") && error.message.contains(version.id), "\(error.message)")
        }
    }

    @Test("the API's group check answers from the configured groups")
    func managedGroupsAreTheConfiguredOnes() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let runtime = try await f.runtime(clock: ManualWallClock(f.start))
        let configured = await runtime.groups()
        #expect(!configured.isEmpty)
        for group in configured { #expect(await runtime.manages(group: group)) }
        #expect(await runtime.manages(group: "no-such-group") == false)
        #expect(await runtime.manages(group: "") == false)
    }

    @Test("concurrent notices are all stored and each is in every forecast read after its answer")
    func concurrentNoticesReachTheForecastAtOnce() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let (runtime, plain) = try await Self.scored(f, clock: ManualWallClock(f.start))
        let first = try #require(plain.steps.first)
        let n = 48
        let multiplier = 1.01
        let ids = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for i in 0..<n {
                group.addTask {
                    let notice = try await runtime.submitNotice(NoticeRequest(group: "web", start: first.time,
                                                                              end: first.time + 3600 + Int64(i), multiplier: multiplier))
                    // Read after the answer: a cached forecast from before this notice must not be served.
                    let after = try await runtime.forecast(group: "web")
                    #expect(after.notices.contains(notice.id), "notice \(notice.id) missing from \(after.notices)")
                    return notice.id
                }
                // Readers in between keep the cache filled with views from before some notices.
                group.addTask { _ = try await runtime.forecast(group: "web"); return nil }
            }
            var ids: [Int64] = []
            for try await id in group { if let id { ids.append(id) } }
            return ids
        }
        #expect(Set(ids).count == n)
        #expect(Set(try runtime.store.events(kind: .notice).map(\.id)) == Set(ids))
        let stats = runtime.noticeWriter.statistics
        #expect(stats.events == n && stats.failedCommits == 0 && stats.commits <= n)
        // Every notice covers the first step: it is the plain forecast times multiplier^n
        // (relative 1e-9: 48 products of doubles stay within a few ulps).
        let boosted = try await runtime.forecast(group: "web")
        #expect(boosted.notices == ids.sorted())
        let factor = (0..<n).reduce(1.0) { p, _ in p * multiplier }
        let step = try #require(boosted.steps.first)
        for (level, q) in first.quantiles {
            let got = try #require(step.quantiles[level])
            #expect(abs(got - q * factor) <= 1e-9 * abs(q * factor), "level \(level): \(got) vs \(q * factor)")
        }
    }

    @Test("a served forecast comes from the cache until a notice for the group lands or a cycle re-scores it")
    func forecastCacheInvalidation() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let clock = ManualWallClock(f.start)
        let (runtime, v1) = try await Self.scored(f, clock: clock)
        let misses = runtime.forecastViews.statistics.misses
        #expect(try await runtime.forecast(group: "web") == v1)
        #expect(runtime.forecastViews.statistics.misses == misses, "the second read is served from the cache")
        // A notice far past the horizon changes no step, but the group's view is computed again.
        let later = try #require(v1.steps.last).time + 86_400
        _ = try await runtime.submitNotice(NoticeRequest(group: "web", start: later, end: later + 60, level: 100))
        #expect(try await runtime.forecast(group: "web") == v1)
        #expect(runtime.forecastViews.statistics.misses == misses + 1)
        // A cycle at the same time (no time-out of the entry) re-scores: the calibration counts the
        // outcome of the first decision, and the served view shows it.
        await runtime.observe(group: "web", demand: 25, at: f.start)
        _ = await runtime.cycle()
        let v3 = try await runtime.forecast(group: "web")
        #expect(v3.calibration.intervals == v1.calibration.intervals + 1, "\(v3.calibration) after \(v1.calibration)")
        // An entry also runs out after one interval, in case cycles stall.
        clock.advance(by: f.configuration.interval)
        _ = try await runtime.forecast(group: "web")
        #expect(runtime.forecastViews.statistics.misses == misses + 3)
    }

    @Test("a view computed before an invalidation is not kept after it")
    func staleComputationIsRefused() {
        let cache = ForecastViewCache()
        let view = ForecastView(group: "web", calibration: CalibrationView(targetLevel: 0.9, currentLevel: 0.9, intervals: 0),
                                steps: [])
        let before = cache.token(for: "web")
        cache.invalidate("web")
        #expect(!cache.store(view, group: "web", token: before, validUntil: 100))
        #expect(cache.view("web", now: 0) == nil)
        // Another group's invalidation does not refuse it; a cycle's does.
        let token = cache.token(for: "web")
        cache.invalidate("api")
        #expect(cache.store(view, group: "web", token: token, validUntil: 100))
        #expect(cache.view("web", now: 99) == view)
        #expect(cache.view("web", now: 100) == nil, "expired")
        let beforeCycle = cache.token(for: "web")
        cache.invalidateAll()
        #expect(!cache.store(view, group: "web", token: beforeCycle, validUntil: 100))
        #expect(cache.view("web", now: 0) == nil)
    }

    @Test("a notice commit that fails answers every notice in it as unavailable and stores none")
    func failedCommitFailsItsNotices() async throws {
        let f = try RuntimeFixture(running: 30, maximum: 10)
        defer { f.cleanUp() }
        let (runtime, plain) = try await Self.scored(f, clock: ManualWallClock(f.start))
        // A real SQLite failure at insert (as a full disk or an I/O error would be).
        try #require(runtime.store as? MetricStore).write("trigger") { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk gone'); END")
        }
        let first = try #require(plain.steps.first)
        let errors = await withTaskGroup(of: ControlError?.self) { group in
            for i in 0..<8 {
                group.addTask {
                    do {
                        _ = try await runtime.submitNotice(NoticeRequest(group: "web", start: first.time, end: first.time + 60 + Int64(i),
                                                                         multiplier: 2))
                        return nil
                    } catch { return error as? ControlError ?? ControlError(.invalid, "not a control error: \(error)") }
                }
            }
            var errors: [ControlError?] = []
            for await e in group { errors.append(e) }
            return errors
        }
        #expect(errors.count == 8)
        for e in errors {
            #expect(e?.kind == .unavailable && e?.message.contains("disk gone") == true, "\(String(describing: e))")
        }
        #expect(try runtime.store.events(kind: .notice).isEmpty)
        #expect(try await runtime.forecast(group: "web") == plain)
    }
}
