@testable import Actuator
import Foundation
import Hummingbird
import HummingbirdTesting
import MetricStore
import Prometheus
import Testing
#if canImport(Glibc)
import Glibc
import TimeSeries
#endif

/// `[[actuator.scrape]]` against a real Hummingbird server on 127.0.0.1 whose counters and gauges
/// the tests change between scrapes: rates, resets, sums, storage, and every bad answer a target can
/// give (refused, 500, garbage, too slow, too big, absent metric, NaN) — each a gap and a problem.
@Suite struct ScraperTests {
    /// What the server exposes, changed by the tests.
    final class Exposed: @unchecked Sendable {
        private let lock = NSLock()
        private var _a = 100.0, _b = 50.0, _queue = 0.0
        private var _failing = false, _gateOpen = false
        private var _inFlight = 0, _maxInFlight = 0, _hits: [String: Int] = [:]
        let registry = PrometheusCollectorRegistry()

        func set(a: Double? = nil, b: Double? = nil, queue: Double? = nil) {
            lock.withLock {
                if let a { _a = a }
                if let b { _b = b }
                if let queue { _queue = queue }
            }
        }
        var failing: Bool {
            get { lock.withLock { _failing } }
            set { lock.withLock { _failing = newValue } }
        }
        func openGate() { lock.withLock { _gateOpen = true } }
        var gateOpen: Bool { lock.withLock { _gateOpen } }
        func hit(_ path: String) { lock.withLock { _hits[path, default: 0] += 1 } }
        func hits(_ path: String) -> Int { lock.withLock { _hits[path] ?? 0 } }
        func enter() { lock.withLock { _inFlight += 1; _maxInFlight = max(_maxInFlight, _inFlight) } }
        func leave() { lock.withLock { _inFlight -= 1 } }
        var maxInFlight: Int { lock.withLock { _maxInFlight } }

        var text: String {
            lock.withLock {
                """
                # HELP requests_total Requests served.
                # TYPE requests_total counter
                requests_total{job="web",code="200",instance="a"} \(_a)
                requests_total{job="web",code="200",instance="b"} \(_b)
                requests_total{job="web",code="500",instance="a"} \(_a * 7)
                requests_total{job="batch",code="200",instance="c"} 1e6
                # TYPE queue_depth gauge
                queue_depth{queue="orders"} \(_queue)
                queue_depth{queue="mail"} 1000
                # TYPE temperature gauge
                temperature NaN

                """
            }
        }
    }

