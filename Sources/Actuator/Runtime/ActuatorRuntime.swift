import Calibration
import Foundation
import Hypervisor
import MetricStore
import ModelRegistry
import Scaling
import TimeSeries

/// What one decision cycle did (also the replay's per-interval record).
public struct CycleReport: Sendable {
    public var time: Int64
    public var decisions: [SizingDecision] = []
    /// The forecast each group was sized and triggered on (calibrated, notices applied).
    public var forecasts: [String: ForecastDistribution] = [:]
    public var triggers: [TriggerDecision] = []
    /// Activations run this cycle (their records, with step latencies).
    public var activations: [ActivationRecord] = []
    public var reconcile = ReconcileReport()
    /// Shadows retired by scale-in (activated VMs no longer needed, drained first).
    package var retired: [String] = []
    /// Routes retried, still failing, or draining (docs/routing.md).
    package var routing = RoutingReport()
    /// Problems met, each naming the group or host (the cycle went on).
    public var problems: [String] = []
    /// Changes an operator should know of that are not problems (the cost loop moving a maximum).
    package var notes: [String] = []
    /// Each host's state after this cycle's check (up, unreachable, lost).
    public var hosts: [String: HostState] = [:]
    /// Seconds spent scoring, sizing and planning (the decision part, without libvirt and the store).
    package var decisionSeconds: Double = 0
    /// Where the cycle's wall time went, step by step in the order they ran (the `cycle` log line's
    /// `phase_ms`, psm-cycle-bench's breakdown).
    public var phases: [CyclePhase] = []
}

/// One step of a decision cycle and the time it took.
public struct CyclePhase: Sendable, Hashable {
    public var name: String
    /// Wall time.
    public var seconds: Double
    /// The process's CPU time over the step (every thread: in psm-actuator the API's too), what a
    /// benchmark on a shared machine compares.
    public var cpuSeconds: Double

    /// The steps in the order `cycle()` runs them.
    public static let names = ["refresh", "leases", "hosts", "shadows", "score", "decide", "activate", "scale_in", "routing",
                               "reconcile", "charge", "log"]
}

/// Times the steps of a cycle one after the other.
struct PhaseClock {
    private var last = ContinuousClock.now
    private var lastCPU = PhaseClock.processCPU()
    private(set) var phases: [CyclePhase] = []

    mutating func end(_ name: String) {
        let now = ContinuousClock.now, cpu = Self.processCPU()
        let d = now - last
        phases.append(CyclePhase(name: name, seconds: Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18,
                                 cpuSeconds: cpu - lastCPU))
        last = now
        lastCPU = cpu
    }

