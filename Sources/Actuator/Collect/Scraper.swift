import AsyncHTTPClient
import Foundation
import MetricStore
import NIOCore
import NIOHTTP1
import Synchronization
import TimeSeries

/// One value a scrape gave a group: the sum over the targets that feed `<group>/<name>`.
public struct ScrapedValue: Sendable, Hashable {
    public var group: String
    public var name: String
    public var value: Double

    public init(group: String, name: String, value: Double) {
        self.group = group
        self.name = name
        self.value = value
    }
}

/// What one round of scrapes did (`Scraper.scrape`).
public struct ScrapeReport: Sendable {
    public var time: Int64
    /// One value per group and name whose every target gave one; a name with a gap in any of its
    /// targets is absent (a partial sum would understate demand).
    public var values: [ScrapedValue] = []
    /// Targets that failed, backed off, or whose counters reset: each a gap, said here.
    public var problems: [String] = []
    /// Targets asked this round (the others are backing off).
    package var attempted = 0
    /// Samples written to the store (closed model intervals) and removed by the retention.
    public var written = 0
    package var expired = 0
    public var seconds: Double = 0

    public init(time: Int64, values: [ScrapedValue] = []) {
        self.time = time
        self.values = values
    }

    public func value(group: String, name: String) -> Double? {
        values.first { $0.group == group && $0.name == name }?.value
    }
}

