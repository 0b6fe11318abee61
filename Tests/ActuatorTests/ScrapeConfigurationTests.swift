@testable import Actuator
import Features
import Foundation
import PSMConfiguration
@testable import Scaling
import Testing

/// `[[actuator.scrape]]` in psm.toml: keys, defaults, and errors naming file, section and key; and
/// a scraped value as a group's live demand.
@Suite struct ScrapeConfigurationTests {
    static func config(_ scrape: String, collect: String = "") -> String {
        """
        [actuator]
        registry = "Models"

        [actuator.collect]
        \(collect)

        [[actuator.groups]]
        name = "web"
        unit = 10
        demand_metric = "tps"
        units_per_metric = 0.1

        [[actuator.groups]]
        name = "db"
        unit = 5

        \(scrape)
        """
    }

    static func error(_ text: String) -> ConfigurationError? {
        do {
            _ = try ActuatorConfiguration.parse(text, fileName: "psm.toml")
            return nil
        } catch {
            return error
        }
    }

    @Test func targetsAreReadWithTheirDefaults() throws {
        let text = Self.config("""
            [[actuator.scrape]]
            url = "http://127.0.0.1:9100/metrics"
            group = "web"
            metric = "http_requests_total"
            labels = { job = "web", code = "200" }
            kind = "counter"
            as = "tps"

            [[actuator.scrape]]
            url = "https://db.internal:9187/metrics"
            group = "db"
            metric = "pg_stat_activity_count"
            kind = "gauge"
            timeout = 2.5
            """, collect: "timeout = 3")
        let c = try ActuatorConfiguration.parse(text, fileName: "psm.toml")
        #expect(c.scrape == [
            ScrapeTarget(url: "http://127.0.0.1:9100/metrics", group: "web", metric: "http_requests_total",
                         labels: ["job": "web", "code": "200"], kind: .counter, name: "tps", timeout: 3),
            ScrapeTarget(url: "https://db.internal:9187/metrics", group: "db", metric: "pg_stat_activity_count",
                         kind: .gauge, name: "pg_stat_activity_count", timeout: 2.5),
        ])
        #expect(try ActuatorConfiguration.parse(Self.config(""), fileName: "psm.toml").scrape.isEmpty)
    }

    static let base = "url = \"http://127.0.0.1:9100/metrics\"\ngroup = \"web\"\nmetric = \"m\"\nkind = \"gauge\"\n"

    @Test(arguments: [
        ("colour = \"red\"", "[actuator.scrape[1]] colour", "unknown key"),
        ("timeout = 0", "[actuator.scrape[1]] timeout", "above 0 and at most 600"),
        ("timeout = 1e9", "[actuator.scrape[1]] timeout", "above 0 and at most 600"),
        ("timeout = nan", "[actuator.scrape[1]] timeout", "above 0 and at most 600"),
        ("labels = { job = 200 }", "[actuator.scrape[1].labels] job", "expected a string"),
        ("labels = { \"1x\" = \"a\" }", "[actuator.scrape[1].labels] 1x", "label name"),
        ("labels = \"job=web\"", "[actuator.scrape[1]] labels", "expected a table"),
        ("as = \"cpu\"", "[actuator.scrape[1]] as", "the collector's own"),
        ("as = \"a/b\"", "[actuator.scrape[1]] as", "without \"/\""),
    ])
    func badKeysAreRefusedByName(line: String, location: String, message: String) throws {
        let e = try #require(Self.error(Self.config("[[actuator.scrape]]\n" + Self.base + line)), "\(line) was accepted")
        #expect(e.file == "psm.toml")
        #expect(e.location == location, "\(e)")
        #expect(e.message.contains(message), "\(e)")
    }

    @Test(arguments: [
        ("url", "ftp://127.0.0.1/metrics", "http or https URL"),
        ("url", "not a url", "http or https URL"),
        ("url", "http:///metrics", "http or https URL"),
        ("group", "nosuch", "no [[actuator.groups]] is named \"nosuch\""),
        ("metric", "http-requests", "not a Prometheus metric name"),
        ("kind", "histogram", "expected \"counter\" or \"gauge\""),
    ])
    func badValuesAreRefusedByName(key: String, value: String, message: String) throws {
        let lines = Self.base.split(separator: "\n").map { $0.hasPrefix("\(key) =") ? "\(key) = \"\(value)\"" : String($0) }
        let e = try #require(Self.error(Self.config("[[actuator.scrape]]\n" + lines.joined(separator: "\n"))), "\(key) = \(value) was accepted")
        #expect(e.location == "[actuator.scrape[1]] \(key)", "\(e)")
        #expect(e.message.contains(message), "\(e)")
    }

    @Test(arguments: ["url", "group", "metric", "kind"])
    func requiredKeysAreNamed(key: String) throws {
        let lines = Self.base.split(separator: "\n").filter { !$0.hasPrefix("\(key) =") }
        let e = try #require(Self.error(Self.config("[[actuator.scrape]]\n" + lines.joined(separator: "\n"))))
        #expect(e.location == "[actuator.scrape[1]] \(key)" && e.message.hasPrefix("required"), "\(e)")
    }

    @Test func scrapeMustBeAnArrayOfTables() {
        let e = Self.error(Self.config("").replacingOccurrences(of: "registry = \"Models\"", with: "registry = \"Models\"\nscrape = 3"))
        #expect(e?.location == "[actuator] scrape", "\(String(describing: e))")
    }

    static func demand(_ runtime: ActuatorRuntime) async -> Double? {
        let demands = await runtime.demand
        return demands["web"]?.value
    }

    @Test func aScrapedValueIsTheLiveDemandOfAGroupThatNamesIt() async throws {
        let f = try RuntimeFixture(running: 0, maximum: 4)
        defer { f.cleanUp() }
        var configuration = f.configuration
        configuration.groups[0].demandMetric = "tps"
        configuration.groups[0].unitsPerMetric = 0.5
        let runtime = try await ActuatorRuntime(configuration: configuration, clock: ManualWallClock(f.start), connect: { _ in f.hypervisor })
        // Another name (stored only) leaves demand alone; the group's demand_metric sets it × units_per_metric.
        await runtime.apply(ScrapeReport(time: f.start, values: [ScrapedValue(group: "web", name: "queue", value: 99)]))
        #expect(await Self.demand(runtime) == nil)
        await runtime.apply(ScrapeReport(time: f.start, values: [ScrapedValue(group: "web", name: "tps", value: 30)]))
        #expect(await Self.demand(runtime) == 15)
        // A round with a gap (no value) leaves the last demand; an older round does not replace a newer one.
        await runtime.apply(ScrapeReport(time: f.start + 10))
        #expect(await Self.demand(runtime) == 15)
        await runtime.apply(ScrapeReport(time: f.start - 10, values: [ScrapedValue(group: "web", name: "tps", value: 2)]))
        #expect(await Self.demand(runtime) == 15)
        // demand_units is capacity units as is, as with POST /v1/metrics.
        await runtime.apply(ScrapeReport(time: f.start + 20, values: [ScrapedValue(group: "web", name: "demand_units", value: 8)]))
        #expect(await Self.demand(runtime) == 8)
        // The cycle decides on it.
        await runtime.apply(ScrapeReport(time: f.start + 30, values: [ScrapedValue(group: "web", name: "tps", value: 40)]))
        let report = await runtime.cycle()
        let trigger = try #require(report.triggers.first)
        #expect(trigger.comparedDemand == 20 && trigger.reason == .demand, "\(trigger)")
    }
}