    static func processCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// The actuator: scores each group's model against live demand, sizes its shadow pool, activates
/// shadows when demand rises, reconciles the hypervisors with the decided pools, and keeps the
/// cost loop (docs/actuator.md, "Runtime"). One actor, so the HTTP API and the cycle never race
/// on its state; the store and libvirt are the shared truth across restarts.
public actor ActuatorRuntime {
    nonisolated public let configuration: ActuatorConfiguration
    /// The configured groups' names, for the API's per-request check.
    nonisolated let groupNames: Set<String>
    nonisolated public let store: any ActuatorStore
    nonisolated public let catalog: ModelCatalog
    /// The groups' memory models (registry groups `<group>.memory_mib`), served where published
    /// (docs/actuator.md, "Binding resource").
    nonisolated package let memoryCatalog: ModelCatalog
    /// Configured group → the registry group of its memory model.
    nonisolated let memoryModelGroups: [String: String]
    nonisolated public let inventory: Inventory
    nonisolated public let hypervisors: [String: any Hypervisor]
    nonisolated public let activator: Activator
    nonisolated public let monitoring: MonitoredDomains
    nonisolated package let decisionLog: DecisionLog
    nonisolated public let clock: any WallClock
    /// Decide and log, but never change a domain or a shadow.
    nonisolated package let dryRun: Bool
    /// Where forecasts, shadow counts, activations, coverage and reserve cost are reported.
    nonisolated public let metrics: ActuatorMetrics
    /// The `[calendar] file`'s events, for models with event features.
    nonisolated package let calendarEvents: CalendarEvents
    /// Notices from the API, written in group commits (one durable transaction for those that
    /// arrive together).
    nonisolated let noticeWriter: EventCommitQueue
    /// The API's forecast answers, per group, until a cycle or a notice changes them.
    nonisolated let forecastViews: ForecastViewCache
    /// The groups this actuator holds (every group when leases are off: SQLite, one actuator).
    nonisolated public let leaseBook: LeaseBook
    /// Takes, renews and rebalances group leases with the other actuators of a shared store (nil:
    /// leases off — an SQLite store without `[actuator] lease`, or a dry run). docs/actuator.md,
    /// "Several actuators".
    nonisolated package let leaseKeeper: LeaseKeeper?
    var reconciler: Reconciler
    var sizer: Sizer
    var ledger: CostLedger
    var policy: SizingPolicy
    var costWindowStart: Int64
    /// The latest demand per group (capacity units) and when it was seen.
    var demand: [String: (time: Int64, value: Double)] = [:]
    /// The last forecast scored per group (through the model, before explicit notice adjustments).
    var forecasts: [String: ForecastDistribution] = [:]
    /// The notices that reached each group's last forecast through the model (absent: none).
    var modelNotices: [String: Set<Int64>] = [:]
    /// Capacity units of regular VMs beyond the configured `running` (on-demand launches in a
    /// replay, or `running_units` pushed through the API).
    var extraRunning: [String: Double] = [:]
    /// What the collector last saw of each group's members (regular VMs), for its running capacity.
    var measured: [String: GroupSample] = [:]
    /// The collector's latest memory sum (MiB) of each group's running members and activated
    /// shadows, and when it was seen: what its memory model is fed and what the pool holds.
    var memoryObserved: [String: (time: Int64, value: Double)] = [:]
    /// The memory side of the last cycle per group with a memory model (sizing, activation size).
    var memorySides: [String: MemoryInput] = [:]
    /// Since when each group's utilisation has stayed below the scale-in threshold.
    var lowSince: [String: Int64] = [:]
    /// Host connection failures met at start (the hosts are left out: degraded; with none left,
    /// `init` throws).
    package internal(set) var hostProblems: [String: String] = [:]
    var activationCounter = 0
    /// Measured restore and resume latencies per group (`park = "auto"`).
    var latencySamples = LatencySamples()
    /// What became of the stored sizing state at start (restored, none, or discarded and why).
    package private(set) var stateRestore: StateRestore = .none
    /// Problems met at start that the first cycle reports (a stored state that could not be used).
    var startProblems: [String] = []

    /// Opens the store (or takes `store`, opened by the caller: psm-actuator opens a PostgreSQL
    /// `[actuator] store` through PostgresStore, which this target does not link), registers the
    /// hosts, connects to each host's hypervisor (`connect`, default libvirt), adopts what they hold
    /// and loads the models.
    public init(configuration: ActuatorConfiguration, clock: any WallClock = SystemWallClock(),
                router: any TrafficRouter = NoTrafficRouter(), dryRun: Bool = false,
                metrics: ActuatorMetrics = ActuatorMetrics(), store given: (any ActuatorStore)? = nil,
                connect: (HostConfig) throws -> any Hypervisor) async throws {
        self.metrics = metrics
        self.configuration = configuration
        groupNames = Set(configuration.groups.map(\.name))
        self.clock = clock
        self.dryRun = dryRun
        let store = try given ?? configuration.openSQLiteStore()
        self.store = store
        calendarEvents = try CalendarEvents(path: configuration.calendarFile)
        let views = ForecastViewCache()
        forecastViews = views
        // A committed notice drops its groups' forecasts before any of its requests is answered.
        noticeWriter = EventCommitQueue(store: store) { events in views.invalidate(noticeGroupsOf: events) }
        inventory = Inventory(store: store, clock: clock)
        try inventory.register(configuration.hosts)
        var connected: [String: any Hypervisor] = [:]
        var problems: [String: String] = [:]
        for host in configuration.hosts where host.enabled {
            do {
                connected[host.name] = try connect(host)
            } catch {
                problems[host.name] = "cannot connect to \(host.uri): \(error)"
            }
        }
        // Some hosts down is a degraded start (said per host); none reachable is no actuator at all.
        if connected.isEmpty, !problems.isEmpty {
            throw HypervisorError(code: .connectionFailed, operation: "connect",
                                  message: "no configured host could be reached: "
                                      + problems.sorted { $0.key < $1.key }.map { "host \($0.key): \($0.value)" }.joined(separator: "; "))
        }
        hypervisors = connected
        hostProblems = problems
        monitoring = MonitoredDomains(path: configuration.monitoringFile)
        // A dry run takes no lease: it must not take groups from the actuator it looks at.
        let period = dryRun ? nil : configuration.leasePeriod
        let book = LeaseBook(enabled: period != nil)
        leaseBook = book
        leaseKeeper = period.map { seconds in
            LeaseKeeper(store: store, owner: configuration.actuatorID, seconds: seconds, groups: configuration.groups.map(\.name),
                        fingerprints: Self.fingerprints(configuration), book: book)
        }
        var activator = Activator(store: store, hypervisors: connected, router: router, monitoring: monitoring, clock: clock,
                                  retry: configuration.retry, routing: configuration.routing, metrics: metrics)
        activator.leases = book
        self.activator = activator
        reconciler = Reconciler(store: store, inventory: inventory, hypervisors: connected,
                                templates: Dictionary(uniqueKeysWithValues: configuration.groups.map { ($0.name, $0.template) }),
                                clock: clock, retry: configuration.retry, bootGrace: configuration.bootGrace,
                                maximumActions: configuration.maximumActions)
        reconciler.leases = book
        // The online state the last run stored (ACI, hysteresis, the cost loop's window), or a fresh one.
        let fresh = try Sizer(policy: configuration.sizing, clock: clock)
        // Under leases each group's state is restored when its lease is acquired (restoreSizing(of:)).
        let restored = leaseKeeper == nil ? Self.restoredSizing(store, configuration: configuration, fresh: fresh, now: clock.now())
            : (states: [:], costLoop: nil, outcome: StateRestore.none)
        var policy = configuration.sizing
        policy.bounds.merge(restored.costLoop?.bounds ?? [:]) { _, moved in moved }
        self.policy = policy
        sizer = try Sizer(policy: policy, clock: clock, states: restored.states)
        ledger = CostLedger(costs: configuration.sizing.costs, window: restored.costLoop?.entries ?? [])
        costWindowStart = restored.costLoop?.windowStart ?? clock.now()
        stateRestore = restored.outcome
        if case .discarded(let reason) = restored.outcome { startProblems = [reason] }
        decisionLog = DecisionLog(store: store)
        latencySamples = Self.seededLatencies(store, configuration: configuration)
        let registry = ModelRegistry(root: URL(fileURLWithPath: configuration.registry))
        // A model with event features is primed with the events over its kept history.
        let calendar = calendarEvents
        catalog = ModelCatalog(registry: registry, groups: configuration.groups.map(\.name), events: { group, window in
            let notices = (try? store.events(kind: .notice, overlapping: window, scope: .group(group))) ?? []
            return calendar.current + notices.map(\.event)
        })
        // Memory models: only the registry's `<group>.memory_mib` groups of configured groups are
        // read, so a group without one costs nothing per refresh. They are trained without the
        // group's notices (scoped to the group, not to its memory model): calendar events only.
        let memoryGroups = Dictionary(configuration.groups.compactMap { g in MemoryModelName.registryGroup(of: g.name).map { (g.name, $0) } },
                                      uniquingKeysWith: { a, _ in a })
        memoryModelGroups = memoryGroups
        let served = Set(memoryGroups.values)
        memoryCatalog = ModelCatalog(registry: registry, events: { _, _ in calendar.current },
                                     include: { served.contains($0) })
        catalog.refresh()
        memoryCatalog.refresh()
        // Each host's measured capacity before anything is placed (a dry run measures too: it
        // changes no domain, and the sizer's free capacity must be the host's).
        _ = await checkHosts()
        // Under leases a group is adopted when it is acquired (ActuatorRuntime+Leases): the other
        // actuators' groups, records and domains, are theirs.
        if !dryRun, leaseKeeper == nil { await adopt() }
    }

    /// Brings the store and every host's domains into agreement (at start, and repair after a
    /// crash): adoption, then every active shadow is re-added to monitoring and routing
    /// (idempotent), because an activation interrupted after resuming may have missed them, and
    /// servers psm routed whose VM is no longer active are taken out of rotation (`reconcileRoutes`).
    public func adopt() async {
        for (host, hypervisor) in hypervisors.sorted(by: { $0.key < $1.key }) {
            do {
                let report = try await adopt(host: host, hypervisor: hypervisor)
                for (action, reason) in report.failed { hostProblems["\(host): \(action)"] = reason }
            } catch {
                hostProblems[host] = "adoption failed: \(error)"
            }
        }
        for shadow in (try? store.shadows(states: [.active])) ?? [] {
            try? await monitoring.watch(group: shadow.group, domain: shadow.domainName, host: shadow.host)
        }
        await reconcileRoutes()
    }

    /// Adoption on one host: its domains against the store (at start, and when a lost host answers again).
    func adopt(host: String, hypervisor: any Hypervisor, only: Set<String>? = nil) async throws -> AdoptionReport {
        let groups = Set(configuration.groups.map(\.name))
        let units = Dictionary(configuration.groups.map { ($0.name, $0.template) }, uniquingKeysWith: { a, _ in a })
        let book = leaseBook, clock = clock
        return try await Adoption.run(hypervisor: hypervisor, host: host, store: store, knownGroups: groups,
                                      clock: clock, only: only,
                                      fence: { book.fence($0, at: clock.now()) }, holds: { book.holds($0, at: clock.now()) },
                                      units: { size in
            // Adopted records carry the template's units when the size matches it.
            units.values.first { $0.full == size }?.units ?? 0
        })
    }

    /// Records live demand of `group` in capacity units at `time` (a replayed or pushed sample).
    public func observe(group: String, demand value: Double, at time: Int64) {
        demand[group] = (time, value)
    }

    /// Sets the regular capacity of `group` beyond its configured `running`.
    package func setExtraRunning(group: String, units: Double) {
        extraRunning[group] = units.isFinite ? max(units, 0) : 0
    }

    /// Capacity units serving `group` now: regular VMs plus activated shadows.
    package func runningCapacity(_ group: String) -> Double {
        guard let g = configuration.group(group) else { return 0 }
        let active = (try? store.shadows(group: group, states: [.activating, .active])) ?? []
        return serving(g, activeShadows: active.count, shadowUnits: activeShadowUnits(active)[group] ?? 0).units
    }

    /// Capacity units the activated shadows serve per group: each its unit × the vCPUs its
    /// activation applied / its full vCPUs (a shadow activated below its full size serves less;
    /// one whose activation recorded no size serves its full unit).
    /// `applied`: the vCPUs each active shadow's activation applied (read from the store when nil).
    func activeShadowUnits(_ shadows: [ShadowRecord], applied given: [String: Int64]? = nil) -> [String: Double] {
        var units: [String: Double] = [:]
        let active = shadows.filter { $0.state == .activating || $0.state == .active }
        guard !active.isEmpty else { return units }
        let applied = given ?? (try? store.appliedVCPUsOfActiveShadows()) ?? [:]
        for s in active {
            let unit = Double(configuration.group(s.group)?.template.units ?? s.reservedUnits)
            let share = applied[s.id].map { s.fullVCPUs > 0 ? min(1, Double($0) / Double(s.fullVCPUs)) : 1 } ?? 1
            units[s.group, default: 0] += unit * share
        }
        return units
    }

    /// The group's running capacity by the running-capacity rule (Scaling, `RunningSource`), from
    /// what the runtime holds: the configured `running` or the collector's measure, on-demand
    /// capacity, activated shadows. The source says where the figure came from (`explain`).
    func serving(_ g: GroupConfiguration, activeShadows: Int, shadowUnits: Double? = nil) -> (units: Double, source: RunningSource) {
        let seen = measured[g.name].map { (units: $0.memberUnits, members: $0.members.count, time: $0.time) }
        let source = RunningSource(configured: g.runningConfigured ? g.running : nil, measured: seen,
                                   onDemand: extraRunning[g.name] ?? 0, activeShadows: activeShadows,
                                   shadowUnits: shadowUnits, unit: Double(g.template.units))
        return (source.total, source)
    }

    /// Takes what the collector saw: each group's members (its running capacity) and, for a group
    /// whose `demand_metric` is a VM metric, its live demand (the metric's sum × `units_per_metric`),
    /// and its memory sum (what its memory model is fed and what the pool holds, when it has one).
    /// A metric that was a gap leaves the last demand (or memory sum) in place.
    public func apply(_ collection: CollectionReport) {
        for sample in collection.groups {
            guard let g = configuration.group(sample.group) else { continue }
            if !g.members.isEmpty { measured[g.name] = sample }
            if let memory = sample.sums[MemoryModelName.metric], memory.isFinite,
               (memoryObserved[g.name]?.time ?? .min) <= sample.time {
                memoryObserved[g.name] = (sample.time, memory)
            }
            if VMRates.metrics.contains(g.demandMetric), let sum = sample.sums[g.demandMetric] {
                if let last = demand[g.name], last.time > sample.time { continue }
                observe(group: g.name, demand: sum * g.unitsPerMetric, at: sample.time)
            }
        }
    }

    /// The grid position of an observation at `time`: snapped to the model's grid (its next
    /// expected position fixes the phase), or to multiples of the interval when no model is loaded.
    func gridPosition(_ time: Int64, group: String, series: String, in models: ModelCatalog? = nil) -> Int64 {
        let step = configuration.interval
        let origin = (models ?? catalog).scorer(group: group)?.nextPosition(seriesID: series) ?? 0
        let offset = ((time - origin) % step + step) % step
        return time - offset
    }

    /// One decision cycle at the clock's time.
    public func cycle() async -> CycleReport {
        let now = clock.now()
        var report = CycleReport(time: now)
        report.problems = startProblems
        startProblems = []
        let started = ContinuousClock.now
        var phases = PhaseClock()
        // The store is the truth every step stands on (shadows, claims, fences): without it a
        // cycle changes no domain. Reads the API serves from memory go on; the next cycle resumes.
        do {
            try store.check()
            metrics.recordStore(available: true)
        } catch {
            metrics.recordStore(available: false)
            report.problems.append("store \(store.location) does not answer: cycle skipped, no domain changed (\(error))")
            return report
        }
        catalog.refresh()
        memoryCatalog.refresh()
        if let problem = calendarEvents.reloadIfChanged() { report.problems.append(problem) }
        var decisionTime = ContinuousClock.now - started
        phases.end("refresh")
        // The groups held this cycle (all of them without leases), those newly taken adopted first.
        let groups = await leaseStep(now: now, report: &report)
        phases.end("leases")
        let hostCheck = await checkHosts()
        phases.end("hosts")
        report.problems += hostCheck.problems
        report.notes += hostCheck.notes
        report.hosts = hostCheck.states
        let shadows = (try? store.shadows(states: [.planned, .defining, .ready, .activating, .active])) ?? []
        var pools: [String: Int] = [:]
        var ready: [String: Int] = [:]
        var active: [String: Int] = [:]
        for s in shadows {
            switch s.state {
            case .planned, .defining: pools[s.group, default: 0] += 1
            case .ready: pools[s.group, default: 0] += 1; ready[s.group, default: 0] += 1
            case .activating, .active: active[s.group, default: 0] += 1
            default: break
            }
        }
        phases.end("shadows")
        // Read once: the units activated shadows serve, here and in scale-in.
        let applied = (try? store.appliedVCPUsOfActiveShadows()) ?? [:]
        let activeUnits = activeShadowUnits(shadows, applied: applied)
        let notices = noticeEffects(now: now)
        let calendar = calendarEvents.current
        var inputs: [SizingInput] = []
        var triggerInputs: [TriggerInput] = []
        var parkInputs: [String: (forecast: ForecastDistribution?, running: Double)] = [:]
        let t0 = ContinuousClock.now
        for group in groups {
            let observed = demand[group.name]
            let value = observed.map(\.value) ?? .nan
            if let observed { sizer.recordDemand(group: group.name, actual: observed.value) }
            let forecast = score(group, observed: observed, notices: notices[group.name] ?? [], calendar: calendar,
                                 problems: &report.problems)
            if let forecast { report.forecasts[group.name] = forecast }
            let (running, source) = serving(group, activeShadows: active[group.name] ?? 0,
                                            shadowUnits: activeUnits[group.name] ?? 0)
            if group.autoPark { parkInputs[group.name] = (forecast, running) }
            // Sized at the trigger's threshold: capacity counts as θ × capacity, the same rule that
            // activates shadows, so the pool holds what the trigger will ask for (docs/actuator.md).
            let trigger = configuration.trigger
            var input = SizingInput(group: group.name, forecast: forecast, running: trigger.servable(running),
                                    unit: trigger.servable(Double(group.template.units)), currentPool: pools[group.name] ?? 0,
                                    runningSource: source)
            // The binding resource: a group with a memory model is sized by CPU and memory.
            input.memory = memorySide(group, running: running, calendar: calendar, problems: &report.problems)
            inputs.append(input)
            triggerInputs.append(TriggerInput(group: group.name, demand: value, running: running,
                                              unit: Double(group.template.units), readyShadows: ready[group.name] ?? 0,
                                              forecast: forecast))
        }
        report.triggers = triggerInputs.map {
            ActivationTrigger.evaluate($0, policy: configuration.trigger, step: configuration.interval)
        }
        let free = (try? store.hostAvailability())?.filter { $0.host.enabled && $0.host.status.state == .up && hypervisors[$0.host.name] != nil }
            .reduce(0.0) { $0 + Double(max($1.free.units, 0)) } ?? 0
        phases.end("score")
        var cycle = sizer.decide(inputs, freeCapacity: free)
        cycle.decisions = chooseParkModes(cycle.decisions, inputs: parkInputs)
        if let ahead = configuration.aheadLevel {
            for i in cycle.decisions.indices { cycle.decisions[i].ahead = ahead }
        }
        decisionTime += ContinuousClock.now - t0
        // Models, forecasts and calibration changed above (without a suspension point in between).
        forecastViews.invalidateAll()
        report.decisions = cycle.decisions
        report.problems += cycle.diagnostics
        report.decisionSeconds = Double(decisionTime.components.seconds) + Double(decisionTime.components.attoseconds) * 1e-18
        reportMetrics(cycle.decisions, shadows: shadows)
        phases.end("decide")
        // The decision log is written last: it takes longer than the decision itself (10,000
        // groups: docs/benchmarks.md), and activations must not wait for it.
        guard !dryRun else { return logged(cycle.decisions, report, phases) }
        // Activations first: demand is here now; the pool is refilled by the reconciler below.
        let triggerInput = Dictionary(triggerInputs.map { ($0.group, $0) }, uniquingKeysWith: { a, _ in a })
        await activate(report.triggers, inputs: triggerInput, now: now, into: &report)
        phases.end("activate")
        report.retired = await scaleIn(now: now, active: active, activeUnits: activeUnits, applied: applied, problems: &report.problems)
        phases.end("scale_in")
        let drained = await routingPass(&report)
        report.retired += drained
        phases.end("routing")
        let desired = Dictionary(uniqueKeysWithValues: cycle.decisions.map { ($0.group, $0.final) })
        report.reconcile = await reconciler.reconcile(desired: desired)
        report.problems += report.reconcile.problems
        phases.end("reconcile")
        chargeReserve(problems: &report.problems)
        if now - costWindowStart >= configuration.costWindow {
            let changed = ledger.adjust(&policy, configured: configuration.sizing)
            sizer.policy = policy
            for (group, change) in changed.sorted(by: { $0.key < $1.key }) {
                report.notes.append("cost loop: group \(group) maximum \(change.from) → \(change.to)")
            }
            costWindowStart = now
        }
        phases.end("charge")
        return logged(cycle.decisions, report, phases)
    }

    /// Stores the cycle's decisions for `explain` and, in the same transaction, the sizing state a
    /// restart restores (not in a dry run: it must not overwrite the state of the actuator it
    /// looks at); a failure is one of the cycle's problems.
    private func logged(_ decisions: [SizingDecision], _ report: CycleReport, _ phases: PhaseClock) -> CycleReport {
        var report = report
        var phases = phases
        recordHostMetrics()
        let state = dryRun ? nil : sizingStateDocument(now: report.time)
        do {
            try decisionLog.record(decisions, states: state.map { [$0] } ?? [],
                                   fences: decisions.compactMap { leaseBook.fence($0.group, at: report.time) })
        } catch {
            report.problems.append("cannot store decisions and sizing state: \(error)")
        }
        reportRefusals(&report)
        phases.end("log")
        report.phases = phases.phases
        return report
    }

    /// Charges the cost ledger for what the pools hold after this cycle's reconcile pass — the
    /// shadows that hold a reservation (planned, defining, ready), each at its group's full unit —
    /// for the interval that starts now.
    func chargeReserve(problems: inout [String]) {
        let held: [ShadowRecord]
        do { held = try store.shadows(states: [.planned, .defining, .ready]) } catch {
            problems.append("cannot count the shadows held for the cost ledger: \(error)")
            return
        }
        var count: [String: Int] = [:]
        for s in held { count[s.group, default: 0] += 1 }
        // Under leases only the groups held: the others' pools are their holders' to charge.
        let now = clock.now()
        for group in configuration.groups where leaseKeeper == nil || leaseBook.holds(group.name, at: now) {
            ledger.recordReserve(group: group.name, shadows: count[group.name] ?? 0, unit: Double(group.template.units))
        }
    }

    /// Feeds the group's observed demand to its model and returns the calibrated forecast of its
    /// demand series with the notices applied — each through the model or as the explicit
    /// adjustment (`noticeRoutes`) — (nil when none can be made; the reason is reported).
    func score(_ group: GroupConfiguration, observed: (time: Int64, value: Double)?, notices: [NoticeEffect],
               calendar: [Event], problems: inout [String]) -> ForecastDistribution? {
        let series = demandSeries(group)
        // Without notices this is the calendar array itself (no copy): models without features ignore it.
        let events = notices.isEmpty ? calendar : calendar + notices.map { Self.event(of: $0, group: group.name) }
        if let observed {
            do {
                try catalog.record(group: group.name, seriesID: series, observations: [observed.value],
                                   startingAt: gridPosition(observed.time, group: group.name, series: series),
                                   step: configuration.interval, events: events)
            } catch {
                problems.append("group \(group.name): \(error)")
            }
        }
        let split = splitNotices(group.name, series: series, notices, calendar: calendar, events: events)
        do {
            let all = try catalog.forecast(group: group.name, horizon: configuration.horizon, levels: configuration.levels,
                                           events: split.events)
            guard let result = all[series] else {
                problems.append("group \(group.name): the model has no series \(series) (set series = … in [[actuator.groups]])")
                return nil
            }
            let forecast = try result.get()
            forecasts[group.name] = forecast
            if split.learned.isEmpty {
                if !modelNotices.isEmpty { modelNotices[group.name] = nil }
            } else {
                modelNotices[group.name] = split.learned
            }
            return forecast.applying(split.adjusted).0
        } catch {
            problems.append("group \(group.name): no forecast: \(error)")
            return nil
        }
    }

    /// The series whose forecast is the group's demand.
    func demandSeries(_ group: GroupConfiguration) -> String {
        if let s = group.series { return s }
        if let ids = catalog.scorer(group: group.name)?.seriesIDs, ids.count == 1, let only = ids.first { return only }
        return group.name
    }

    /// Notices per group whose window has not ended (read each cycle: a new one counts at once),
    /// widened by the lead and lag of the event columns of the models served.
    func noticeEffects(now: Int64) -> [String: [NoticeEffect]] {
        var out: [String: [NoticeEffect]] = [:]
        let horizonEnd = now + Int64(configuration.horizon + 1) * configuration.interval
        let reach = catalog.featureReach()
        // Leads and lags are at most 10¹⁰ s (FeatureSchema), so this cannot overflow for real times.
        let window = (now - configuration.interval - reach.lag)..<(horizonEnd + reach.lead)
        guard let stored = try? store.events(kind: .notice, overlapping: window) else { return out }
        for e in stored {
            guard case .groups(let groups) = e.event.scope else { continue }
            for g in groups {
                out[g, default: []].append(NoticeEffect(id: e.id, start: e.event.start, end: e.event.end,
                                                        multiplier: e.event.multiplier, level: e.event.level))
            }
        }
        return out
    }

    /// Decommissions one activated VM per group whose demand has stayed below the scale-in share
    /// of its running capacity for the scale-in window (the newest activated first). Its server is
    /// drained first; the VM is stopped once its sessions end or the drain times out — at once when
    /// nothing is open, else by a later cycle's routing pass (the cycle never waits for it).
    /// `applied`: the vCPUs each active shadow's activation applied (`appliedVCPUsOfActiveShadows`).
    func scaleIn(now: Int64, active: [String: Int], activeUnits: [String: Double], applied: [String: Int64],
                 problems: inout [String]) async -> [String] {
        guard configuration.scaleInUtilisation > 0 else { return [] }
        var retired: [String] = []
        // Read once for every group (per-group queries made this pass the bulk of a 10,000-group
        // cycle); a group's retirement below changes only its own entries.
        let draining = Set(((try? store.routes(states: [.draining])) ?? []).map(\.shadowID))
        let activeShadows = Dictionary(grouping: (try? store.shadows(states: [.active])) ?? [], by: \.group)
        for group in configuration.groups where leaseBook.holds(group.name, at: now) {
            guard (active[group.name] ?? 0) > 0, let d = demand[group.name], d.value.isFinite else {
                lowSince[group.name] = nil
                continue
            }
            let running = serving(group, activeShadows: active[group.name] ?? 0, shadowUnits: activeUnits[group.name]).units
            guard let victim = (activeShadows[group.name] ?? [])
                .filter({ !draining.contains($0.id) })
                .max(by: { ($0.updatedAt, $0.id) < ($1.updatedAt, $1.id) }) else {
                lowSince[group.name] = nil
                continue
            }
            // Would the group still be under the trigger threshold with that VM gone? It serves
            // its applied share (an activation to a predicted size may be less than the full unit).
            let victimUnits = servedUnits(group, appliedVCPUs: applied[victim.id])
            let without = running - victimUnits
            guard d.value < configuration.scaleInUtilisation * running,
                  d.value <= configuration.trigger.servable(without) else {
                lowSince[group.name] = nil
                continue
            }
            let since = lowSince[group.name] ?? now
            lowSince[group.name] = since
            guard now - since >= configuration.scaleInWindow else { continue }
            if let error = await activator.routes.beginDrain(victim) {
                problems.append("group \(group.name): drain of \(victim.domainName) failed (it is parked at the drain timeout): \(error)")
            }
            if let id = await finishDrain(victim, &problems) { retired.append(id) }
            lowSince[group.name] = now // one per window
        }
        return retired
    }

    /// Reports a cycle's forecasts (the sizing quantile), pools, live coverage and reserve cost.
    func reportMetrics(_ decisions: [SizingDecision], shadows: [ShadowRecord]) {
        var counts: [String: [ShadowState: Int]] = [:]
        for s in shadows { counts[s.group, default: [:]][s.state, default: 0] += 1 }
        let reserve = configuration.sizing.costs.reserveCost
        for d in decisions {
            if let q = d.quantile.value, q.isFinite {
                metrics.recordForecast(group: d.group, quantiles: [ForecastView.levelName(d.quantile.level): q])
            }
            metrics.recordShadows(group: d.group, counts: counts[d.group] ?? [:])
            if let coverage = sizer.state(of: d.group).aci.observedCoverage { metrics.recordCoverage(group: d.group, coverage: coverage) }
            metrics.addReserveCost(group: d.group, cost: Double(d.final) * d.unit * reserve)
        }
    }

    /// The cost loop's current window.
    package func costReport() -> [GroupCostReport] { ledger.costReport() }

    /// Reserve and avoided-miss totals since the runtime started (never reset by the cost loop).
    package func costTotals() -> [GroupCostReport] { ledger.totalReport() }

    /// The sizer's online state of `group` (ACI level, coverage).
    package func sizingState(_ group: String) -> GroupSizingState { sizer.state(of: group) }
}
