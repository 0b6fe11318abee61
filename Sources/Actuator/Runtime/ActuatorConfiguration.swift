import Foundation
import Hypervisor
import MetricStore
import Scaling

/// One managed VM group (`[[actuator.groups]]`).
public struct GroupConfiguration: Sendable, Hashable {
    public var name: String
    /// The series whose forecast is the group's demand (default: the group's only series, or the
    /// series named like the group).
    public var series: String?
    public var template: ShadowTemplate
    /// Capacity units serving before any activation (regular VMs; replay starts from it).
    public var running: Double
    public var bounds: GroupBounds
    /// The metric that measures demand — a VM metric the collector sums over the group
    /// (`VMRates.metrics`: `cpu` = busy vCPUs, `memory_mib`, …) or a pushed application metric —
    /// and capacity units per metric unit.
    public var demandMetric: String
    package var unitsPerMetric: Double
    /// Regular VMs psm did not create that belong to the group (`members`, name globs).
    public var members: [MemberPattern] = []
    /// Whether `running` was set in the file: it then overrides what the collector measures.
    public var runningConfigured = true
    /// `park = "auto"`: each cycle chooses pause or save for new shadows (`ParkChoice`); the
    /// template's `park` is then the latest choice.
    package var autoPark = false

    public init(name: String, series: String? = nil, template: ShadowTemplate, running: Double, bounds: GroupBounds,
                demandMetric: String = "demand_units", unitsPerMetric: Double = 1) {
        self.name = name
        self.series = series
        self.template = template
        self.running = running
        self.bounds = bounds
        self.demandMetric = demandMetric
        self.unitsPerMetric = unitsPerMetric
    }
}