/// Pulls application metrics from Prometheus endpoints (`[[actuator.scrape]]`) every collector
/// interval, all targets at once, each within its timeout: sums the matching series, turns
/// counters into rates per second, and stores each group's value at the model interval with the
/// collector's retention (docs/actuator.md, "Collector"). A target that fails is a gap and a
/// problem, and is asked again after a backoff that doubles while it keeps failing.
package actor Scraper {
    /// How much of a body is read: a larger exposition is refused, not buffered.
    package static let defaultMaximumBodyBytes = 10 << 20
    /// The longest a failing target is left alone.
    package static let defaultMaximumBackoff: Int64 = 300

    private struct State {
        /// The matching counter series of the last good scrape, by series name, and its time.
        var previous: [String: Double]?
        var previousTime: Int64 = 0
        var failures = 0
        var nextAttempt = Int64.min
    }

    public let targets: [ScrapeTarget]
    let settings: Collector.Settings
    let store: any ActuatorStore
    let client: HTTPClient
    let maximumBodyBytes: Int
    let maximumBackoff: Int64
    private var states: [State]
    private var kept: SampleKeeper

    /// The scrapes' HTTP client for the life of the process: AsyncHTTPClient's defaults, except that a
    /// connection that cannot be established fails the request at once ("connection refused")
    /// instead of being retried until the timeout — the next interval is the retry.
    package static let defaultClient: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(connectionPool: pool))
    }()

    public init(targets: [ScrapeTarget], settings: Collector.Settings, store: any ActuatorStore, modelInterval: Int64,
                client: HTTPClient = Scraper.defaultClient, maximumBodyBytes: Int = Scraper.defaultMaximumBodyBytes,
                maximumBackoff: Int64 = Scraper.defaultMaximumBackoff) {
        self.targets = targets
        self.settings = settings
        self.store = store
        self.client = client
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumBackoff = maximumBackoff
        states = Array(repeating: State(), count: targets.count)
        kept = SampleKeeper(store: store, modelInterval: modelInterval, retention: settings.retention)
    }

    /// One round at `now` (Unix seconds): every target not backing off, concurrently.
    package func scrape(now: Int64) async -> ScrapeReport {
        let started = ContinuousClock.now
        var report = ScrapeReport(time: now)
        let due = targets.indices.filter { states[$0].nextAttempt <= now }
        report.attempted = due.count
        let client = client, limit = maximumBodyBytes, targets = targets
        let fetched = await withTaskGroup(of: (Int, Result<Exposition, ScrapeFailure>).self) { group in
            for i in due {
                group.addTask { (i, await Self.fetch(targets[i], client: client, maximumBodyBytes: limit)) }
            }
            var all: [Int: Result<Exposition, ScrapeFailure>] = [:]
            for await (i, result) in group { all[i] = result }
            return all
        }
        var values: [Int: Double] = [:]
        for (i, target) in targets.enumerated() {
            guard let result = fetched[i] else {
                report.problems.append("\(target.label): skipped while it keeps failing: a gap")
                continue
            }
            switch result.flatMap({ Self.read($0, for: target) }) {
            case .failure(let failure):
                failed(i, failure, now: now, report: &report)
            case .success(let series):
                states[i].failures = 0
                states[i].nextAttempt = .min
                switch target.kind {
                case .gauge:
                    values[i] = series.values.reduce(0, +)
                case .counter:
                    if let rate = rate(i, series, now: now, report: &report) { values[i] = rate }
                }
            }
        }
        for key in Set(targets.map { [$0.group, $0.name] }).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let (group, name) = (key[0], key[1])
            let feeding = targets.indices.filter { targets[$0].group == group && targets[$0].name == name }
            guard feeding.allSatisfy({ values[$0] != nil }) else { continue }
            let value = feeding.reduce(0) { $0 + values[$1]! }
            report.values.append(ScrapedValue(group: group, name: name, value: value))
            kept.add("\(group)/\(name)", metric: name, group: group, value: value, at: now)
        }
        do {
            (report.written, report.expired) = try await SampleKeeper.write(kept.take(now: now), to: store)
        } catch {
            report.problems.append("scraped samples not stored: \(error)")
        }
        let d = ContinuousClock.now - started
        report.seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        return report
    }

    /// A failed scrape: a problem, no rate across it, and the next attempt after a backoff that
    /// doubles with each failure in a row (one interval after the first), up to `maximumBackoff`.
    private func failed(_ i: Int, _ failure: ScrapeFailure, now: Int64, report: inout ScrapeReport) {
        let target = targets[i]
        states[i].previous = nil
        states[i].failures += 1
        let n = states[i].failures
        let interval = max(settings.interval, 1)
        let doubled = n >= 40 ? Int64.max : interval << Int64(n - 1)
        let wait = max(interval, min(doubled, maximumBackoff))
        states[i].nextAttempt = now + wait
        report.problems.append("\(target.label): \(failure.message): a gap")
        // Problem lines stay few and alike (the service logs each distinct one once): the cause, and
        // the wait each time it changes.
        if n > 1 { report.problems.append("\(target.label): keeps failing: next attempt in \(wait) s") }
    }

    /// The matching series' rate per second since the last good scrape, or nil (a gap) for the
    /// first scrape, a clock that went back, a counter that went down (a reset), or a series that
    /// appeared or vanished — never a negative or made-up rate.
    private func rate(_ i: Int, _ series: [String: Double], now: Int64, report: inout ScrapeReport) -> Double? {
        let target = targets[i]
        defer {
            states[i].previous = series
            states[i].previousTime = now
        }
        guard let previous = states[i].previous else { return nil }  // the first sample: quietly no rate yet
        let elapsed = now - states[i].previousTime
        guard elapsed > 0 else {
            report.problems.append("\(target.label): \(elapsed == 0 ? "no time passed" : "clock went back \(-elapsed) s") since the last scrape: a gap, not a rate")
            return nil
        }
        var gaps: [String] = []
        var total = 0.0
        for (name, value) in series.sorted(by: { $0.key < $1.key }) {
            guard let before = previous[name] else { gaps.append("\(name) is new"); continue }
            guard value >= before else {
                gaps.append("counter reset (\(name) went from \(Self.shown(before)) to \(Self.shown(value)))")
                continue
            }
            total += (value - before) / Double(elapsed)
        }
        for name in previous.keys.sorted() where series[name] == nil { gaps.append("\(name) vanished") }
        guard gaps.isEmpty else {
            report.problems.append("\(target.label): \(gaps.joined(separator: ", ")): a gap, not a rate")
            return nil
        }
        return total
    }

    static func shown(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }

    /// The target's matching series by name (`metric{labels}`), or why there is no value.
    static func read(_ exposition: Exposition, for target: ScrapeTarget) -> Result<[String: Double], ScrapeFailure> {
        let family = exposition.samples.filter { $0.name == target.metric }
        guard !family.isEmpty else {
            return .failure(ScrapeFailure("metric \(target.metric) absent from the exposition (\(exposition.samples.count) samples)"))
        }
        let matching = family.filter { s in target.labels.allSatisfy { s.labels[$0.key, default: ""] == $0.value } }
        let matcher = PrometheusText.seriesName(target.metric, target.labels)
        guard !matching.isEmpty else {
            return .failure(ScrapeFailure("no series of \(target.metric) matches \(matcher) (\(family.count) series with other labels)"))
        }
        if let bad = matching.first(where: { !$0.value.isFinite }) {
            return .failure(ScrapeFailure("\(bad.seriesName) is \(bad.value.isNaN ? "NaN" : bad.value > 0 ? "+Inf" : "-Inf"): not a value"))
        }
        var series: [String: Double] = [:]
        for s in matching { series[s.seriesName, default: 0] += s.value }
        return .success(series)
    }

    /// GETs the target within its timeout and parses the body; every way of failing is a
    /// `ScrapeFailure` in words (refused, timed out, a status other than 200, a body over the
    /// cap, text that is not the exposition format).
    static func fetch(_ target: ScrapeTarget, client: HTTPClient, maximumBodyBytes: Int) async -> Result<Exposition, ScrapeFailure> {
        let task = Task { () async -> Result<[UInt8], ScrapeFailure> in
            await get(target, client: client, maximumBodyBytes: maximumBodyBytes)
        }
        let timer = Task { try await Task.sleep(for: .seconds(target.timeout)) }
        // A race against the timeout that never waits for the loser: the request is cancelled when
        // the timer wins, the timer when the request does.
        let outcome: Result<[UInt8], ScrapeFailure>? = await withCheckedContinuation { continuation in
            let first = Mutex(true)
            let finish: @Sendable (Result<[UInt8], ScrapeFailure>?) -> Void = { value in
                if first.withLock({ let was = $0; $0 = false; return was }) { continuation.resume(returning: value) }
            }
            Task { finish(await task.value) }
            Task { if (try? await timer.value) != nil { finish(nil) } }
        }
        timer.cancel()
        guard let outcome else {
            task.cancel()
            return .failure(ScrapeFailure("did not answer within \(shown(target.timeout)) s"))
        }
        switch outcome {
        case .failure(let f): return .failure(f)
        case .success(let body):
            do { return .success(try PrometheusText.parse(body)) } catch {
                return .failure(ScrapeFailure("not the Prometheus text format: \(error)"))
            }
        }
    }

    static func get(_ target: ScrapeTarget, client: HTTPClient, maximumBodyBytes: Int) async -> Result<[UInt8], ScrapeFailure> {
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "Accept", value: "text/plain;version=0.0.4;q=1,*/*;q=0.1")
        request.headers.add(name: "User-Agent", value: "psm-actuator")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Int64(target.timeout * 1e9)))
            guard response.status.code == 200 else {
                var start: [UInt8] = []
                for try await chunk in response.body {
                    start += chunk.readableBytesView.prefix(200 - start.count)
                    if start.count >= 200 { break }
                }
                let text = String(decoding: start, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                return .failure(ScrapeFailure("answered \(response.status.code)\(text.isEmpty ? "" : ": \(text)")"))
            }
            let cap = "exceeds the \(maximumBodyBytes >= 1 << 20 && maximumBodyBytes % (1 << 20) == 0 ? "\(maximumBodyBytes >> 20) MiB" : "\(maximumBodyBytes)-byte") cap"
            if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodyBytes {
                return .failure(ScrapeFailure("body of \(length) bytes \(cap)"))
            }
            do {
                let body = try await response.body.collect(upTo: maximumBodyBytes)
                return .success(Array(body.readableBytesView))
            } catch is NIOTooManyBytesError {
                return .failure(ScrapeFailure("body \(cap)"))
            }
        } catch {
            return .failure(ScrapeFailure(describe(error, timeout: target.timeout)))
        }
    }

    /// A transport error in words: "connection refused" rather than a NIO type dump.
    static func describe(_ error: any Error, timeout: Double) -> String {
        let text = String(describing: error)
        if text.localizedCaseInsensitiveContains("connection refused") || text.contains("ECONNREFUSED") { return "connection refused" }
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout: return "did not answer within \(shown(timeout)) s (no connection)"
            case .deadlineExceeded, .readTimeout: return "did not answer within \(shown(timeout)) s"
            case .remoteConnectionClosed: return "the connection was closed before an answer"
            default: break
            }
        }
        return "request failed: \(text)"
    }
}

/// Why a target gave no value this round, in words.
package struct ScrapeFailure: Error, Sendable, Hashable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

extension ActuatorRuntime {
    /// Takes what the scraper saw: a group whose `demand_metric` is a scraped name gets its live
    /// demand (the value × `units_per_metric`; `demand_units` as is), as `POST /v1/metrics` and
    /// the collector's VM metrics do. A gap leaves the last demand in place.
    public func apply(_ scrape: ScrapeReport) {
        for v in scrape.values {
            guard let g = configuration.group(v.group), v.name == g.demandMetric || v.name == "demand_units" else { continue }
            if let last = demand[g.name], last.time > scrape.time { continue }
            observe(group: g.name, demand: v.name == "demand_units" ? v.value : v.value * g.unitsPerMetric, at: scrape.time)
        }
    }
}