    static func ok(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func server(_ exposed: Exposed) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in exposed.hit("/metrics"); return Self.ok(exposed.text) }
        router.get("/flaky") { _, _ -> Response in
            exposed.hit("/flaky")
            if exposed.failing {
                return Response(status: .internalServerError, body: .init(byteBuffer: ByteBuffer(string: "boom: database down")))
            }
            return Self.ok(exposed.text)
        }
        router.get("/slow") { _, _ -> Response in
            exposed.enter()
            defer { exposed.leave() }
            // Holds the answer until the test opens the gate (at most a minute).
            for _ in 0..<3_000 where !exposed.gateOpen { try? await Task.sleep(for: .milliseconds(20)) }
            return Self.ok(exposed.text)
        }
        router.get("/garbage") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html"],
                     body: .init(byteBuffer: ByteBuffer(string: "<html><body><h1>Welcome to nginx!</h1></body></html>\n")))
        }
        // 11 MiB of valid comment lines: only the cap refuses them. Once with a length, once chunked.
        let line = "# padding padding padding padding padding padding padding padding padding padding padding\n"
        let huge = String(repeating: line, count: (11 << 20) / line.utf8.count + 1)
        router.get("/huge") { _, _ -> Response in Self.ok(huge) }
        router.get("/huge-chunked") { _, _ -> Response in
            Response(status: .ok, body: ResponseBody { writer in
                let chunk = ByteBuffer(string: String(repeating: line, count: 1000))
                for _ in 0..<((11 << 20) / chunk.readableBytes + 1) { try await writer.write(chunk) }
                try await writer.finish(nil)
            })
        }
        router.get("/prometheus") { _, _ -> Response in Self.ok(exposed.registry.emitToString()) }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// A server for `body`, a store, and a target maker for its port.
    static func withServer(_ body: @Sendable (Exposed, MetricStore, @escaping @Sendable (String, String, [String: String], ScrapeTarget.Kind, String?, Double) -> ScrapeTarget) async throws -> Void) async throws {
        let exposed = Exposed()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scrape-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try MetricStore(path: directory.appendingPathComponent("store.sqlite").path)
        try await Self.server(exposed).test(.live) { (client: any TestClientProtocol) async throws in
            let port = try #require(client.port)
            // Whatever happens, the held answers end so that the server stops promptly.
            defer { exposed.openGate() }
            try await body(exposed, store) { path, metric, labels, kind, name, timeout in
                ScrapeTarget(url: "http://127.0.0.1:\(port)\(path)", group: "web", metric: metric, labels: labels, kind: kind,
                             name: name, timeout: timeout)
            }
        }
    }

    static func scraper(_ targets: [ScrapeTarget], store: MetricStore, modelInterval: Int64 = 300, retention: Int64 = 86_400,
                        interval: Int64 = 10, maximumBackoff: Int64 = 300) -> Scraper {
        var s = Collector.Settings()
        s.interval = interval
        s.retention = retention
        return Scraper(targets: targets, settings: s, store: store, modelInterval: modelInterval, maximumBackoff: maximumBackoff)
    }

    static let web200 = ["job": "web", "code": "200"]

    @Test func aCounterBecomesARatePerSecondSummedOverTheMatchingSeries() async throws {
        try await Self.withServer { exposed, store, target in
            let s = Self.scraper([target("/metrics", "requests_total", Self.web200, .counter, "tps", 30)], store: store)
            let first = await s.scrape(now: 1_000)
            // The first scrape has no earlier value: no rate, and nothing to complain about.
            #expect(first.values.isEmpty && first.problems.isEmpty, "\(first.problems)")
            exposed.set(a: 160, b: 90)  // +60 and +40 over 10 s; the code="500" and job="batch" series do not count
            let second = await s.scrape(now: 1_010)
            #expect(second.values == [ScrapedValue(group: "web", name: "tps", value: 10)], "\(second.problems)")
            let third = await s.scrape(now: 1_020)
            #expect(third.value(group: "web", name: "tps") == 0)
        }
    }

    @Test func aCounterResetIsAGapNeverANegativeRate() async throws {
        try await Self.withServer { exposed, store, target in
            let s = Self.scraper([target("/metrics", "requests_total", Self.web200, .counter, "tps", 30)], store: store)
            _ = await s.scrape(now: 1_000)
            exposed.set(a: 5, b: 60)  // instance a restarted: its counter went down
            let reset = await s.scrape(now: 1_010)
            #expect(reset.values.isEmpty)
            #expect(reset.problems.contains {
                $0.contains(#"counter reset (requests_total{code="200",instance="a",job="web"} went from 100 to 5)"#) && $0.hasSuffix("a gap, not a rate")
            }, "\(reset.problems)")
            // The next scrape rates from the value after the reset.
            exposed.set(a: 25, b: 80)
            let after = await s.scrape(now: 1_020)
            #expect(after.value(group: "web", name: "tps") == 4, "\(after.problems)")
            // A clock that went back is a gap too.
            let back = await s.scrape(now: 1_015)
            #expect(back.values.isEmpty && back.problems.contains { $0.contains("clock went back 5 s") })
        }
    }

    @Test func aGaugeIsReadAsIsAndStoredPerGroupAtTheModelIntervalWithRetention() async throws {
        try await Self.withServer { exposed, store, target in
            let s = Self.scraper([target("/metrics", "queue_depth", ["queue": "orders"], .gauge, "queue", 30)], store: store,
                                 modelInterval: 60, retention: 120)
            var written = 0, expired = 0
            for t in stride(from: Int64(0), through: 1_300, by: 10) {
                exposed.set(queue: Double(t / 60) * 2 + (t % 20 == 0 ? 1 : 0))  // interval k: 2k and 2k + 1 alternating
                let r = await s.scrape(now: t)
                #expect(r.value(group: "web", name: "queue") == Double(t / 60) * 2 + (t % 20 == 0 ? 1 : 0), "\(r.problems)")
                written += r.written
                expired += r.expired
            }
            // One mean per closed minute (0 … 1,200; 1,260 is still open). The retention runs as the
            // collector's, at most every 600 s: at 60, at 660 (before 540) and at 1,260 (before 1,140).
            let series = try #require(try store.series(key: "web/queue"))
            #expect(series.grid.step == 60 && series.grid.start == 1_140 && series.values == [38.5, 40.5])
            #expect(series.metric == "queue" && series.group == "web")
            #expect(written == 21 && expired == 19)
        }
    }

    @Test func targetsFeedingOneNameAreSummedAndAGapInAnyIsAGapInTheSum() async throws {
        try await Self.withServer { exposed, store, target in
            exposed.set(queue: 7)
            let s = Self.scraper([target("/metrics", "queue_depth", ["queue": "orders"], .gauge, "queue", 30),
                                  target("/flaky", "queue_depth", ["queue": "orders"], .gauge, "queue", 30)], store: store)
            #expect(await s.scrape(now: 1_000).values == [ScrapedValue(group: "web", name: "queue", value: 14)])
            exposed.failing = true
            let partial = await s.scrape(now: 1_010)
            #expect(partial.values.isEmpty, "half the sum would understate demand")
            #expect(partial.problems.contains { $0.contains("/flaky): answered 500: boom: database down: a gap") }, "\(partial.problems)")
        }
    }

    @Test func everyBadAnswerIsAProblemAndAGapNeverAValue() async throws {
        let refused = try Self.freePort()
        try await Self.withServer { exposed, store, target in
            var refusedTarget = target("/metrics", "queue_depth", [:], .gauge, "refused", 30)
            refusedTarget.url = "http://127.0.0.1:\(refused)/metrics"
            let s = Self.scraper([
                target("/metrics", "queue_depth", ["queue": "orders"], .gauge, "good", 30),
                refusedTarget,
                target("/flaky", "queue_depth", [:], .gauge, "error", 30),
                target("/garbage", "queue_depth", [:], .gauge, "garbage", 30),
                target("/slow", "queue_depth", [:], .gauge, "slow", 0.5),
                target("/metrics", "no_such_metric", [:], .gauge, "absent", 30),
                target("/metrics", "queue_depth", ["queue": "nope"], .gauge, "unmatched", 30),
                target("/metrics", "temperature", [:], .gauge, "nan", 30),
                target("/huge", "queue_depth", [:], .gauge, "huge", 30),
                target("/huge-chunked", "queue_depth", [:], .gauge, "chunked", 30),
            ], store: store)
            exposed.failing = true
            exposed.set(queue: 3)
            let started = ContinuousClock.now
            let r = await s.scrape(now: 1_000)
            // Loose: the parallel suite can delay the timeout's wake-up by seconds.
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(r.values == [ScrapedValue(group: "web", name: "good", value: 3)], "\(r.problems)")
            #expect(r.attempted == 10)
            func said(_ name: String, _ phrase: String) {
                #expect(r.problems.contains { $0.hasPrefix("scrape web/\(name) (") && $0.contains(phrase) && $0.hasSuffix("a gap") },
                        "\(name): no \"\(phrase)\" in \(r.problems)")
            }
            said("refused", "connection refused")
            said("error", "answered 500: boom: database down")
            said("garbage", "not the Prometheus text format: line 1: expected a metric name")
            said("slow", "did not answer within 0.5 s")
            said("absent", "metric no_such_metric absent from the exposition")
            said("unmatched", #"no series of queue_depth matches queue_depth{queue="nope"} (2 series with other labels)"#)
            said("nan", "temperature is NaN: not a value")
            said("huge", "exceeds the 10 MiB cap")
            said("chunked", "body exceeds the 10 MiB cap")
            #expect(r.problems.count == 9, "\(r.problems)")
        }
    }

    @Test func allTargetsAreScrapedAtOnce() async throws {
        try await Self.withServer { exposed, store, target in
            let s = Self.scraper([target("/slow", "queue_depth", [:], .gauge, "one", 2),
                                  target("/slow", "queue_depth", [:], .gauge, "two", 2)], store: store)
            let r = await s.scrape(now: 1_000)
            // Both requests were held by the server at the same time: one round, not one after the other.
            #expect(exposed.maxInFlight == 2)
            #expect(r.values.isEmpty && r.problems.filter { $0.contains("did not answer within 2 s") }.count == 2, "\(r.problems)")
        }
    }

    @Test func aTargetThatKeepsFailingIsAskedLessOftenAndRecovers() async throws {
        try await Self.withServer { exposed, store, target in
            exposed.failing = true
            exposed.set(queue: 4)
            let s = Self.scraper([target("/flaky", "queue_depth", ["queue": "orders"], .gauge, "queue", 30)], store: store,
                                 interval: 10, maximumBackoff: 40)
            var attempted: [Int] = []
            var problems: [String] = []
            for t in stride(from: Int64(0), through: 140, by: 10) {
                if t == 120 { exposed.failing = false }
                let r = await s.scrape(now: t)
                attempted.append(r.attempted)
                problems += r.problems
            }
            // Failures at 0 (again after one interval), 10 (after 20 s), 30 (40 s), 70 and 110 (at most
            // 40 s); up again from 120, it is asked at 150 and from then on every interval.
            #expect(attempted == [1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
            #expect(exposed.hits("/flaky") == 5)
            #expect(problems.contains { $0.hasSuffix("keeps failing: next attempt in 40 s") }, "\(problems)")
            #expect(problems.contains { $0.contains("/flaky): skipped while it keeps failing: a gap") })
            // Few distinct lines however long the outage (the service warns once per distinct line):
            // the cause, the skip, and each new wait (20 s, 40 s).
            #expect(Set(problems).count == 4, "\(Set(problems))")
            let back = await s.scrape(now: 150)
            #expect(back.attempted == 1 && back.values == [ScrapedValue(group: "web", name: "queue", value: 4)], "\(back.problems)")
            #expect(await s.scrape(now: 160).attempted == 1)
        }
    }

    @Test func aSwiftPrometheusEndpointIsScraped() async throws {
        try await Self.withServer { exposed, store, target in
            let counter = exposed.registry.makeCounter(name: "http_requests_total", labels: [("job", "web"), ("code", "200")])
            exposed.registry.makeCounter(name: "http_requests_total", labels: [("job", "web"), ("code", "503")]).increment(by: Int64(9))
            let depth = exposed.registry.makeGauge(name: "jobs_waiting", labels: [("queue", "orders")])
            counter.increment(by: Int64(1_000))
            depth.set(12.0)
            let s = Self.scraper([target("/prometheus", "http_requests_total", Self.web200, .counter, "tps", 30),
                                  target("/prometheus", "jobs_waiting", [:], .gauge, "waiting", 30)], store: store)
            let first = await s.scrape(now: 2_000)
            #expect(first.values == [ScrapedValue(group: "web", name: "waiting", value: 12)], "\(first.problems)")
            counter.increment(by: Int64(50))
            let second = await s.scrape(now: 2_005)
            #expect(second.value(group: "web", name: "tps") == 10, "\(second.problems)")
        }
    }

    /// A port nobody listens on: taken from the kernel, then released.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw CollectorError("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw CollectorError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
