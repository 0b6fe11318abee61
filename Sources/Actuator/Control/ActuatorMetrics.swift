import Metrics
import MetricStore

/// The actuator's operational metrics, emitted through swift-metrics (docs/api.md, "Metrics").
///
/// The names are Prometheus-style because the API serves them on `/metrics` through
/// swift-prometheus; any other swift-metrics backend receives the same names and dimensions.
/// Group names become label values: they come from the configuration, never from a request, so the
/// number of series stays bounded.
public struct ActuatorMetrics: Sendable {
    /// Gauge `{group, quantile}`: the demand quantile (capacity units) the last sizing decision used.
    package static let forecastDemand = "psm_forecast_demand_units"
    /// Gauge `{group, state}`: shadows per state (every state is written, absent ones as 0).
    public static let shadows = "psm_shadows"
    /// Counter `{group, outcome}`: finished activations (succeeded, rolledBack, failed).
    public static let activations = "psm_activations_total"
    /// Histogram `{group}`: time from an activation's request to its outcome, in seconds.
    package static let activationLatency = "psm_activation_latency_seconds"
    /// Gauge `{group}`: the observed coverage of the live (online-calibrated) sizing level, 0…1.
    package static let liveCoverage = "psm_live_coverage_ratio"
    /// Counter `{group}`: reserve cost accumulated by shadows held (cost-model units).
    public static let reserveCost = "psm_reserve_cost_total"
    /// Counter `{group, step}`: routing calls that failed (step: enable, drain, disable); the
    /// activation still succeeds and the route is retried (docs/routing.md).
    package static let routingFailures = "psm_routing_failures_total"

    /// Buckets of the activation-latency histogram: 1 ms to 10 s, about three per decade.
    /// A paused shadow resumes in milliseconds, a managed-saved one restores in seconds.
    package static let activationLatencyBuckets: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    let factory: any MetricsFactory

    /// Emits through `factory`; the default is whatever `MetricsSystem` was bootstrapped with
    /// (nothing is recorded before a bootstrap).
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
    }

    /// Records a group's demand quantiles, keyed by level as written (e.g. "0.95").
    package func recordForecast(group: String, quantiles: [String: Double]) {
        for (level, value) in quantiles {
            Gauge(label: Self.forecastDemand, dimensions: [("group", group), ("quantile", level)], factory: factory)
                .record(value)
        }
    }

    /// Records how many of a group's shadows are in each state; states not in `counts` are set to 0,
    /// so a shadow leaving a state is seen leaving it.
    public func recordShadows(group: String, counts: [ShadowState: Int]) {
        for state in ShadowState.allCases {
            Gauge(label: Self.shadows, dimensions: [("group", group), ("state", state.rawValue)], factory: factory)
                .record(counts[state] ?? 0)
        }
    }

    /// Counts a finished activation and records its latency.
    package func recordActivation(group: String, outcome: String, latency: Duration) {
        Counter(label: Self.activations, dimensions: [("group", group), ("outcome", outcome)], factory: factory)
            .increment()
        Timer(label: Self.activationLatency, dimensions: [("group", group)], factory: factory)
            .recordNanoseconds(Self.nanoseconds(latency))
    }

    /// Records the observed coverage of a group's live sizing level (0…1).
    public func recordCoverage(group: String, coverage: Double) {
        Gauge(label: Self.liveCoverage, dimensions: [("group", group)], factory: factory).record(coverage)
    }

    /// Counts one failed routing call of a group's VM.
    package func recordRoutingFailure(group: String, step: String) {
        Counter(label: Self.routingFailures, dimensions: [("group", group), ("step", step)], factory: factory).increment()
    }

    /// Adds reserve cost charged to a group; negative or non-finite amounts are ignored (a counter
    /// only grows).
    package func addReserveCost(group: String, cost: Double) {
        guard cost.isFinite, cost > 0 else { return }
        FloatingPointCounter(label: Self.reserveCost, dimensions: [("group", group)], factory: factory)
            .increment(by: cost)
    }

    /// A duration in nanoseconds, saturating at Int64's range (a negative one counts as 0).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }
}

extension ActuatorMetrics {
    /// Counts a finished activation (an open one is not counted) with its recorded total latency.
    package func recordActivation(_ record: ActivationRecord) {
        guard let outcome = record.outcome else { return }
        let seconds = record.stepLatencies["total"] ?? record.stepLatencies.values.reduce(0, +)
        recordActivation(group: record.group, outcome: outcome.rawValue, latency: .nanoseconds(Int64(seconds * 1e9)))
    }
}