/// Everything `psm-actuator` runs with (`[actuator]` in psm.toml; docs/configuration.md).
public struct ActuatorConfiguration: Sendable {
    /// The actuator's store (hosts, shadows, activations, decisions, notices): an SQLite file
    /// path, or a PostgreSQL URL (`postgres://user@host:port/db`, `postgres:///db?host=/socketdir`)
    /// that psm-actuator opens through PostgresStore.
    public var store: String
    /// How far the actuator's own commits (claims, activation records, shadow states, decisions)
    /// survive: `.process` (default) keeps the activation path free of fsyncs; notices are always
    /// committed power-loss durable. docs/configuration.md, `store_durability`, has the reasoning.
    package var storeDurability: MetricStore.Durability = .process
    /// The model registry written by `psm train`.
    public var registry: String
    /// Seconds between decision cycles (also the replay's step when the trace has none).
    public var interval: Int64 = 300
    /// Steps forecast each cycle, and the quantile levels asked of the models.
    public var horizon: Int = 12
    public var levels: [Double] = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99]
    public var hosts: [HostConfig]
    public var groups: [GroupConfiguration] {
        didSet { groupIndex = Self.index(groups) }
    }
    /// Each group's position in `groups` by name (`group(_:)` is called per shadow in the cycle's
    /// hot loops: a linear search made it quadratic in the groups).
    private var groupIndex: [String: Int] = [:]
    public var sizing: SizingPolicy
    public var trigger: TriggerPolicy
    /// Seconds a started shadow boots before it is parked.
    package var bootGrace: Int64 = 0
    /// Seconds a host may fail with connection errors before its shadows are marked lost and
    /// replaced elsewhere (`host_grace`; docs/actuator.md, "Lost hosts").
    package var hostGrace: Int64 = 90
    /// This actuator's name among those sharing a store (`[actuator] id`; default host name + pid):
    /// the owner of its group leases (docs/actuator.md, "Several actuators").
    public var actuatorID: String = ActuatorConfiguration.defaultActuatorID()
    /// Seconds a group lease lasts without renewal (`[actuator] lease`); nil: the default — leases
    /// taken with a PostgreSQL store (15 s), none with SQLite (one actuator owns every group).
    public var leaseSeconds: Int64?
    /// Hypervisor-changing reconcile steps per cycle.
    public var maximumActions: Int = 20
    /// The cost loop's evaluation window in seconds (bounds adjusted once per window).
    package var costWindow: Int64 = 86_400
    /// Activated VMs of a group whose utilisation stays below this share for `scaleInWindow`
    /// seconds are decommissioned one per cycle (0 disables it).
    package var scaleInUtilisation: Double = 0.3
    package var scaleInWindow: Int64 = 1800
    /// Prometheus file_sd output for activated VMs (nil: in memory only).
    package var monitoringFile: String?
    /// The calendar file (`[calendar] file`, shared with `psm train`) whose events models with
    /// event features read at scoring time; re-read when it changes.
    package var calendarFile: String?
    package var retry = RetryPolicy()
    /// `[actuator.collect]`: the collector's interval, retention and per-host timeout.
    public var collect = Collector.Settings()
    /// `[actuator.costs] memory`: c_memory, one GiB held by a paused shadow for one interval (nil:
    /// derived from c_reserve, `ParkChoice.derivedMemoryCost`). Read by `park = "auto"` only.
    package var memoryCost: Double?
    /// `[actuator.costs] run`: c_run, one capacity unit of a running VM for one interval (nil: not
    /// set). A replay prices its VMs with it (docs/actuator.md, "Replay"); with `forecast_level`
    /// it also sets `aheadLevel`.
    package var runCost: Double?
    /// `[actuator.costs] run` set: how the trigger's forecast level was raised to the cost level
    /// (`trigger.forecastLevel` holds the result); nil: `forecast_level` as configured.
    package var aheadLevel: AheadLevel?
    /// `[actuator.trigger] live`: "collection" (true, the default) runs the live trigger after every
    /// collection (`ActuatorRuntime.liveTrigger`), "cycle" (false) only in the decision cycle.
    package var liveTriggerEachCollection = true
    /// `[[actuator.scrape]]`: application metrics pulled from Prometheus endpoints at the collector's interval.
    package var scrape: [ScrapeTarget] = []
    /// `[actuator.routing]`: the traffic router and how activated VMs are named and addressed.
    package var routing = RoutingConfiguration()

    public init(store: String, registry: String, hosts: [HostConfig], groups: [GroupConfiguration],
                sizing: SizingPolicy, trigger: TriggerPolicy) {
        self.store = store
        self.registry = registry
        self.hosts = hosts
        self.groups = groups
        groupIndex = Self.index(groups)
        self.sizing = sizing
        self.trigger = trigger
    }

    public func group(_ name: String) -> GroupConfiguration? { groupIndex[name].map { groups[$0] } }

    /// The first position of each name (as the linear search found it).
    private static func index(_ groups: [GroupConfiguration]) -> [String: Int] {
        var index: [String: Int] = [:]
        for (i, g) in groups.enumerated() where index[g.name] == nil { index[g.name] = i }
        return index
    }
}

extension ActuatorConfiguration {
    /// The lease period when the runtime takes leases (a PostgreSQL store or `lease` set), else nil.
    package var leasePeriod: Int64? {
        leaseSeconds ?? (Self.isPostgresURL(store) ? 15 : nil)
    }

    /// Host name and process id: unique among live processes, new at each start.
    package static func defaultActuatorID() -> String {
        "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    /// Whether `store` names a PostgreSQL database rather than an SQLite file.
    package static func isPostgresURL(_ store: String) -> Bool {
        store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")
    }

    /// The SQLite store at `store`; a PostgreSQL URL is refused here (this target does not link
    /// PostgresNIO: psm-actuator opens it and passes it to `ActuatorRuntime.init(store:)`).
    package func openSQLiteStore() throws -> MetricStore {
        guard !Self.isPostgresURL(store) else {
            throw MetricStoreError(.cannotOpen, "store \(store) is a PostgreSQL URL: this program opens SQLite files only "
                                   + "(psm-actuator opens PostgreSQL stores)")
        }
        return try MetricStore(path: store, durability: storeDurability)
    }
}
