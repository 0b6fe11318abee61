import Features
import Foundation
import PSMConfiguration
import TOMLKit

/// `[[actuator.scrape]]`: one Prometheus endpoint, the metric read from it and the group it feeds
/// (docs/configuration.md). The matching series are summed; a counter becomes a rate per second.
package struct ScrapeTarget: Sendable, Hashable {
    package enum Kind: String, Sendable, Hashable { case counter, gauge }

    /// An absolute `http` or `https` URL serving the text exposition format.
    public var url: String
    /// The `[[actuator.groups]]` name it feeds.
    public var group: String
    /// The metric family read, and the labels a series must carry (exact match; an empty value
    /// matches a series without the label, as in PromQL).
    public var metric: String
    package var labels: [String: String]
    public var kind: Kind
    /// The name the group knows it by (`as`; the metric's name by default): the group's
    /// `demand_metric` picks it up, and it is stored as series `<group>/<name>`.
    public var name: String
    /// Seconds the request may take.
    public var timeout: Double

    package init(url: String, group: String, metric: String, labels: [String: String] = [:], kind: Kind,
                name: String? = nil, timeout: Double = 5) {
        self.url = url
        self.group = group
        self.metric = metric
        self.labels = labels
        self.kind = kind
        self.name = name ?? metric
        self.timeout = timeout
    }

    /// `web/tps`: the stored series, and how problems name the target (with its URL).
    public var series: String { "\(group)/\(name)" }
    var label: String { "scrape \(series) (\(shownURL))" }

    /// The URL without a password, for problem lines and logs.
    var shownURL: String {
        guard var parts = URLComponents(string: url), parts.password != nil else { return url }
        parts.password = "***"
        return parts.string ?? url
    }

    /// Names a scraped value may not take: the collector's own per-group series, and what
    /// `POST /v1/metrics` reads as capacity.
    static var reservedNames: [String] { VMRates.metrics + ["member_units", "running_units"] }

    static let keys = ["url", "group", "metric", "labels", "kind", "as", "timeout"]

    /// The `[[actuator.scrape]]` tables of `[actuator]`; each error names file, section and key.
    static func parse(_ actuator: TOMLSection, groups: [String], defaultTimeout: Double) throws(ConfigurationError) -> [ScrapeTarget] {
        guard let value = actuator.table?["scrape"] else { return [] }
        guard let list = value.array else { throw actuator.error(.wrongType, key: "scrape", "expected [[actuator.scrape]] tables") }
        var targets: [ScrapeTarget] = []
        for (i, element) in list.enumerated() {
            let s = TOMLSection(file: actuator.file, name: "actuator.scrape[\(i + 1)]", table: element.table)
            guard s.table != nil else { throw s.error(.wrongType, key: "", "expected a table") }
            try s.rejectUnknown(keys)
            guard let url = try s.string("url") else { throw s.error(.missingKey, key: "url", "required: the endpoint, e.g. \"http://10.0.0.5:9100/metrics\"") }
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = parsed.host, !host.isEmpty else {
                throw s.error(.invalidValue, key: "url", "expected an absolute http or https URL, got \"\(url)\"")
            }
            guard let group = try s.string("group") else { throw s.error(.missingKey, key: "group", "required: the [[actuator.groups]] name it feeds") }
            guard groups.contains(group) else {
                throw s.error(.invalidValue, key: "group", "no [[actuator.groups]] is named \"\(group)\" (groups: \(groups.joined(separator: ", ")))")
            }
            guard let metric = try s.string("metric") else { throw s.error(.missingKey, key: "metric", "required: the metric name in the exposition") }
            guard PrometheusText.isMetricName(metric) else {
                throw s.error(.invalidValue, key: "metric", "\"\(metric)\" is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
            }
            guard let kindText = try s.string("kind") else {
                throw s.error(.missingKey, key: "kind", "required: \"counter\" (read as a rate per second) or \"gauge\" (read as is)")
            }
            guard let kind = Kind(rawValue: kindText) else {
                throw s.error(.invalidValue, key: "kind", "expected \"counter\" or \"gauge\", got \"\(kindText)\"")
            }
            var labels: [String: String] = [:]
            let l = try s.section("labels")
            for key in (l.table?.keys ?? []).sorted() {
                guard PrometheusText.isLabelName(key) else {
                    throw l.error(.invalidValue, key: key, "not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)")
                }
                labels[key] = try l.string(key)
            }
            let name = try s.string("as") ?? metric
            guard !name.isEmpty, !name.contains("/"), !name.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 } == true }) else {
                throw s.error(.invalidValue, key: "as", "expected a name without \"/\" or blanks, e.g. \"tps\", got \"\(name)\"")
            }
            guard !reservedNames.contains(name) else {
                throw s.error(.invalidValue, key: "as", "\"\(name)\" is the collector's own (\(reservedNames.joined(separator: ", "))): choose another name")
            }
            let timeout = try s.number("timeout", from: 0, to: 600, lowerExclusive: true) ?? defaultTimeout
            targets.append(ScrapeTarget(url: url, group: group, metric: metric, labels: labels, kind: kind, name: name, timeout: timeout))
        }
        return targets
    }
}
